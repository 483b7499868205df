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
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import {
  BACKTEST_STATUSES,
  type BacktestFeeModel,
  type BacktestStatus,
  type EquityPoint,
} from '../entities/backtest-tables.ts';
import { DIRECTIONS, TIMEFRAMES, type Timeframe } from '../entities/common.ts';
import { trades, type TradeView } from '../execution/trades.ts';
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
import { ensureAssetIn } from '../marketdata/assets.ts';
import { divideRounded, exact, ZERO } from '../trading/exact.ts';
import { type ClosedTrade, computePerformance } from '../trading/performance-metrics.ts';
import {
  cutPage,
  defineSelect,
  type Keyset,
  type Page,
  productionUnless,
  scopeCounts,
  selectViews,
  tablePage,
  Where,
} from '../db/listing.ts';
import type { NewRow } from '../db/table.ts';
import { type BacktestResultView, backtestResults, type BacktestRunView, backtestRuns } from './run-rows.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';

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

/** The ids of the trades' assets by venue and symbol, created on first use in the caller's transaction. */
async function assetsOf(store: Store, tx: Tx, b: ParsedBacktest): Promise<Map<string, number>> {
  const assetIds = new Map<string, number>();
  for (const t of b.trades) {
    const venue = t.venue ?? b.venue;
    const key = `${venue}\u0000${t.symbol}`;
    if (!assetIds.has(key)) {
      const kind = t.symbol.includes(':') ? 'future' : undefined;
      assetIds.set(
        key,
        await ensureAssetIn(store, tx, { symbol: t.symbol, venue, ...(kind ? { kind } : {}) }),
      );
    }
  }
  return assetIds;
}

/** The run's trades as `trades` rows: closed ones with their outcome, the run's provenance. */
function tradeRows(
  b: ParsedBacktest,
  runId: number,
  assetIds: ReadonlyMap<string, number>,
  pnlRs: ReadonlyArray<Decimal | null>,
): Array<NewRow<TradeView>> {
  const now = new Date();
  return b.trades.map((t, i) => ({
    portfolioId: null,
    strategyId: b.strategyId,
    signalId: null,
    tradeIdeaId: null,
    assetId: assetIds.get(`${t.venue ?? b.venue}\u0000${t.symbol}`)!,
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
    entryValue: null,
    exitQuantity: null,
    exitValue: null,
    outcome: t.exitTime != null ? outcomeOf(t.pnl!) : 'open',
    reasoning: t.reasoning ?? null,
    confidence: t.confidence ?? null,
    isBacktest: true,
    backtestRunId: runId,
    externalRef: t.externalRef ?? null,
    testMode: b.testMode,
    botVersion: b.botVersion ?? null,
    createdAt: now,
    updatedAt: now,
  }));
}

/**
 * Writes a parsed backtest inside the caller's transaction: assets of its trades (created on first
 * use), the run, its result and its trades. Nothing is committed here.
 */
export async function writeBacktest(store: Store, tx: Tx, b: ParsedBacktest): Promise<RecordedBacktest> {
  const assetIds = await assetsOf(store, tx, b);
  const pnlRs = b.trades.map(rMultiple);
  const result = resultOf(b, pnlRs);
  const run = await backtestRuns.insert(tx, {
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
    createdAt: new Date(),
  });
  const resultRow = await backtestResults.insert(tx, { run: run.id, ...result, createdAt: new Date() });
  await trades.insertMany(tx, tradeRows(b, run.id, assetIds, pnlRs));
  return { runId: run.id, resultId: resultRow.id, tradeCount: b.trades.length, netProfit: result.netProfit };
}

/** Stores a backtest (run, result, trades) in one transaction. */
export async function recordBacktest(store: Store, input: BacktestInput): Promise<RecordedBacktest> {
  const b = parseBacktest(input);
  return inTransaction(store, (tx) => writeBacktest(store, tx, b));
}

export type { BacktestResultView, BacktestRunView } from './run-rows.ts';

export interface BacktestView {
  run: BacktestRunView;
  result: BacktestResultView | null;
  /** The run's trades, production and test counted apart. */
  trades: ScopeCounts;
  testMode: boolean;
}

const isTestRun = (run: BacktestRunView) =>
  (run.parameters as { testMode?: unknown } | null)?.testMode === true;

/** The run, its result and its trade counts; null when there is no such run. */
export async function getBacktest(store: Store, runId: number): Promise<BacktestView | null> {
  const id = parseInput(idInput, runId, 'getBacktest runId');
  return reading(store, async (tx) => {
    const run = await tx.get('select * from backtest_runs where id = ?', [id]);
    if (!run) return null;
    const result = await tx.get('select * from backtest_results where run_id = ?', [id]);
    const counts = await scopeCounts(tx, 'trades', new Where().add('backtest_run_id = ?', id));
    const view = backtestRuns.fromRow(run);
    return {
      run: view,
      result: result ? backtestResults.fromRow(result) : null,
      trades: counts,
      testMode: isTestRun(view),
    };
  });
}

/**
 * Runs newest first, production runs only unless `includeTest`. The test flag lives in the
 * parameters JSON (backtest_runs has no test_mode column), so it is checked in TypeScript.
 */
export const listBacktests = defineSelect(backtestRuns, {
  query: z
    .object({
      strategyId: idInput.optional(),
      status: z.enum(BACKTEST_STATUSES).optional(),
      includeTest: z.boolean().default(false),
      limit: limitInput(10_000, 100),
    })
    .strict(),
  what: 'listBacktests',
  filter: (q) =>
    new Where().when(q.strategyId, 'strategy_id = ?', q.strategyId).when(q.status, 'status = ?', q.status),
  orderBy: 'created_at desc, id desc',
  keep: (q) => (q.includeTest ? undefined : (run) => !isTestRun(run)),
});

/** The run's trades by entry time; production trades only unless `includeTest`. */
export async function listBacktestTrades(
  store: Store,
  runId: number,
  options: { includeTest?: boolean } = {},
): Promise<TradeView[]> {
  const q = parseInput(
    z.object({ runId: idInput, includeTest: z.boolean().default(false) }).strict(),
    { runId, ...options },
    'listBacktestTrades',
  );
  return reading(store, (tx) =>
    selectViews(tx, trades, {
      filter: productionUnless(tx, q.includeTest, runTrades(tx, q.runId)),
      orderBy: 'entry_time asc, id asc',
    }),
  );
}

const runTrades = (tx: Tx, runId: number) =>
  new Where().add('backtest_run_id = ?', runId).add('is_backtest = ?', tx.bool(true));

/** Deletes a run; its result and trades go with it (cascade). */
export async function deleteBacktest(store: Store, runId: number): Promise<void> {
  const id = parseInput(idInput, runId, 'deleteBacktest runId');
  const removed = await inTransaction(store, (tx) => tx.run('delete from backtest_runs where id = ?', [id]));
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
): Promise<Page<BacktestRunView>> {
  const filter = new Where().when(query.strategyId, 'strategy_id = ?', query.strategyId);
  const kept: BacktestRunView[] = [];
  let before = query.beforeId;
  for (;;) {
    const chunk = await tablePage(store, backtestRuns, filter, { limit: 500, beforeId: before });
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
): Promise<Page<TradeView>> {
  return tablePage(
    store,
    trades,
    (tx) => productionUnless(tx, query.includeTest, runTrades(tx, runId)),
    query,
  );
}
