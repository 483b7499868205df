/**
 * `import freqtrade-db` against a tradesv3.sqlite built with freqtrade's own schema
 * (test/fixtures/freqtrade/build-tradesv3.ts: closed long, closed short futures with a partly
 * filled canceled entry and funding fees, a fee taken in the base currency, an open trade with a
 * canceled, an open and a stoploss order). Every expected figure is read from the fixture database
 * itself, with node:sqlite, independently of the importer.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { before, test } from 'node:test';
import { DatabaseSync } from 'node:sqlite';
import { Decimal } from 'decimal.js';
import { createUser } from '../../src/accounts/users.ts';
import { importFreqtradeDb } from '../../src/adopt/freqtrade-db.ts';
import { listFills } from '../../src/execution/fills.ts';
import { listOrders } from '../../src/execution/orders.ts';
import { listTrades } from '../../src/execution/trades.ts';
import { getBotStatus } from '../../src/operations/bot-status.ts';
import { tableCounts } from '../../src/operations/inspect.ts';
import { listPositions } from '../../src/portfolios/positions.ts';
import { getStrategy } from '../../src/strategies/strategies.ts';
import { buildFreqtradeDb } from '../fixtures/freqtrade/build-tradesv3.ts';
import { eachDialect } from '../support/dialects.ts';

type Row = Record<string, unknown>;

const dir = mkdtempSync(join(tmpdir(), 'tradestore-ftdb-'));
const FIXTURE = join(dir, 'tradesv3.sqlite');
let ft: { trades: Row[]; orders: Row[] };

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

before(() => {
  buildFreqtradeDb(FIXTURE);
  // immutable: this reader must not leave -wal/-shm files beside the fixture either.
  const db = new DatabaseSync(new URL(`${pathToFileURL(FIXTURE).href}?immutable=1`), { readOnly: true });
  ft = {
    trades: db.prepare('select * from trades').all() as Row[],
    orders: db.prepare('select * from orders').all() as Row[],
  };
  db.close();
});

/** freqtrade's float as the shortest decimal that reads back as it. */
const exact = (v: unknown) => new Decimal(String(v as number));

/** What each freqtrade order must become: open while freqtrade has it open, filled when closed in full. */
function expectedStatus(o: Row): string {
  if (o.ft_is_open === 1) return 'open';
  if (o.status === 'canceled') return 'canceled';
  return 'filled';
}

eachDialect('import freqtrade-db', (ctx) => {
  let portfolioId = 0;
  before(() =>
    createUser(ctx.store, { email: 'bot@example.com', password: 'correct horse battery', role: 'trader' }),
  );

  test('trades, orders and fills are what the freqtrade database holds', async () => {
    const fileBefore = sha256(FIXTURE);
    const result = await importFreqtradeDb(ctx.store, FIXTURE);
    assert.equal(sha256(FIXTURE), fileBefore, 'the freqtrade database was modified');
    assert.deepEqual(readdirSync(dir), ['tradesv3.sqlite'], 'no -wal/-shm left beside it');
    portfolioId = result.portfolio.id;
    assert.equal(result.portfolio.created, true);
    const [trades, orders] = result.files;
    assert.deepEqual(
      [trades!.read, trades!.imported, trades!.skipped],
      [ft.trades.length, ft.trades.length, 0],
    );
    assert.deepEqual(
      [orders!.read, orders!.imported, orders!.skipped],
      [ft.orders.length, ft.orders.length, 0],
    );

    const stored = (await listOrders(ctx.store, { portfolioId, limit: 100 })).items;
    assert.equal(stored.length, ft.orders.length);
    for (const o of ft.orders) {
      const mine = stored.find((s) => s.exchangeOrderId === o.order_id);
      assert.ok(mine, `order ${String(o.order_id)} missing`);
      assert.equal(mine.status, expectedStatus(o), `status of ${String(o.order_id)}`);
      const delivered = exact(o.filled).minus(o.ft_fee_base === null ? 0 : exact(o.ft_fee_base));
      assert.equal(mine.filledQuantity.toFixed(), delivered.toFixed(), `filled of ${String(o.order_id)}`);
      const fills = await listFills(ctx.store, { orderId: mine.id });
      assert.equal(fills.length, delivered.gt(0) ? 1 : 0);
      if (fills[0]) assert.equal(fills[0].price.toFixed(), exact(o.average).toFixed());
    }
    // Canceled stays canceled: the partly filled entry keeps its 0.3, the unfilled one has no fill.
    const canceled = stored
      .filter((s) => s.status === 'canceled')
      .map((s) => s.filledQuantity.toFixed())
      .sort();
    assert.deepEqual(canceled, ['0', '0.3']);
    const stop = stored.find((s) => s.type === 'stop_limit')!;
    assert.deepEqual(
      [stop.side, stop.stopPrice?.toFixed(), stop.limitPrice?.toFixed()],
      ['sell', '0.45', '0.449'],
    );
  });

  test('round trips carry the profit freqtrade recorded, exactly; open trades are open positions', async () => {
    const roundTrips = (await listTrades(ctx.store, { portfolioId, limit: 100 })).items;
    assert.equal(roundTrips.length, ft.trades.length);
    const closed = ft.trades.filter((t) => t.is_open === 0);
    const recorded = closed.map((t) => exact(t.close_profit_abs).toFixed()).sort();
    const pnls = roundTrips
      .filter((t) => t.outcome !== 'open')
      .map((t) => t.pnl!.toFixed())
      .sort();
    assert.deepEqual(pnls, recorded);
    const sum = (xs: string[]) => xs.reduce((a, x) => a.plus(x), new Decimal(0)).toFixed();
    assert.equal(sum(pnls), sum(recorded));
    assert.deepEqual(
      roundTrips.map((t) => t.direction).sort(),
      ft.trades.map((t) => (t.is_short === 1 ? 'short' : 'long')).sort(),
    );
    const strategy = await getStrategy(ctx.store, String(ft.trades[0]!.strategy));
    assert.ok(roundTrips.every((t) => t.strategyId === strategy.id));

    const open = (await listPositions(ctx.store, { portfolioId })).items.filter((p) => p.status === 'open');
    const openFt = ft.trades.filter((t) => t.is_open === 1);
    assert.deepEqual(
      open.map((p) => [p.quantity.toFixed(), p.averageEntryPrice.toFixed()]),
      openFt.map((t) => [exact(t.amount).toFixed(), exact(t.open_rate).toFixed()]),
    );
    assert.deepEqual(
      (await getBotStatus(ctx.store, 'freqtrade.bot_start_time'))?.value,
      '2024-03-01T09:00:00.000Z',
    );
  });

  test('a second run imports nothing', async () => {
    const counts = await tableCounts(ctx.store);
    const result = await importFreqtradeDb(ctx.store, FIXTURE);
    assert.deepEqual(
      result.files.map((f) => [f.file, f.imported, f.alreadyPresent]),
      [
        ['trades', 0, ft.trades.length],
        ['orders', 0, ft.orders.length],
        ['pairlocks+KeyValueStore', 0, 3],
      ],
    );
    assert.deepEqual(await tableCounts(ctx.store), counts);
  });

  test('a re-run while the bot runs reads through its WAL and adds just the new fill', async () => {
    const later = join(mkdtempSync(join(tmpdir(), 'tradestore-ftdb-later-')), 'tradesv3.sqlite');
    copyFileSync(FIXTURE, later);
    // The bot, still running: its connection holds the change in the WAL, not yet in the file.
    const bot = new DatabaseSync(later);
    try {
      bot.exec('pragma wal_autocheckpoint = 0');
      bot.exec(`update orders set ft_is_open = 0, status = 'closed', filled = 50, remaining = 0, average = 0.5,
                 order_filled_date = '2024-03-07 01:00:00.000000' where order_id = 'bn-3003'`);
      const result = await importFreqtradeDb(ctx.store, later);
      assert.equal(result.trades.find((t) => t.status !== 'already present')?.status, 'updated');
      assert.deepEqual([result.files[1]!.imported, result.files[1]!.alreadyPresent], [0, ft.orders.length]);
    } finally {
      bot.close();
    }
    const open = (await listPositions(ctx.store, { portfolioId })).items.filter((p) => p.status === 'open');
    assert.deepEqual(
      open.map((p) => p.quantity.toFixed()),
      ['150'],
    );
  });
});
