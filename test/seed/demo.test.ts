/**
 * `db seed --demo` on both databases: every domain table but the archive gets rows, trade ideas
 * cover every status, a second run changes nothing, the CLI prints the counts, and the demo's
 * positions, cash and round trips satisfy the accounting invariants the fill path promises
 * (checked from the stored fills with the trading core, in exact decimals).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import type { Decimal } from 'decimal.js';
import { domainTables } from '../../src/operations/inspect.ts';
import { openStore, type Store } from '../../src/db/store.ts';
import { booleanValue } from '../../src/db/column-values.ts';
import { CREDENTIAL_TABLES, TRADE_IDEA_STATUSES } from '../../src/entities/all-tables.ts';
import { setBotStatus } from '../../src/operations/bot-status.ts';
import { recordErrorLog } from '../../src/operations/error-logs.ts';
import {
  DEMO_MARKER_KEY,
  DEMO_USER_EMAIL,
  DemoSeedError,
  type DemoSeedResult,
  seedDemo,
} from '../../src/seed/demo.ts';
import { Exact, ZERO } from '../../src/trading/exact.ts';
import {
  applyFill,
  type Fill,
  type PositionState,
  replayFills,
} from '../../src/trading/position-accounting.ts';
import { runCli } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

/** An exact decimal column read back raw (a string on both databases). */
const x = (v: unknown): Decimal => new Exact(String(v));

/** Rows per domain table, counted here (not by the code under test). */
async function rowCounts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const { table } of domainTables(store)) {
    const row = await store.kysely
      .selectFrom(table)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(row.n);
  }
  return out;
}

async function distinct(store: Store, table: string, column: string, where?: [string, unknown]) {
  let q = store.kysely.selectFrom(table).select(column).distinct();
  if (where) q = q.where(where[0], '=', where[1]);
  return new Set((await q.execute()).map((r) => String(r[column])));
}

interface StoredFill extends Fill {
  portfolioId: number;
  assetId: number;
}

/** Production fills of production orders, in the order they were applied. */
async function productionFills(store: Store): Promise<StoredFill[]> {
  const no = booleanValue(store.dialect, false);
  const rows = await store.kysely
    .selectFrom('fills as f')
    .innerJoin('orders as o', 'o.id', 'f.order_id')
    .select(['f.quantity', 'f.price', 'f.fee', 'o.side', 'o.asset_id', 'o.portfolio_id'])
    .where('f.test_mode', '=', no)
    .where('o.test_mode', '=', no)
    .orderBy('f.id')
    .execute();
  return rows.map((r) => ({
    portfolioId: Number(r.portfolio_id),
    assetId: Number(r.asset_id),
    side: r.side as 'buy' | 'sell',
    quantity: x(r.quantity),
    price: x(r.price),
    fee: x(r.fee),
  }));
}

function byKey<T>(items: T[], key: (t: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    map.set(k, [...(map.get(k) ?? []), item]);
  }
  return map;
}

function assertState(stored: Record<string, unknown>, state: PositionState, what: string) {
  assert.equal(stored.side, state.side, `${what}: side`);
  assert.equal(stored.status, state.status, `${what}: status`);
  assert.ok(
    x(stored.quantity).eq(state.quantity),
    `${what}: quantity ${stored.quantity} vs ${state.quantity}`,
  );
  assert.ok(
    x(stored.cost_basis).eq(state.costBasis),
    `${what}: cost basis ${stored.cost_basis} vs ${state.costBasis}`,
  );
  assert.ok(
    x(stored.average_entry_price).eq(state.averageEntryPrice),
    `${what}: average entry ${stored.average_entry_price} vs ${state.averageEntryPrice}`,
  );
  assert.ok(
    x(stored.realized_pnl).eq(state.realizedPnl),
    `${what}: realized ${stored.realized_pnl} vs ${state.realizedPnl}`,
  );
}

eachDialect('db seed --demo', (ctx) => {
  let first: DemoSeedResult;
  const no = () => booleanValue(ctx.dialect, false);

  test('refuses a database that already holds data, and writes nothing', async () => {
    await recordErrorLog(ctx.store, { level: 'info', source: 'test', message: 'someone was here' });
    await assert.rejects(
      seedDemo(ctx.store),
      (e: Error) => e instanceof DemoSeedError && /error_logs/.test(e.message),
    );
    const counts = await rowCounts(ctx.store);
    assert.deepEqual(
      Object.entries(counts).filter(([, n]) => n > 0),
      [['error_logs', 1]],
    );
    await ctx.store.kysely.deleteFrom('error_logs').execute();
  });

  test('fills every domain table but decision_history_archive; trade ideas in every status', async () => {
    const started = performance.now();
    first = await seedDemo(ctx.store);
    const ms = Math.round(performance.now() - started);
    process.stderr.write(`# db seed --demo [${ctx.dialect}]: ${ms} ms\n`);
    assert.equal(first.seeded, true);
    const counts = await rowCounts(ctx.store);
    assert.deepEqual(first.counts, counts);
    for (const { table } of domainTables(ctx.store)) {
      if (table === 'decision_history_archive' || CREDENTIAL_TABLES.includes(table))
        assert.equal(counts[table], 0, table);
      else assert.ok(counts[table]! >= 1, `${table} has no rows`);
    }
    assert.deepEqual(
      [...(await distinct(ctx.store, 'trade_ideas', 'status'))].sort(),
      [...TRADE_IDEA_STATUSES].sort(),
    );

    // The story's shape: order states, round-trip outcomes, versions, market data, audit actions.
    const orderStatuses = await distinct(ctx.store, 'orders', 'status');
    for (const s of ['filled', 'partially_filled', 'canceled', 'open']) assert.ok(orderStatuses.has(s), s);
    const outcomes = await distinct(ctx.store, 'trades', 'outcome', ['is_backtest', no()]);
    for (const o of ['win', 'loss', 'open']) assert.ok(outcomes.has(o), o);
    const versions = await ctx.store.kysely
      .selectFrom('strategy_versions')
      .select(['strategy_id', (eb) => eb.fn.countAll().as('n')])
      .groupBy('strategy_id')
      .execute();
    assert.ok(
      versions.some((v) => Number(v.n) >= 2),
      'a strategy with two versions',
    );
    const candles = await ctx.store.kysely
      .selectFrom('candles')
      .select(['asset_id', (eb) => eb.fn.countAll().as('n')])
      .groupBy('asset_id')
      .execute();
    assert.ok(candles.filter((c) => Number(c.n) >= 2000).length >= 2, 'two assets with 2,000+ candles');
    const actions = await distinct(ctx.store, 'decision_history', 'action');
    for (const a of [
      'ai_proposed',
      'ai_auto_executed',
      'human_approved',
      'human_rejected',
      'risk_rejected',
    ]) {
      assert.ok(actions.has(a), a);
    }
    const overrides = await ctx.store.kysely.selectFrom('risk_configs').select('portfolio_id').execute();
    assert.deepEqual(overrides.map((r) => r.portfolio_id === null).sort(), [false, true]);
    const ingestion = await distinct(ctx.store, 'ingestion_tasks', 'status');
    assert.deepEqual([...ingestion].sort(), ['done', 'failed', 'queued']);
    // Demo content is production data; the demo user cannot log in.
    for (const table of ['signals', 'orders', 'fills', 'trades', 'positions', 'trade_ideas']) {
      assert.equal((await distinct(ctx.store, table, 'test_mode')).size, 1, table);
      assert.equal(
        (await ctx.store.kysely.selectFrom(table).select('id').where('test_mode', '<>', no()).execute())
          .length,
        0,
        `${table} has test rows`,
      );
    }
    const user = await ctx.store.kysely
      .selectFrom('users')
      .selectAll()
      .where('email', '=', DEMO_USER_EMAIL)
      .executeTakeFirstOrThrow();
    assert.equal(user.role, 'trader');
    assert.match(String(user.password_hash), /^scrypt\$16384\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  });

  test('a second run changes nothing and says so', async () => {
    const before = await rowCounts(ctx.store);
    const cash = await ctx.store.kysely
      .selectFrom('portfolios')
      .select(['id', 'cash_balance'])
      .orderBy('id')
      .execute();
    const again = await seedDemo(ctx.store);
    assert.equal(again.seeded, false);
    assert.deepEqual(await rowCounts(ctx.store), before);
    assert.deepEqual(again.counts, before);
    assert.deepEqual(
      await ctx.store.kysely.selectFrom('portfolios').select(['id', 'cash_balance']).orderBy('id').execute(),
      cash,
    );
  });

  test('every position is what its fills replay to', async () => {
    const fills = byKey(await productionFills(ctx.store), (f) => `${f.portfolioId}:${f.assetId}`);
    const positions = byKey(
      await ctx.store.kysely
        .selectFrom('positions')
        .selectAll()
        .where('test_mode', '=', no())
        .orderBy('id')
        .execute(),
      (p) => `${p.portfolio_id}:${p.asset_id}`,
    );
    assert.deepEqual([...fills.keys()].sort(), [...positions.keys()].sort());
    assert.ok(fills.size >= 4, 'positions on at least four portfolio/asset pairs');
    for (const [key, list] of fills) {
      const stored = positions.get(key)!;
      // replayFills: the latest lifecycle and the realized P&L over all of them.
      const replay = replayFills(list);
      assertState(stored.at(-1)!, replay.position!, `${key} latest position`);
      const realized = stored.reduce((sum, p) => sum.plus(x(p.realized_pnl)), ZERO);
      assert.ok(realized.eq(replay.realizedPnl), `${key}: Σ realized ${realized} vs ${replay.realizedPnl}`);
      // And lifecycle by lifecycle: one stored row per lifecycle, in the order they opened.
      const lifecycles: PositionState[] = [];
      let state: PositionState | null = null;
      for (const fill of list) {
        const effect = applyFill(state, fill);
        if (effect.closedPosition) lifecycles.push(effect.closedPosition);
        state = effect.position;
      }
      if (state?.status === 'open') lifecycles.push(state);
      assert.equal(stored.length, lifecycles.length, `${key}: lifecycles`);
      for (const [i, l] of lifecycles.entries()) assertState(stored[i]!, l, `${key} lifecycle ${i + 1}`);
    }
  });

  test('cash is the initial balance plus the cash effect of every fill', async () => {
    const fills = byKey(await productionFills(ctx.store), (f) => String(f.portfolioId));
    const portfolios = await ctx.store.kysely.selectFrom('portfolios').selectAll().orderBy('id').execute();
    assert.equal(portfolios.length, 2);
    for (const p of portfolios) {
      const list = fills.get(String(p.id)) ?? [];
      assert.ok(list.length > 0, `${p.name} has fills`);
      let cash = x(p.initial_balance);
      for (const f of list) {
        const notional = f.quantity.times(f.price);
        cash = f.side === 'buy' ? cash.minus(notional.plus(f.fee)) : cash.plus(notional.minus(f.fee));
      }
      assert.ok(x(p.cash_balance).eq(cash), `${p.name}: cash ${p.cash_balance} vs ${cash}`);
      const replayed = [...byKey(list, (f) => String(f.assetId)).values()].reduce(
        (sum, assetFills) => sum.plus(replayFills(assetFills).cashDelta),
        x(p.initial_balance),
      );
      assert.ok(replayed.eq(cash), `${p.name}: replayFills cash ${replayed} vs ${cash}`);
    }
  });

  test('round trips: Σ pnl of closed trades is the realized P&L of the closed lifecycles', async () => {
    const trades = await ctx.store.kysely
      .selectFrom('trades')
      .selectAll()
      .where('is_backtest', '=', no())
      .where('test_mode', '=', no())
      .execute();
    const positions = await ctx.store.kysely
      .selectFrom('positions')
      .selectAll()
      .where('test_mode', '=', no())
      .execute();
    for (const portfolioId of new Set(positions.map((p) => Number(p.portfolio_id)))) {
      const mine = trades.filter((t) => Number(t.portfolio_id) === portfolioId);
      const lifecycles = positions.filter((p) => Number(p.portfolio_id) === portfolioId);
      const closedTrades = mine.filter((t) => t.outcome !== 'open');
      const closedPositions = lifecycles.filter((p) => p.status === 'closed');
      assert.equal(
        closedTrades.length,
        closedPositions.length,
        `portfolio ${portfolioId}: closed round trips`,
      );
      const pnl = closedTrades.reduce((sum, t) => sum.plus(x(t.pnl)), ZERO);
      const realized = closedPositions.reduce((sum, p) => sum.plus(x(p.realized_pnl)), ZERO);
      assert.ok(pnl.eq(realized), `portfolio ${portfolioId}: Σ closed pnl ${pnl} vs realized ${realized}`);
      assert.ok(closedTrades.some((t) => x(t.pnl).gt(0)) && closedTrades.some((t) => x(t.pnl).lt(0)));
      for (const t of closedTrades) {
        assert.equal(
          t.outcome,
          x(t.pnl).gt(0) ? 'win' : x(t.pnl).lt(0) ? 'loss' : 'breakeven',
          `trade ${t.id}`,
        );
      }
      // Each open position has exactly one open round trip, carrying the lifecycle's P&L.
      const open = lifecycles.filter((p) => p.status === 'open');
      const openTrades = mine.filter((t) => t.outcome === 'open');
      assert.equal(openTrades.length, open.length);
      for (const p of open) {
        const t = openTrades.find((o) => Number(o.asset_id) === Number(p.asset_id))!;
        assert.ok(x(t.pnl).eq(x(p.realized_pnl)), `open trade ${t.id} pnl vs position ${p.id}`);
      }
    }
  });

  test('CLI: db seed --demo --json prints the counts; without --demo it is a usage error', async () => {
    const counts = await rowCounts(ctx.store);
    const again = runCli(['--db', ctx.url, 'db', 'seed', '--demo', '--json']);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(JSON.parse(again.stdout), { seeded: false, counts });

    const usage = runCli(['--db', ctx.url, 'db', 'seed']);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /--demo/);
    assert.deepEqual(await rowCounts(ctx.store), counts);
  });

  test('a seed that died half-way is refused, not continued', async () => {
    const marker = await ctx.store.kysely
      .selectFrom('bot_status')
      .select('value')
      .where('key', '=', DEMO_MARKER_KEY)
      .executeTakeFirstOrThrow();
    await setBotStatus(ctx.store, DEMO_MARKER_KEY, { state: 'running' });
    // Counted after the marker is set: setting it is a change too (its bot_status event).
    const counts = await rowCounts(ctx.store);
    await assert.rejects(
      seedDemo(ctx.store),
      (e: Error) => e instanceof DemoSeedError && /did not finish/.test(e.message),
    );
    assert.deepEqual(await rowCounts(ctx.store), counts);
    const value = typeof marker.value === 'string' ? JSON.parse(marker.value) : marker.value;
    await setBotStatus(ctx.store, DEMO_MARKER_KEY, value);
  });

  if (ctx.dialect === 'sqlite') {
    // One more full seed, through the CLI, into a new file: same counts, same money (deterministic).
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-seed-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    test('CLI: a fresh database gets the same demo data', async () => {
      const url = `sqlite:${join(dir, 'demo.db')}`;
      assert.equal(runCli(['--db', url, 'migrate', 'up', '--no-backup']).code, 0);
      const r = runCli(['--db', url, 'db', 'seed', '--demo', '--json']);
      assert.equal(r.code, 0, r.stderr);
      const printed = JSON.parse(r.stdout) as DemoSeedResult;
      assert.equal(printed.seeded, true);
      assert.deepEqual(printed.counts, first.counts);
      const other = await openStore(url);
      try {
        for (const [table, columns] of [
          ['portfolios', ['name', 'cash_balance']],
          ['trades', ['outcome', 'pnl', 'entry_time', 'exit_time']],
          ['positions', ['quantity', 'realized_pnl', 'opened_at']],
          ['signals', ['ts', 'price', 'action', 'strategy_version']],
        ] as const) {
          const read = (s: Store) =>
            s.kysely
              .selectFrom(table)
              .select([...columns])
              .orderBy('id')
              .execute();
          assert.deepEqual(await read(other), await read(ctx.store), table);
        }
      } finally {
        await other.close();
      }
    });
  }
});
