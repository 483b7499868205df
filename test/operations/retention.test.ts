import assert from 'node:assert/strict';
import { test } from 'node:test';
import { timestampValue } from '../../src/db/column-values.ts';
import { prune } from '../../src/operations/retention.ts';
import { eachDialect } from '../support/dialects.ts';
import { seedSample } from '../support/sample.ts';

const DAY = 86_400_000;

eachDialect('db prune', (ctx) => {
  test('removes old candles per timeframe and old snapshots, archives old decisions, one table at a time', async () => {
    const { assetIds } = await seedSample(ctx.store);
    const k = ctx.store.kysely;
    const now = new Date(Date.UTC(2024, 0, 1) + 200 * 60_000 + 100 * DAY);
    const ts = (daysAgo: number) => timestampValue(ctx.dialect, now.getTime() - daysAgo * DAY);
    const [portfolio] = await k.selectFrom('portfolios').select('id').execute();
    for (const daysAgo of [100, 40, 5]) {
      await k
        .insertInto('portfolio_snapshots')
        .values({
          portfolio_id: portfolio!.id,
          taken_at: ts(daysAgo),
          cash: '1',
          equity: '1',
          invested: '0',
          realized_pnl: '0',
          unrealized_pnl: '0',
          open_positions: 0,
          trade_count: 0,
          test_mode: ctx.dialect === 'sqlite' ? 0 : false,
        })
        .execute();
      await k
        .insertInto('decision_history')
        .values({
          occurred_at: ts(daysAgo),
          portfolio_id: portfolio!.id,
          action: 'ai_proposed',
          actor: 'ai',
          human_override: ctx.dialect === 'sqlite' ? 0 : false,
          test_mode: ctx.dialect === 'sqlite' ? 0 : false,
        })
        .execute();
    }
    // The sample has 500 1m candles per asset from 2024-01-01 00:00; keep the last 100 days' worth.
    const policy = { candles: { '1m': 100 } as const, snapshotDays: 30, decisionDays: 90, now };
    const dry = await prune(ctx.store, { ...policy, dryRun: true });
    const byTable = (r: typeof dry) => Object.fromEntries(r.map((x) => [x.table, x.rows]));
    assert.deepEqual(byTable(dry), {
      candles: 400,
      portfolio_snapshots: 2,
      account_snapshots: 1,
      market_snapshots: 0,
      decision_history: 1,
      // The sample's events happened now, after this policy's `now`: none is old.
      events: 0,
    });
    const count = async (t: string) =>
      Number(
        (
          await k
            .selectFrom(t)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirst()
        )?.n,
      );
    assert.equal(await count('candles'), 1000, 'a dry run changes nothing');
    assert.deepEqual(byTable(await prune(ctx.store, policy)), byTable(dry));
    assert.equal(await count('candles'), 600);
    assert.equal(await count('portfolio_snapshots'), 1);
    assert.equal(await count('decision_history'), 2);
    const archived = await k.selectFrom('decision_history_archive').selectAll().execute();
    assert.equal(archived.length, 1);
    assert.equal(archived[0]!.action, 'ai_proposed');
    assert.equal(Number(archived[0]!.portfolio_id), Number(portfolio!.id));
    const left = await k
      .selectFrom('candles')
      .select((eb) => eb.fn.min('ts').as('first'))
      .where('asset_id', '=', assetIds[0]!)
      .executeTakeFirst();
    assert.equal(
      Number(left?.first),
      Date.UTC(2024, 0, 1) + 200 * 60_000,
      'the first kept candle is the cutoff',
    );
    assert.deepEqual(
      byTable(await prune(ctx.store, policy)).decision_history,
      0,
      'pruning again finds nothing',
    );
  });
});
