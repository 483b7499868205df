import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { type ClosedTrade, computePerformance, dailyReturns } from '../../src/trading/performance-metrics.ts';

const d = (v: string | number) => new Decimal(v);
const at = (iso: string) => new Date(iso);

function eq(actual: Decimal | null, expected: string | null, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, what);
    return;
  }
  assert.ok(actual?.eq(expected), `${what}: expected ${expected}, got ${String(actual)}`);
}
function close(actual: number | null, expected: number, what: string): void {
  assert.ok(
    actual !== null && Math.abs(actual - expected) <= 1e-12 * Math.abs(expected),
    `${what}: ${actual} vs ${expected}`,
  );
}

/*
 * Five trades, starting equity 1000, given out of order on purpose.
 *   day     trade pnl        R      equity after   day pnl / equity at day start
 *   Jan 1   +150 (10:00)     3      1150           +100 / 1000 = +0.10
 *   Jan 1    −50 (15:00)    −1      1100
 *   Jan 2   −110            −2       990           −110 / 1100 = −0.10
 *   Jan 3   (no trade)                              0 / 990    =  0
 *   Jan 4    +99             —      1089            +99 / 990  = +0.10
 *   Jan 5   +54.45           1      1143.45      +54.45 / 1089 = +0.05
 */
const trades: ClosedTrade[] = [
  { pnl: d('-110'), pnlR: d('-2'), closedAt: at('2024-01-02T12:00:00Z') },
  { pnl: d('150'), pnlR: d('3'), closedAt: at('2024-01-01T10:00:00Z') },
  { pnl: d('54.45'), pnlR: d('1'), closedAt: at('2024-01-05T23:59:59.999Z') },
  { pnl: d('-50'), pnlR: d('-1'), closedAt: at('2024-01-01T15:00:00Z') },
  { pnl: d('99'), pnlR: null, closedAt: at('2024-01-04T00:00:00Z') },
];

describe('computePerformance: hand-computed five-trade example', () => {
  const m = computePerformance(trades, { startingEquity: d(1000) });

  test('counts and win rate: 3 wins of 5', () => {
    assert.equal(m.tradeCount, 5);
    assert.equal(m.winCount, 3);
    assert.equal(m.lossCount, 2);
    assert.equal(m.winRate, 0.6);
  });
  test('avg R over the 4 trades with one: (3 − 1 − 2 + 1) / 4 = 0.25', () => {
    eq(m.avgRMultiple, '0.25', 'avgRMultiple');
  });
  test('profit factor: 303.45 / 160 = 1.8965625', () => {
    eq(m.grossProfit, '303.45', 'grossProfit');
    eq(m.grossLoss, '160', 'grossLoss');
    eq(m.profitFactor, '1.8965625', 'profitFactor');
  });
  test('total pnl 143.45, expectancy 143.45 / 5 = 28.69', () => {
    eq(m.totalPnl, '143.45', 'totalPnl');
    eq(m.expectancy, '28.69', 'expectancy');
  });
  test('max drawdown: peak 1150 → trough 990 = 160', () => {
    eq(m.maxDrawdown, '160', 'maxDrawdown');
  });
  test('daily returns over UTC days, idle day included', () => {
    const r = dailyReturns(trades, d(1000));
    assert.deepEqual(
      r?.map((x) => x.toString()),
      ['0.1', '-0.1', '0', '0.1', '0.05'],
    );
  });
  test('sharpe: mean 0.03, sample variance 0.028 / 4 = 0.007 → 0.03 / √0.007 × √365 ≈ 6.8504', () => {
    close(m.sharpe, (0.03 / Math.sqrt(0.007)) * Math.sqrt(365), 'sharpe');
    close(m.sharpe, 6.850443155633905, 'sharpe literal');
  });
  test('sortino: downside deviation √(0.01 / 5) → 0.03 / √0.002 × √365 ≈ 12.816', () => {
    close(m.sortino, (0.03 / Math.sqrt(0.002)) * Math.sqrt(365), 'sortino');
  });
  test('annualisation factor is a parameter', () => {
    const equities = computePerformance(trades, { startingEquity: d(1000), annualizationDays: 252 });
    close(equities.sharpe, (0.03 / Math.sqrt(0.007)) * Math.sqrt(252), 'sharpe 252');
  });
  test('an explicit period adds idle days: 10 days, mean 0.015, Σ squared deviations 0.03025', () => {
    const p = computePerformance(trades, {
      startingEquity: d(1000),
      period: { start: at('2024-01-01T00:00:00Z'), end: at('2024-01-10T18:00:00Z') },
    });
    close(p.sharpe, (0.015 / Math.sqrt(0.03025 / 9)) * Math.sqrt(365), 'sharpe over 10 days');
  });
});

describe('computePerformance: edge cases', () => {
  test('no trades', () => {
    const m = computePerformance([], { startingEquity: d(1000) });
    assert.equal(m.tradeCount, 0);
    assert.equal(m.winRate, null);
    eq(m.avgRMultiple, null, 'avgR');
    eq(m.profitFactor, null, 'pf');
    eq(m.expectancy, null, 'expectancy');
    eq(m.totalPnl, '0', 'total');
    eq(m.maxDrawdown, '0', 'dd');
    assert.equal(m.sharpe, null);
    assert.equal(m.sortino, null);
  });

  test('no losses: profit factor and sortino are null (undefined, not infinite)', () => {
    const m = computePerformance(
      [
        { pnl: d(10), pnlR: null, closedAt: at('2024-01-01T00:00:00Z') },
        { pnl: d(30), pnlR: null, closedAt: at('2024-01-02T00:00:00Z') },
      ],
      { startingEquity: d(100) },
    );
    eq(m.profitFactor, null, 'pf');
    eq(m.avgRMultiple, null, 'avgR without any R');
    assert.equal(m.sortino, null);
    assert.equal(typeof m.sharpe, 'number');
  });

  test('breakeven trades count in the win-rate denominator only', () => {
    const m = computePerformance([
      { pnl: d(10), pnlR: null, closedAt: at('2024-01-01T00:00:00Z') },
      { pnl: d(0), pnlR: null, closedAt: at('2024-01-01T01:00:00Z') },
    ]);
    assert.equal(m.winRate, 0.5);
    assert.equal(m.lossCount, 0);
  });

  test('without starting equity: drawdown from 0, no sharpe/sortino', () => {
    const m = computePerformance([
      { pnl: d(-5), pnlR: null, closedAt: at('2024-01-01T00:00:00Z') },
      { pnl: d(20), pnlR: null, closedAt: at('2024-01-02T00:00:00Z') },
      { pnl: d(-15), pnlR: null, closedAt: at('2024-01-03T00:00:00Z') },
    ]);
    eq(m.maxDrawdown, '15', 'dd: 0 → −5 is 5; peak 15 → 0 is 15');
    assert.equal(m.sharpe, null);
  });

  test('identical daily returns have zero deviation: sharpe null, not a float-noise giant', () => {
    const m = computePerformance(
      [
        { pnl: d('10'), pnlR: null, closedAt: at('2024-01-01T00:00:00Z') },
        { pnl: d('11'), pnlR: null, closedAt: at('2024-01-02T00:00:00Z') },
        { pnl: d('12.1'), pnlR: null, closedAt: at('2024-01-03T00:00:00Z') },
      ],
      { startingEquity: d(100) },
    );
    assert.equal(m.sharpe, null);
  });

  test('a wiped-out account has no daily returns', () => {
    const m = computePerformance(
      [
        { pnl: d(-100), pnlR: null, closedAt: at('2024-01-01T00:00:00Z') },
        { pnl: d(5), pnlR: null, closedAt: at('2024-01-02T00:00:00Z') },
      ],
      { startingEquity: d(100) },
    );
    assert.equal(m.sharpe, null);
    eq(m.maxDrawdown, '100', 'dd');
  });

  test('a trade outside the period is an error', () => {
    assert.throws(
      () =>
        computePerformance(trades, {
          startingEquity: d(1000),
          period: { start: at('2024-01-02T00:00:00Z'), end: at('2024-01-05T00:00:00Z') },
        }),
      /outside the performance period/,
    );
  });
});
