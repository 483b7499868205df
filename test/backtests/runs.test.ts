/**
 * recordBacktest: a run, its result and trades in one transaction, result columns worked out by
 * hand:
 *   initial balance 1000
 *   A  BTC/USDT long   entry 100 × 2, stop 95, closed Jan 1 12:00, pnl +100   R = 100 / (5 × 2) = 10
 *   B  ETH/USDT short  entry 50 × 1,          closed Jan 2,       pnl  −50
 *   C  BTC/USDT long   entry 10 × 2.5,        closed Jan 3,       pnl  +25
 *   D  BTC/USDT long   entry 12 × 1,          still open (no exit, no pnl)
 *   equity 1000 → 1100 → 1050 → 1075: net 75, final 1075, max drawdown 50, win rate 2/3,
 *   profit factor 125 / 50 = 2.5, total return 0.075.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import {
  type BacktestInput,
  deleteBacktest,
  getBacktest,
  listBacktestTrades,
  recordBacktest,
} from '../../src/backtests/runs.ts';
import { BacktestResult, Strategy, Trade } from '../../src/entities/all-tables.ts';
import { eachDialect } from '../support/dialects.ts';

const JAN = (day: number, hour = 0) => new Date(Date.UTC(2024, 0, day, hour));

function input(strategyId: number, overrides: Partial<BacktestInput> = {}): BacktestInput {
  return {
    strategyId,
    name: 'hand-made',
    timeframe: '1h',
    periodStart: JAN(1),
    periodEnd: JAN(5),
    initialBalance: '1000',
    venue: 'paper-bt',
    trades: [
      {
        symbol: 'BTC/USDT',
        direction: 'long',
        entryPrice: '100',
        quantity: '2',
        stopLoss: '95',
        entryTime: JAN(1, 1),
        exitTime: JAN(1, 12),
        exitPrice: '150',
        fees: '0.5',
        pnl: '100',
      },
      {
        symbol: 'ETH/USDT',
        direction: 'short',
        entryPrice: '50',
        quantity: '1',
        entryTime: JAN(1, 20),
        exitTime: JAN(2),
        exitPrice: '100',
        pnl: '-50',
      },
      {
        symbol: 'BTC/USDT',
        direction: 'long',
        entryPrice: new Decimal('10'),
        quantity: '2.5',
        entryTime: JAN(2, 5),
        exitTime: JAN(3),
        exitPrice: '20',
        pnl: '25',
      },
      { symbol: 'BTC/USDT', direction: 'long', entryPrice: '12', quantity: '1', entryTime: JAN(4) },
    ],
    ...overrides,
  };
}

eachDialect('backtest runs', (ctx) => {
  let strategyId = 0;

  test('setup: a strategy', async () => {
    const em = ctx.store.em();
    const s = em.create(Strategy, { name: 'bt-hand' });
    await em.flush();
    strategyId = s.id;
  });

  test('records run, result and trades; result columns computed from the trades', async () => {
    const recorded = await recordBacktest(ctx.store, input(strategyId));
    assert.equal(recorded.tradeCount, 4);
    assert.equal(recorded.netProfit.toFixed(), '75');
    const view = await getBacktest(ctx.store, recorded.runId);
    assert.ok(view?.result);
    const r = view.result;
    assert.equal(r.tradeCount, 4);
    assert.equal(r.netProfit?.toFixed(), '75');
    assert.equal(r.finalBalance?.toFixed(), '1075');
    assert.equal(r.maxDrawdown?.toFixed(), '50');
    assert.equal(r.profitFactor?.toFixed(), '2.5');
    assert.equal(r.winRate, 2 / 3);
    assert.equal(r.totalReturn, 0.075);
    assert.deepEqual(r.equityCurve, [
      [JAN(1).getTime(), '1000'],
      [JAN(1, 12).getTime(), '1100'],
      [JAN(2).getTime(), '1050'],
      [JAN(3).getTime(), '1075'],
    ]);
    assert.equal((r.metrics as { computed: { openTrades: number } }).computed.openTrades, 1);
    assert.deepEqual(view.run.assets, ['BTC/USDT', 'ETH/USDT']);
    assert.equal(view.run.status, 'done');

    const trades = await listBacktestTrades(ctx.store, recorded.runId);
    assert.deepEqual(
      trades.map((t) => [t.outcome, t.pnl?.toFixed() ?? null, t.pnlR?.toFixed() ?? null, t.fees.toFixed()]),
      [
        ['win', '100', '10', '0.5'],
        ['loss', '-50', null, '0'],
        ['win', '25', null, '0'],
        ['open', null, null, '0'],
      ],
    );
    assert.ok(trades.every((t) => t.isBacktest && t.backtestRunId === recorded.runId));
  });

  test('validation names the field and writes nothing', async () => {
    const em = ctx.store.em();
    const before = await em.count(Trade, {});
    const cases: Array<[Partial<BacktestInput>, RegExp]> = [
      [{ periodEnd: JAN(1) }, /recordBacktest: periodEnd: must be after periodStart/],
      [{ timeframe: '7m' as never }, /recordBacktest: timeframe: accepted timeframes/],
      [{ initialBalance: 1000.5 as never }, /recordBacktest: initialBalance: refusing float 1000.5/],
      [{ status: 'failed' }, /recordBacktest: error: required when status is failed/],
      [
        {
          trades: [
            { symbol: 'X', direction: 'long', entryPrice: 0.1 as never, quantity: '1', entryTime: JAN(1) },
          ],
        },
        /recordBacktest: trades\[0\]\.entryPrice: refusing float 0.1/,
      ],
      [
        {
          trades: [
            {
              symbol: 'X',
              direction: 'long',
              entryPrice: '0.1234567890123456789',
              quantity: '1',
              entryTime: JAN(1),
            },
          ],
        },
        /trades\[0\]\.entryPrice: does not fit numeric\(38,18\)/,
      ],
      [
        {
          trades: [
            {
              symbol: 'X',
              direction: 'long',
              entryPrice: '1',
              quantity: '1',
              entryTime: JAN(2),
              exitTime: JAN(3),
              exitPrice: '2',
            },
          ],
        },
        /trades\[0\]\.pnl: required for a closed trade/,
      ],
    ];
    for (const [overrides, message] of cases) {
      await assert.rejects(recordBacktest(ctx.store, input(strategyId, overrides)), message);
    }
    assert.equal(await em.count(Trade, {}), before);
  });

  test('a failing write rolls back the whole backtest', async () => {
    const em = ctx.store.em();
    const before = await em.count(Trade, {});
    // strategy 999999 does not exist: the foreign key refuses the run after the assets were added.
    await assert.rejects(recordBacktest(ctx.store, input(999_999, { venue: 'rollback-venue' })));
    assert.equal(await em.count(Trade, {}), before);
    assert.equal(
      await ctx.store.kysely
        .selectFrom('assets')
        .where('venue', '=', 'rollback-venue')
        .select('id')
        .execute()
        .then((r) => r.length),
      0,
    );
  });

  test('deleteBacktest removes the run with its result and trades', async () => {
    const recorded = await recordBacktest(ctx.store, input(strategyId, { name: 'to delete' }));
    await deleteBacktest(ctx.store, recorded.runId);
    const em = ctx.store.em();
    assert.equal(await getBacktest(ctx.store, recorded.runId), null);
    assert.equal(await em.count(Trade, { backtestRun: recorded.runId }), 0);
    assert.equal(await em.count(BacktestResult, { run: recorded.runId }), 0);
    await assert.rejects(deleteBacktest(ctx.store, recorded.runId), /does not exist/);
  });

  test('a run without trades stores an empty asset list and reads back with no result trades', async () => {
    const recorded = await recordBacktest(ctx.store, input(strategyId, { name: 'idle', trades: [] }));
    const view = (await getBacktest(ctx.store, recorded.runId))!;
    assert.deepEqual(view.run.assets, []);
    assert.deepEqual(view.trades, { production: 0, test: 0 });
    assert.equal(view.result?.tradeCount, 0);
    await deleteBacktest(ctx.store, recorded.runId);
  });
});
