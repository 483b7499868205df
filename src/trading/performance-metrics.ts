/**
 * Strategy performance over closed round trips (strategy_performance, backtest_results).
 *
 * Definitions (money in Decimal; divisions rounded half-even to 18 places):
 * - tradeCount; winRate = wins / tradeCount (number; null without trades). A win is pnl > 0, a
 *   loss pnl < 0; breakevens (pnl = 0) count in the denominator but are neither.
 * - avgRMultiple = mean pnlR over the trades that have one (null if none has).
 * - profitFactor = gross profit / |gross loss|; null when there is no loss (undefined, not ∞).
 * - expectancy = totalPnl / tradeCount, the average net pnl per trade in money (null without trades).
 * - maxDrawdown = largest fall of cumulative equity from its running peak, trades in closedAt order,
 *   starting from startingEquity (or 0); an amount ≥ 0.
 * - sharpe / sortino of DAILY returns, risk-free rate 0. Days are UTC calendar days from the first
 *   to the last trade's day (or over `period`), days without closed trades count as 0 returns.
 *   A day's return is its pnl / equity at the start of the day (startingEquity + all earlier pnl).
 *   sharpe = mean / sample standard deviation (n − 1) × √annualizationDays;
 *   sortino = mean / downside deviation × √annualizationDays, downside deviation =
 *   √(Σ min(r, 0)² / n) (target 0, over all days). annualizationDays defaults to 365 (crypto trades
 *   every day; pass 252 for exchange-traded equities). Both are null without startingEquity, with
 *   fewer than 2 days, with a zero deviation, or once start-of-day equity is ≤ 0 (returns are
 *   meaningless for a wiped-out account). Means and variances are computed in Decimal so equal
 *   returns give exactly zero deviation; only the square root and the final ratio are floats.
 */
import type { Decimal } from 'decimal.js';
import { divideRounded, exact, ZERO } from './exact.ts';

export interface ClosedTrade {
  pnl: Decimal;
  pnlR: Decimal | null;
  closedAt: Date;
}

export interface PerformanceOptions {
  startingEquity?: Decimal | null;
  /** Periods per year for annualising sharpe and sortino; default 365. */
  annualizationDays?: number;
  /** Calendar window for daily returns (inclusive UTC days); default: first to last trade day. */
  period?: { start: Date; end: Date };
}

export interface PerformanceMetrics {
  tradeCount: number;
  winCount: number;
  lossCount: number;
  winRate: number | null;
  avgRMultiple: Decimal | null;
  profitFactor: Decimal | null;
  expectancy: Decimal | null;
  totalPnl: Decimal;
  grossProfit: Decimal;
  grossLoss: Decimal;
  maxDrawdown: Decimal;
  sharpe: number | null;
  sortino: number | null;
}

const DAY_MS = 86_400_000;

function utcDay(at: Date): number {
  const ms = at.getTime();
  if (!Number.isFinite(ms)) throw new RangeError('closedAt must be a valid date');
  return Math.floor(ms / DAY_MS);
}

function sum(values: readonly Decimal[]): Decimal {
  return values.reduce((acc, v) => acc.plus(v), ZERO);
}

/** Daily returns over the window, or null when they are undefined (see header). */
export function dailyReturns(
  trades: readonly ClosedTrade[],
  startingEquity: Decimal,
  period?: { start: Date; end: Date },
): Decimal[] | null {
  if (trades.length === 0 && period === undefined) return [];
  const pnlByDay = new Map<number, Decimal>();
  for (const t of trades) {
    const day = utcDay(t.closedAt);
    pnlByDay.set(day, (pnlByDay.get(day) ?? ZERO).plus(exact(t.pnl, 'trade pnl')));
  }
  const days = [...pnlByDay.keys()];
  const first = period ? utcDay(period.start) : Math.min(...days);
  const last = period ? utcDay(period.end) : Math.max(...days);
  if (days.some((d) => d < first || d > last)) {
    throw new RangeError('a trade closed outside the performance period');
  }
  const returns: Decimal[] = [];
  let equity = exact(startingEquity, 'startingEquity');
  for (let day = first; day <= last; day++) {
    if (!equity.gt(0)) return null;
    const pnl = pnlByDay.get(day) ?? ZERO;
    returns.push(divideRounded(pnl, equity));
    equity = equity.plus(pnl);
  }
  return returns;
}

function ratios(returns: readonly Decimal[], annualizationDays: number) {
  const n = returns.length;
  if (n < 2) return { sharpe: null, sortino: null };
  const mean = divideRounded(sum(returns), exact(n));
  const variance = divideRounded(sum(returns.map((r) => r.minus(mean).pow(2))), exact(n - 1));
  const downside = divideRounded(sum(returns.map((r) => (r.lt(0) ? r.pow(2) : ZERO))), exact(n));
  const scale = Math.sqrt(annualizationDays);
  const m = mean.toNumber();
  return {
    sharpe: variance.isZero() ? null : (m / Math.sqrt(variance.toNumber())) * scale,
    sortino: downside.isZero() ? null : (m / Math.sqrt(downside.toNumber())) * scale,
  };
}

export function computePerformance(
  trades: readonly ClosedTrade[],
  options: PerformanceOptions = {},
): PerformanceMetrics {
  const annualizationDays = options.annualizationDays ?? 365;
  if (!(annualizationDays > 0)) throw new RangeError('annualizationDays must be > 0');
  const ordered = [...trades].sort((a, b) => a.closedAt.getTime() - b.closedAt.getTime());
  const pnls = ordered.map((t) => exact(t.pnl, 'trade pnl'));
  const tradeCount = ordered.length;

  const wins = pnls.filter((p) => p.gt(0));
  const losses = pnls.filter((p) => p.lt(0));
  const grossProfit = sum(wins);
  const grossLoss = sum(losses).abs();
  const totalPnl = sum(pnls);
  const rs = ordered.flatMap((t) => (t.pnlR === null ? [] : [exact(t.pnlR, 'trade pnlR')]));

  const startingEquity =
    options.startingEquity === undefined || options.startingEquity === null
      ? null
      : exact(options.startingEquity, 'startingEquity');
  let equity = startingEquity ?? ZERO;
  let peak = equity;
  let maxDrawdown = ZERO;
  for (const pnl of pnls) {
    equity = equity.plus(pnl);
    if (equity.gt(peak)) peak = equity;
    const drop = peak.minus(equity);
    if (drop.gt(maxDrawdown)) maxDrawdown = drop;
  }

  const returns = startingEquity === null ? null : dailyReturns(ordered, startingEquity, options.period);
  const { sharpe, sortino } =
    returns === null ? { sharpe: null, sortino: null } : ratios(returns, annualizationDays);

  return {
    tradeCount,
    winCount: wins.length,
    lossCount: losses.length,
    winRate: tradeCount === 0 ? null : wins.length / tradeCount,
    avgRMultiple: rs.length === 0 ? null : divideRounded(sum(rs), exact(rs.length)),
    profitFactor: grossLoss.isZero() ? null : divideRounded(grossProfit, grossLoss),
    expectancy: tradeCount === 0 ? null : divideRounded(totalPnl, exact(tradeCount)),
    totalPnl,
    grossProfit,
    grossLoss,
    maxDrawdown,
    sharpe,
    sortino,
  };
}
