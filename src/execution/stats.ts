/**
 * Profit statistics from stored round trips, exact (freqtrade's /profit, /daily, /weekly, /monthly
 * and /performance): sums of `pnl` over closed trades as decimals, bucketed by exit time in UTC
 * (weeks from Monday, calendar months), or grouped per strategy or per asset.
 */
import type { Decimal } from 'decimal.js';
import type { Store } from '../db/store.ts';
import { bucketStart } from '../marketdata/timeframes.ts';
import { Exact } from '../trading/exact.ts';
import { reading } from '../db/transaction.ts';
import { testCondition, Where } from '../db/listing.ts';
import { dec, decOrNull, int, intOrNull, str, time } from '../db/column-values.ts';

export interface StatsScope {
  /** Only these portfolios; undefined: all. */
  portfolioIds?: readonly number[];
  from?: Date;
  to?: Date;
  testMode?: boolean;
  backtest?: boolean;
}

export interface ProfitStats {
  closedTrades: number;
  openTrades: number;
  wins: number;
  losses: number;
  breakeven: number;
  /** Σ pnl of closed trades (net of fees). */
  profit: Decimal;
  fees: Decimal;
  bestTrade: Decimal | null;
  worstTrade: Decimal | null;
  firstTradeAt: Date | null;
  lastExitAt: Date | null;
}

export interface ProfitBucket {
  start: Date;
  trades: number;
  profit: Decimal;
}

export interface ProfitGroup {
  key: number | null;
  trades: number;
  wins: number;
  profit: Decimal;
}

interface TradeRow {
  pnl: Decimal | null;
  fees: Decimal;
  outcome: string;
  entryTime: Date;
  exitTime: Date | null;
  strategyId: number | null;
  assetId: number;
}

async function tradesIn(store: Store, s: StatsScope): Promise<TradeRow[]> {
  return reading(store, async (tx) => {
    const where = new Where().add('is_backtest = ?', tx.bool(s.backtest ?? false));
    if (s.portfolioIds !== undefined) {
      if (s.portfolioIds.length === 0) return [];
      where.add(`portfolio_id in (${s.portfolioIds.map(() => '?').join(', ')})`, ...s.portfolioIds);
    }
    // A period counts the trades that closed in it (open trades count by entry for `openTrades`).
    where.when(s.from, '(coalesce(exit_time, entry_time) >= ?)', s.from && tx.time(s.from));
    where.when(s.to, '(coalesce(exit_time, entry_time) < ?)', s.to && tx.time(s.to));
    const scope = testCondition(tx, s.testMode ? { testMode: true } : {});
    if (scope) where.add(scope.sql, ...scope.params);
    const rows = await tx.all(
      `select pnl, fees, outcome, entry_time, exit_time, strategy_id, asset_id from trades${where.sql} order by id`,
      where.params,
    );
    return rows.map((r) => ({
      pnl: decOrNull(r.pnl),
      fees: dec(r.fees),
      outcome: str(r.outcome),
      entryTime: time(r.entry_time),
      exitTime: r.exit_time === null || r.exit_time === undefined ? null : time(r.exit_time),
      strategyId: intOrNull(r.strategy_id),
      assetId: int(r.asset_id),
    }));
  });
}

const closed = (t: TradeRow) => t.outcome !== 'open' && t.exitTime !== null;

export async function profitStats(store: Store, scope: StatsScope): Promise<ProfitStats> {
  const trades = await tradesIn(store, scope);
  const out: ProfitStats = {
    closedTrades: 0,
    openTrades: 0,
    wins: 0,
    losses: 0,
    breakeven: 0,
    profit: new Exact(0),
    fees: new Exact(0),
    bestTrade: null,
    worstTrade: null,
    firstTradeAt: null,
    lastExitAt: null,
  };
  for (const t of trades) {
    out.fees = out.fees.plus(t.fees);
    if (out.firstTradeAt === null || t.entryTime < out.firstTradeAt) out.firstTradeAt = t.entryTime;
    if (!closed(t)) {
      out.openTrades += 1;
      continue;
    }
    const pnl = t.pnl ?? new Exact(0);
    out.closedTrades += 1;
    if (t.outcome === 'win') out.wins += 1;
    else if (t.outcome === 'loss') out.losses += 1;
    else out.breakeven += 1;
    out.profit = out.profit.plus(pnl);
    if (out.bestTrade === null || pnl.gt(out.bestTrade)) out.bestTrade = pnl;
    if (out.worstTrade === null || pnl.lt(out.worstTrade)) out.worstTrade = pnl;
    if (out.lastExitAt === null || t.exitTime! > out.lastExitAt) out.lastExitAt = t.exitTime;
  }
  return out;
}

/** Closed-trade profit per UTC day, week (from Monday) or calendar month, newest first. */
export async function profitByPeriod(
  store: Store,
  scope: StatsScope,
  period: 'day' | 'week' | 'month',
): Promise<ProfitBucket[]> {
  const timeframe = period === 'day' ? '1d' : period === 'week' ? '1w' : '1M';
  const buckets = new Map<number, ProfitBucket>();
  for (const t of await tradesIn(store, scope)) {
    if (!closed(t)) continue;
    const start = bucketStart(t.exitTime!.getTime(), timeframe);
    const b = buckets.get(start) ?? { start: new Date(start), trades: 0, profit: new Exact(0) };
    b.trades += 1;
    b.profit = b.profit.plus(t.pnl ?? 0);
    buckets.set(start, b);
  }
  return [...buckets.values()].sort((a, b) => b.start.getTime() - a.start.getTime());
}

/** Closed-trade profit per strategy or per asset, most profitable first. */
export async function profitBy(
  store: Store,
  scope: StatsScope,
  by: 'strategy' | 'asset',
): Promise<ProfitGroup[]> {
  const groups = new Map<number | null, ProfitGroup>();
  for (const t of await tradesIn(store, scope)) {
    if (!closed(t)) continue;
    const key = by === 'strategy' ? t.strategyId : t.assetId;
    const g = groups.get(key) ?? { key, trades: 0, wins: 0, profit: new Exact(0) };
    g.trades += 1;
    if (t.outcome === 'win') g.wins += 1;
    g.profit = g.profit.plus(t.pnl ?? 0);
    groups.set(key, g);
  }
  return [...groups.values()].sort((a, b) => b.profit.comparedTo(a.profit) || (a.key ?? 0) - (b.key ?? 0));
}
