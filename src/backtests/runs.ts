/**
 * Backtests: a run's configuration (backtest_runs), its result (backtest_results: headline metrics,
 * a metrics JSON and the equity curve) and its trades (rows of `trades` with is_backtest = true and
 * the run's id), written together in one transaction.
 *
 * Result columns are computed from the run's closed trades with the same definitions as live
 * strategy performance (src/trading/performance.ts): win_rate, profit_factor, max_drawdown (from
 * the initial balance), net_profit, final_balance, sharpe/sortino of daily returns, total_return,
 * cagr. A caller (an engine with its own definitions) may supply total_return, cagr, sharpe and
 * sortino instead; `metrics` is stored as given, with tradestore's extra figures under `computed`.
 *
 * Test isolation: a run written with `testMode` marks its trades test_mode = true and its
 * parameters `testMode: true`; reads skip both unless `includeTest`.
 */
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import {
  BACKTEST_STATUSES,
  type BacktestFeeModel,
  BacktestResult,
  BacktestRun,
  type BacktestStatus,
  type EquityPoint,
} from '../entities/backtest-tables.ts';
import { DIRECTIONS, TIMEFRAMES, type Timeframe } from '../entities/common.ts';
import { Trade } from '../entities/execution-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import {
  botVersion,
  confidence,
  id as idInput,
  limitInput,
  moneyValue,
  type ScopeCounts,
  when,
} from '../input/fields.ts';
import { ensureAsset } from '../marketdata/assets.ts';
import { divideRounded, exact, ZERO } from '../trading/exact.ts';
import { type ClosedTrade, computePerformance } from '../trading/performance-metrics.ts';
import { cutPage, entityPage, type Keyset, type Page } from '../db/listing.ts';

const fits = (integerDigits: number, scale: number) => (d: Decimal) =>
  d.decimalPlaces() <= scale && d.abs().lt(new Decimal(10).pow(integerDigits));

/** A price or quantity: numeric(38,18). Refused, never rounded, when it does not fit. */
export const backtestPrice = moneyValue.refine(fits(20, 18), {
  message: 'does not fit numeric(38,18): at most 20 integer digits and 18 decimal places',
});
/** An amount of money: numeric(56,36). */
export const backtestMoney = moneyValue.refine(fits(20, 36), {
  message: 'does not fit numeric(56,36): at most 20 integer digits and 36 decimal places',
});

const positive = (d: Decimal) => d.gt(0);

const BacktestTradeInput = z
  .object({
    symbol: z.string().trim().min(1).max(64),
    /** Venue of the symbol's asset; default: the run's `venue`. */
    venue: z.string().trim().min(1).max(64).optional(),
    direction: z.enum(DIRECTIONS),
    entryPrice: backtestPrice.refine(positive, 'must be > 0'),
    exitPrice: backtestPrice.refine(positive, 'must be > 0').nullish(),
    entryTime: when,
    exitTime: when.nullish(),
    quantity: backtestPrice.refine(positive, 'must be > 0'),
    fees: backtestMoney.optional(),
    /** Net realized P&L of the round trip; required once it is closed. */
    pnl: backtestMoney.nullish(),
    stopLoss: backtestPrice.nullish(),
    takeProfit: backtestPrice.nullish(),
    reasoning: z.string().nullish(),
    confidence: confidence.nullish(),
    externalRef: z.string().max(255).nullish(),
  })
  .strict()
  .superRefine((t, ctx) => {
    const closed = t.exitTime != null;
    if (closed !== (t.exitPrice != null)) {
      ctx.addIssue({
        code: 'custom',
        path: [closed ? 'exitPrice' : 'exitTime'],
        message: 'exitTime and exitPrice are given together (a closed trade) or not at all (an open one)',
      });
    }
    if (closed && t.pnl == null)
      ctx.addIssue({ code: 'custom', path: ['pnl'], message: 'required for a closed trade' });
    if (closed && t.exitTime! < t.entryTime) {
      ctx.addIssue({ code: 'custom', path: ['exitTime'], message: 'is before entryTime' });
    }
  });

export type BacktestTradeInput = z.input<typeof BacktestTradeInput>;

const finite = z.number().finite();

const BacktestInput = z
  .object({
    strategyId: idInput,
    strategyVersionId: idInput.nullish(),
    name: z.string().trim().min(1).max(255),
    /** Symbols the run traded; default: the symbols of its trades. */
    assets: z.array(z.string().trim().min(1)).optional(),
    timeframe: z.enum(TIMEFRAMES, { message: `accepted timeframes: ${TIMEFRAMES.join(', ')}` }),
    periodStart: when,
    periodEnd: when,
    initialBalance: backtestMoney.refine(positive, 'must be > 0'),
    feeModel: z
      .object({ kind: z.string().min(1) })
      .catchall(z.json())
      .nullish(),
    parameters: z.record(z.string(), z.json()).nullish(),
    status: z.enum(BACKTEST_STATUSES).default('done'),
    error: z.string().nullish(),
    startedAt: when.nullish(),
    finishedAt: when.nullish(),
    botVersion: botVersion.nullish(),
    testMode: z.boolean().default(false),
    /** Venue of the trades' assets (created on first use); default 'backtest'. */
    venue: z.string().trim().min(1).max(64).default('backtest'),
    trades: z.array(BacktestTradeInput).default([]),
    result: z
      .object({
        totalReturn: finite.nullish(),
        cagr: finite.nullish(),
        sharpe: finite.nullish(),
        sortino: finite.nullish(),
        metrics: z.record(z.string(), z.json()).nullish(),
        /** [epoch ms, equity as a decimal string]; default: initial balance plus cumulative pnl. */
        equityCurve: z
          .array(z.tuple([z.number().int(), backtestMoney.transform((d) => d.toFixed())]))
          .nullish(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((b, ctx) => {
    if (b.periodEnd <= b.periodStart) {
      ctx.addIssue({ code: 'custom', path: ['periodEnd'], message: 'must be after periodStart' });
    }
    if (b.status === 'failed' && !b.error) {
      ctx.addIssue({ code: 'custom', path: ['error'], message: 'required when status is failed' });
    }
  });

export type BacktestInput = z.input<typeof BacktestInput>;
export type ParsedBacktest = z.output<typeof BacktestInput>;

export interface RecordedBacktest {
  runId: number;
  resultId: number;
  tradeCount: number;
  /** Sum of the closed trades' pnl, exact. */
  netProfit: Decimal;
}

/** Trades per multi-row insert: 24 columns each, under SQLite's 32,766-parameter limit. */
const TRADE_BATCH = 1000;
const DAY_MS = 86_400_000;

function outcomeOf(pnl: Decimal): 'win' | 'loss' | 'breakeven' {
  return pnl.gt(0) ? 'win' : pnl.lt(0) ? 'loss' : 'breakeven';
}

/** pnl in R: pnl / |entry − stop| × quantity (the trading core's definition); null without risk. */
function rMultiple(t: ParsedBacktest['trades'][number]): Decimal | null {
  if (t.stopLoss == null || t.pnl == null) return null;
  const risk = exact(t.entryPrice).minus(t.stopLoss).abs().times(t.quantity);
  return risk.isZero() ? null : divideRounded(t.pnl, risk);
}

function equityCurveOf(b: ParsedBacktest, closed: readonly ClosedTrade[]): EquityPoint[] {
  const byTime = new Map<number, Decimal>();
  for (const t of closed) {
    const at = t.closedAt.getTime();
    byTime.set(at, (byTime.get(at) ?? ZERO).plus(t.pnl));
  }
  let equity = exact(b.initialBalance);
  const curve: EquityPoint[] = [[b.periodStart.getTime(), equity.toFixed()]];
  for (const at of [...byTime.keys()].sort((x, y) => x - y)) {
    equity = equity.plus(byTime.get(at)!);
    curve.push([at, equity.toFixed()]);
  }
  return curve;
}

function resultOf(b: ParsedBacktest, pnlRs: Array<Decimal | null>) {
  const closed: ClosedTrade[] = [];
  b.trades.forEach((t, i) => {
    if (t.exitTime != null && t.pnl != null)
      closed.push({ pnl: t.pnl, pnlR: pnlRs[i] ?? null, closedAt: t.exitTime });
  });
  const perf = computePerformance(closed, {
    startingEquity: b.initialBalance,
    period: {
      start: b.periodStart,
      end: new Date(Math.max(b.periodStart.getTime(), b.periodEnd.getTime() - 1)),
    },
  });
  const initial = exact(b.initialBalance);
  const finalBalance = initial.plus(perf.totalPnl);
  const years = (b.periodEnd.getTime() - b.periodStart.getTime()) / (365.25 * DAY_MS);
  const totalReturn = divideRounded(perf.totalPnl, initial).toNumber();
  const cagr =
    years > 0 && finalBalance.gt(0)
      ? divideRounded(finalBalance, initial).toNumber() ** (1 / years) - 1
      : null;
  const given = b.result;
  return {
    totalReturn: given.totalReturn ?? totalReturn,
    cagr: given.cagr ?? (cagr !== null && Number.isFinite(cagr) ? cagr : null),
    sharpe: given.sharpe ?? perf.sharpe,
    sortino: given.sortino ?? perf.sortino,
    maxDrawdown: perf.maxDrawdown,
    winRate: perf.winRate,
    profitFactor: perf.profitFactor,
    tradeCount: b.trades.length,
    finalBalance,
    netProfit: perf.totalPnl,
    metrics: {
      ...(given.metrics ?? {}),
      computed: {
        closedTrades: perf.tradeCount,
        openTrades: b.trades.length - perf.tradeCount,
        winCount: perf.winCount,
        lossCount: perf.lossCount,
        grossProfit: perf.grossProfit.toFixed(),
        grossLoss: perf.grossLoss.toFixed(),
        expectancy: perf.expectancy?.toFixed() ?? null,
        avgRMultiple: perf.avgRMultiple?.toFixed() ?? null,
      },
    },
    equityCurve: given.equityCurve ?? equityCurveOf(b, closed),
  };
}

/** Validates a backtest; the parsed form is what `writeBacktest` takes. */
export function parseBacktest(input: BacktestInput, what = 'recordBacktest'): ParsedBacktest {
  return parseInput(BacktestInput, input, what);
}

/**
 * Writes a parsed backtest inside the caller's transaction `em`: assets of its trades (created
 * on first use), the run, its result and its trades. Nothing is committed here.
 */
export async function writeBacktest(
  store: Store,
  em: EntityManager,
  b: ParsedBacktest,
): Promise<RecordedBacktest> {
  // ensureAsset on the transaction's connection, so new assets commit (or roll back) with the run.
  const inTransaction: Store = { ...store, kysely: em.getKysely() };
  const assetIds = new Map<string, number>();
  for (const t of b.trades) {
    const venue = t.venue ?? b.venue;
    const key = `${venue}\u0000${t.symbol}`;
    if (!assetIds.has(key)) {
      const kind = t.symbol.includes(':') ? 'future' : undefined;
      assetIds.set(
        key,
        await ensureAsset(inTransaction, { symbol: t.symbol, venue, ...(kind ? { kind } : {}) }),
      );
    }
  }
  const pnlRs = b.trades.map(rMultiple);
  const result = resultOf(b, pnlRs);
  const run = em.create(BacktestRun, {
    strategy: b.strategyId,
    strategyVersion: b.strategyVersionId ?? null,
    name: b.name,
    assets: b.assets ?? [...new Set(b.trades.map((t) => t.symbol))],
    timeframe: b.timeframe as Timeframe,
    periodStart: b.periodStart,
    periodEnd: b.periodEnd,
    initialBalance: b.initialBalance,
    feeModel: (b.feeModel as BacktestFeeModel | null | undefined) ?? null,
    parameters: { ...(b.parameters ?? {}), ...(b.testMode ? { testMode: true } : {}) },
    status: b.status as BacktestStatus,
    error: b.error ?? null,
    startedAt: b.startedAt ?? null,
    finishedAt: b.finishedAt ?? null,
    botVersion: b.botVersion ?? null,
  });
  const resultRow = em.create(BacktestResult, { run, ...result });
  await em.flush();
  // Trades go in as multi-row inserts (the unit of work costs ~0.5 ms and ~35 KB per entity,
  // which a 20,000-trade backtest feels), still through the entity metadata for column types.
  const now = new Date();
  const rows = b.trades.map((t, i) => ({
    portfolio: null,
    strategy: b.strategyId,
    asset: assetIds.get(`${t.venue ?? b.venue}\u0000${t.symbol}`)!,
    direction: t.direction,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice ?? null,
    entryTime: t.entryTime,
    exitTime: t.exitTime ?? null,
    quantity: t.quantity,
    stopLoss: t.stopLoss ?? null,
    takeProfit: t.takeProfit ?? null,
    fees: t.fees ?? ZERO,
    pnl: t.pnl ?? null,
    pnlR: pnlRs[i] ?? null,
    outcome: t.exitTime != null ? outcomeOf(t.pnl!) : ('open' as const),
    reasoning: t.reasoning ?? null,
    confidence: t.confidence ?? null,
    isBacktest: true,
    backtestRun: run.id,
    externalRef: t.externalRef ?? null,
    testMode: b.testMode,
    botVersion: b.botVersion ?? null,
    createdAt: now,
    updatedAt: now,
  }));
  for (let i = 0; i < rows.length; i += TRADE_BATCH) {
    await em.insertMany(Trade, rows.slice(i, i + TRADE_BATCH));
  }
  return { runId: run.id, resultId: resultRow.id, tradeCount: b.trades.length, netProfit: result.netProfit };
}

/** Stores a backtest (run, result, trades) in one transaction. */
export async function recordBacktest(store: Store, input: BacktestInput): Promise<RecordedBacktest> {
  const b = parseBacktest(input);
  return store.em().transactional((em) => writeBacktest(store, em as EntityManager, b));
}

export interface BacktestView {
  run: BacktestRun;
  result: BacktestResult | null;
  /** The run's trades, production and test counted apart. */
  trades: ScopeCounts;
  testMode: boolean;
}

const isTestRun = (run: BacktestRun) => (run.parameters as { testMode?: unknown } | null)?.testMode === true;

/** The run, its result and its trade counts; null when there is no such run. */
export async function getBacktest(store: Store, runId: number): Promise<BacktestView | null> {
  const id = parseInput(idInput, runId, 'getBacktest runId');
  const em = store.em();
  const run = await em.findOne(BacktestRun, { id });
  if (!run) return null;
  const result = await em.findOne(BacktestResult, { run: id });
  const production = await em.count(Trade, { backtestRun: id, testMode: false });
  const test = await em.count(Trade, { backtestRun: id, testMode: true });
  return { run, result, trades: { production, test }, testMode: isTestRun(run) };
}

const BacktestQuery = z
  .object({
    strategyId: idInput.optional(),
    status: z.enum(BACKTEST_STATUSES).optional(),
    includeTest: z.boolean().default(false),
    limit: limitInput(10_000, 100),
  })
  .strict();

/** Runs newest first, production runs only unless `includeTest`. */
export async function listBacktests(
  store: Store,
  options: z.input<typeof BacktestQuery> = {},
): Promise<BacktestRun[]> {
  const q = parseInput(BacktestQuery, options, 'listBacktests');
  const filter: Record<string, unknown> = {};
  if (q.strategyId) filter.strategy = q.strategyId;
  if (q.status) filter.status = q.status;
  const out: BacktestRun[] = [];
  const em = store.em();
  // The test flag lives in the parameters JSON (backtest_runs has no test_mode column): filter in
  // TypeScript, a page at a time.
  for (let offset = 0; ; offset += 500) {
    const rows = await em.find(BacktestRun, filter as FilterQuery<BacktestRun>, {
      orderBy: { createdAt: 'desc', id: 'desc' },
      limit: 500,
      offset,
    });
    for (const run of rows) {
      if (!q.includeTest && isTestRun(run)) continue;
      out.push(run);
      if (out.length >= q.limit) return out;
    }
    if (rows.length < 500) return out;
  }
}

/** The run's trades by entry time; production trades only unless `includeTest`. */
export async function listBacktestTrades(
  store: Store,
  runId: number,
  options: { includeTest?: boolean } = {},
): Promise<Trade[]> {
  const q = parseInput(
    z.object({ runId: idInput, includeTest: z.boolean().default(false) }).strict(),
    { runId, ...options },
    'listBacktestTrades',
  );
  const filter: Record<string, unknown> = { backtestRun: q.runId, isBacktest: true };
  if (!q.includeTest) filter.testMode = false;
  return store.em().find(Trade, filter as FilterQuery<Trade>, { orderBy: { entryTime: 'asc', id: 'asc' } });
}

/** Deletes a run; its result and trades go with it (cascade). */
export async function deleteBacktest(store: Store, runId: number): Promise<void> {
  const id = parseInput(idInput, runId, 'deleteBacktest runId');
  const removed = await store.em().transactional((em) => em.nativeDelete(BacktestRun, { id }));
  if (removed === 0) throw new NotFoundError(`backtest run ${id} does not exist`);
}

/** Half-even rounding to a column's scale, for importers whose source has more digits (floats). */
export function roundToScale(value: Decimal, scale: number): Decimal {
  return exact(value).toDecimalPlaces(scale, Decimal.ROUND_HALF_EVEN);
}

/**
 * Runs newest first, a keyset page; production runs only unless `includeTest`. The test flag is in
 * the parameters JSON, so rows are read in chunks below the cursor until the page is full.
 */
export async function pageBacktests(
  store: Store,
  query: Keyset & { strategyId?: number | undefined; includeTest?: boolean | undefined },
): Promise<Page<BacktestRun>> {
  const filter: Record<string, unknown> = query.strategyId ? { strategy: query.strategyId } : {};
  const em = store.em();
  const kept: BacktestRun[] = [];
  let before = query.beforeId;
  for (;;) {
    const chunk = await entityPage(em, BacktestRun, filter, { limit: 500, beforeId: before }, (r) => r);
    for (const run of chunk.items) if (query.includeTest || !isTestRun(run)) kept.push(run);
    if (kept.length > query.limit || chunk.nextBeforeId === null) break;
    before = chunk.nextBeforeId;
  }
  return cutPage(
    kept,
    query,
    (r) => r.id,
    (rows) => rows,
  );
}

/** A run's trades newest first, a keyset page; production trades only unless `includeTest`. */
export async function pageBacktestTrades(
  store: Store,
  runId: number,
  query: Keyset & { includeTest?: boolean | undefined },
): Promise<Page<Trade>> {
  const filter: Record<string, unknown> = { backtestRun: runId, isBacktest: true };
  if (!query.includeTest) filter.testMode = false;
  return entityPage(store.em(), Trade, filter, query, (t) => t);
}
