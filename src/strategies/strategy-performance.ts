/**
 * strategy_performance: the trading core's `computePerformance` over closed round trips, per
 * strategy (all portfolios) or per (strategy, portfolio), over a window, stored in one row per
 * (strategy, portfolio-or-all, window, is_backtest, test_mode). Always recomputable from `trades`:
 * recomputing replaces the row.
 *
 * Window: 'all', or `<n>d` / `<n>w` / `<n>h` back from `now` (trades whose exit_time falls inside;
 * daily returns then cover the whole window, quiet days included). Starting equity for Sharpe and
 * Sortino: the caller's, else the portfolio's initial balance, else the sum of the initial
 * balances of the portfolios (or backtest runs) the trades belong to.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { dec, decOrNull, int, time } from '../db/column-values.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable, named } from '../db/table.ts';
import { Where } from '../db/listing.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { TradingError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id, moneyValue, when } from '../input/fields.ts';
import { exact, ZERO } from '../trading/exact.ts';
import {
  type ClosedTrade,
  computePerformance,
  type PerformanceMetrics,
} from '../trading/performance-metrics.ts';
import { loadStrategy } from './strategies.ts';

export interface StrategyPerformanceView {
  id: number;
  strategyId: number;
  portfolioId: number | null;
  window: string;
  isBacktest: boolean;
  testMode: boolean;
  tradeCount: number;
  winCount: number;
  lossCount: number;
  winRate: number | null;
  avgRMultiple: Decimal | null;
  profitFactor: Decimal | null;
  expectancy: Decimal | null;
  totalPnl: Decimal | null;
  maxDrawdown: Decimal | null;
  sharpe: number | null;
  sortino: number | null;
  updatedAt: Date;
}

const strategyPerformance = defineTable<StrategyPerformanceView>('strategy_performance', 'performance', {
  id: col.id(),
  strategyId: col.int(),
  portfolioId: col.intOrNull(),
  window: col.text(),
  isBacktest: col.bool(),
  testMode: col.bool(),
  tradeCount: col.int(),
  winCount: col.int(),
  lossCount: col.int(),
  winRate: col.floatOrNull(),
  avgRMultiple: named('avg_rmultiple', col.decimalOrNull()),
  profitFactor: col.decimalOrNull(),
  expectancy: col.moneyOrNull(),
  totalPnl: col.moneyOrNull(),
  maxDrawdown: col.moneyOrNull(),
  sharpe: col.floatOrNull(),
  sortino: col.floatOrNull(),
  updatedAt: col.time(),
});

const WINDOW = /^(all|[1-9]\d{0,4}[hdw])$/;
const UNIT_MS = { h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000 } as const;

/** The start of a window ending at `now`, or null for 'all'. */
export function windowStart(window: string, now: Date): Date | null {
  if (window === 'all') return null;
  const unit = window.at(-1) as keyof typeof UNIT_MS;
  return new Date(now.getTime() - Number(window.slice(0, -1)) * UNIT_MS[unit]);
}

/** A performance window: 'all', or the last n hours, days or weeks. */
export const PerformanceWindow = z
  .string()
  .regex(WINDOW, "window is 'all' or <n>h, <n>d, <n>w (n up to 99999)");

const Scope = {
  portfolioId: id.optional(),
  window: PerformanceWindow.default('all'),
  /** Backtest trades instead of live ones. */
  backtest: z.boolean().default(false),
  /** Test-mode trades instead of production ones. */
  testMode: z.boolean().default(false),
  now: when.optional(),
  startingEquity: moneyValue.optional(),
  annualizationDays: z.number().positive().optional(),
};

const RecomputeInput = z
  .object({ strategy: z.union([id, z.string().trim().min(1)]).optional(), ...Scope })
  .strict()
  .refine(
    (r) => r.strategy !== undefined || r.portfolioId !== undefined,
    'give a strategy, a portfolio or both',
  );
export type RecomputeInput = z.input<typeof RecomputeInput>;
type Parsed = z.output<typeof RecomputeInput>;

interface Selection {
  strategyId?: number;
  portfolioId?: number;
  backtest: boolean;
  testMode: boolean;
  from: Date | null;
  to: Date;
}

async function closedTrades(
  tx: Tx,
  s: Selection,
): Promise<{ trades: ClosedTrade[]; startingEquity: Decimal | null }> {
  const where = new Where()
    .add('t.is_backtest = ?', tx.bool(s.backtest))
    .add('t.test_mode = ?', tx.bool(s.testMode))
    .add("t.outcome <> 'open'")
    .add('t.pnl is not null')
    .add('t.exit_time <= ?', tx.time(s.to))
    .when(s.strategyId, 't.strategy_id = ?', s.strategyId)
    .when(s.portfolioId, 't.portfolio_id = ?', s.portfolioId)
    .when(s.from, 't.exit_time >= ?', s.from && tx.time(s.from));
  const rows = await tx.all<{ pnl: unknown; pnl_r: unknown; exit_time: unknown }>(
    `select t.pnl, t.pnl_r, t.exit_time from trades t${where.sql} order by t.exit_time, t.id`,
    where.params,
  );
  const balances = await tx.all<{ initial_balance: unknown }>(
    s.backtest
      ? `select initial_balance from backtest_runs where id in (select distinct t.backtest_run_id from trades t${where.sql})`
      : `select initial_balance from portfolios where id in (select distinct t.portfolio_id from trades t${where.sql})`,
    where.params,
  );
  return {
    trades: rows.map((r) => ({ pnl: dec(r.pnl), pnlR: decOrNull(r.pnl_r), closedAt: time(r.exit_time) })),
    startingEquity:
      balances.length === 0
        ? null
        : balances.reduce((sum, b) => sum.plus(dec(b.initial_balance)), exact(ZERO)),
  };
}

async function metricsFor(tx: Tx, s: Selection, p: Pick<Parsed, 'startingEquity' | 'annualizationDays'>) {
  const { trades, startingEquity } = await closedTrades(tx, s);
  let equity: Decimal | null = p.startingEquity ?? null;
  if (equity === null && s.portfolioId !== undefined) {
    const row = await tx.get<{ initial_balance: unknown }>(
      'select initial_balance from portfolios where id = ?',
      [s.portfolioId],
    );
    if (!row) throw new TradingError(`portfolio ${s.portfolioId} does not exist`);
    equity = dec(row.initial_balance);
  }
  return computePerformance(trades, {
    startingEquity: equity ?? startingEquity,
    ...(p.annualizationDays === undefined ? {} : { annualizationDays: p.annualizationDays }),
    ...(s.from === null ? {} : { period: { start: s.from, end: s.to } }),
  });
}

async function store1(
  tx: Tx,
  key: {
    strategyId: number;
    portfolioId: number | null;
    window: string;
    backtest: boolean;
    testMode: boolean;
  },
  m: PerformanceMetrics,
  at: Date,
): Promise<StrategyPerformanceView> {
  // One row per key: recomputing replaces its figures.
  return strategyPerformance.upsert(
    tx,
    {
      strategyId: key.strategyId,
      portfolioId: key.portfolioId,
      window: key.window,
      isBacktest: key.backtest,
      testMode: key.testMode,
      tradeCount: m.tradeCount,
      winCount: m.winCount,
      lossCount: m.lossCount,
      winRate: m.winRate,
      avgRMultiple: m.avgRMultiple,
      profitFactor: m.profitFactor,
      expectancy: m.expectancy,
      totalPnl: m.totalPnl,
      maxDrawdown: m.maxDrawdown,
      sharpe: m.sharpe,
      sortino: m.sortino,
      updatedAt: at,
    },
    '(strategy_id, (coalesce(portfolio_id, 0)), "window", is_backtest, test_mode)',
    ['strategyId', 'portfolioId', 'window', 'isBacktest', 'testMode'],
  );
}

/**
 * Recomputes and stores performance: for one strategy across portfolios (strategy only), for one
 * strategy in one portfolio (both), or for every strategy that traded in a portfolio (portfolio only).
 */
export async function recomputePerformance(
  store: Store,
  input: RecomputeInput,
): Promise<StrategyPerformanceView[]> {
  const p = parseInput(RecomputeInput, input, 'performance recompute');
  return inTransaction(store, async (tx) => {
    const now = p.now ?? new Date();
    const from = windowStart(p.window, now);
    let strategyIds: number[];
    if (p.strategy !== undefined) {
      strategyIds = [(await loadStrategy(tx, p.strategy)).id];
    } else {
      const rows = await tx.all<{ strategy_id: unknown }>(
        `select distinct strategy_id from trades where portfolio_id = ? and strategy_id is not null
            and is_backtest = ? and test_mode = ? order by strategy_id`,
        [p.portfolioId, tx.bool(p.backtest), tx.bool(p.testMode)],
      );
      strategyIds = rows.map((r) => int(r.strategy_id));
    }
    const out: StrategyPerformanceView[] = [];
    for (const strategyId of strategyIds) {
      const selection: Selection = {
        strategyId,
        backtest: p.backtest,
        testMode: p.testMode,
        from,
        to: now,
        ...(p.portfolioId === undefined ? {} : { portfolioId: p.portfolioId }),
      };
      const metrics = await metricsFor(tx, selection, p);
      out.push(
        await store1(
          tx,
          {
            strategyId,
            portfolioId: p.portfolioId ?? null,
            window: p.window,
            backtest: p.backtest,
            testMode: p.testMode,
          },
          metrics,
          now,
        ),
      );
    }
    return out;
  });
}

const { portfolioId: _optionalPortfolio, ...ScopeFields } = Scope;
const PortfolioPerformanceInput = z.object({ portfolioId: id, ...ScopeFields }).strict();
export type PortfolioPerformanceInput = z.input<typeof PortfolioPerformanceInput>;

/**
 * A portfolio's performance over all its round trips (every strategy, and trades with none), not
 * stored: strategy_performance rows are per strategy.
 */
export async function computePortfolioPerformance(
  store: Store,
  input: PortfolioPerformanceInput,
): Promise<PerformanceMetrics> {
  const p = parseInput(PortfolioPerformanceInput, input, 'portfolio performance');
  return reading(store, (tx) => {
    const now = p.now ?? new Date();
    return metricsFor(
      tx,
      {
        portfolioId: p.portfolioId,
        backtest: p.backtest,
        testMode: p.testMode,
        from: windowStart(p.window, now),
        to: now,
      },
      p,
    );
  });
}

const PerformanceQuery = z
  .object({
    strategy: z.union([id, z.string().trim().min(1)]).optional(),
    portfolioId: id.nullable().optional(),
    window: z.string().optional(),
    backtest: z.boolean().default(false),
    testMode: z.boolean().default(false),
  })
  .strict();
export type PerformanceQuery = z.input<typeof PerformanceQuery>;

/** Stored performance rows (portfolioId null = the strategy-wide rows). */
export async function listPerformance(
  store: Store,
  query: PerformanceQuery = {},
): Promise<StrategyPerformanceView[]> {
  const q = parseInput(PerformanceQuery, query, 'performance query');
  return reading(store, async (tx) => {
    const strategyId = q.strategy === undefined ? undefined : (await loadStrategy(tx, q.strategy)).id;
    const where = new Where()
      .add('is_backtest = ?', tx.bool(q.backtest))
      .add('test_mode = ?', tx.bool(q.testMode))
      .when(strategyId, 'strategy_id = ?', strategyId)
      .when(q.portfolioId === null ? true : undefined, 'portfolio_id is null')
      .when(q.portfolioId ?? undefined, 'portfolio_id = ?', q.portfolioId)
      .when(q.window, '"window" = ?', q.window);
    const rows = await tx.all(
      `select * from strategy_performance${where.sql} order by strategy_id, portfolio_id, "window"`,
      where.params,
    );
    return rows.map(strategyPerformance.fromRow);
  });
}
