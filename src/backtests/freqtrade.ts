/**
 * Import of a freqtrade backtest result (`backtest-result-*.json`): `strategy.<name>` blocks with
 * `trades[]` and freqtrade's metrics, plus `strategy_comparison` and `metadata`.
 *
 * - One backtest run per strategy; the strategy row is created on first use (source_type `code`).
 * - Every trade becomes a `trades` row (is_backtest, the run's id). `pnl` is the trade's
 *   `profit_abs` exactly as written in the file (numbers are parsed from their source text, never
 *   through a float). Prices, quantity and stop are rounded half-even to the column scale (18
 *   places) when the file has more digits (freqtrade writes floats); fees are derived from the fee
 *   rates (entry value × fee_open + exit value × fee_close, 36 places). A trade with close data is
 *   stored closed even if freqtrade flagged it `is_open` (left open at the end and valued there, as
 *   freqtrade's totals do); that fact is kept in `reasoning` with the exit reason and entry tag.
 * - Assets via ensureAsset: venue = `options.venue`, else the exchange named in the file
 *   (`config.exchange.name` or the strategy's `exchange`), else 'freqtrade'.
 * - The result row's columns are recomputed from the trades (src/backtests/runs.ts); freqtrade's
 *   own figures are kept verbatim in `metrics` (the strategy block without its trades, plus its
 *   `strategy_comparison` row and `metadata`).
 * - Idempotent: each run stores an import key (sha256 of strategy, timeframe, period and the
 *   trades' canonical values) in its parameters; a strategy whose key is already stored is reported
 *   as "already imported" and not written again.
 * - One transaction per file: all strategies or none. Errors name the file and the JSON path.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { TIMEFRAMES } from '../entities/common.ts';
import { json } from '../db/column-values.ts';
import { inTransaction, type Tx } from '../db/transaction.ts';
import { ensureStrategyIn } from '../strategies/strategies.ts';
import { MONEY_SCALE } from '../entities/types/decimal.ts';
import { MalformedInputError } from '../input/errors.ts';
import { describeIssues, parseInput } from '../input/parse.ts';
import { exact, ZERO } from '../trading/exact.ts';
import { JsonNumber, parseJsonLossless, toPlainJson } from './lossless-json.ts';
import {
  type BacktestInput,
  type BacktestTradeInput,
  type ParsedBacktest,
  parseBacktest,
  roundToScale,
  writeBacktest,
} from './runs.ts';

/** The file is not a freqtrade backtest result tradestore can read; nothing was written. */
export class FreqtradeFormatError extends MalformedInputError {
  override name = 'FreqtradeFormatError';
}

// ---- the file's shape (only what the import reads is checked; everything else is kept as is) ----

const jsonNumber = z
  .union([z.instanceof(JsonNumber), z.number()], { message: 'expected a number' })
  .transform((v) => (v instanceof JsonNumber ? v.text : String(v)));

const jsonDecimal = jsonNumber.transform((text, ctx) => {
  const d = exact(text);
  if (!d.isFinite()) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a finite number` });
    return z.NEVER;
  }
  return d;
});

const epochMs = jsonNumber.transform((text, ctx) => {
  const ms = Math.round(Number(text));
  if (!Number.isSafeInteger(ms)) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not an epoch timestamp in milliseconds` });
    return z.NEVER;
  }
  return ms;
});

/** freqtrade writes dates as "2018-01-10 07:15:00+00:00" (UTC when no offset is given). */
const dateText = z.string().transform((text, ctx) => {
  const iso = text.trim().replace(' ', 'T');
  const d = new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) ? iso : `${iso}Z`);
  if (Number.isNaN(d.getTime())) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a date` });
    return z.NEVER;
  }
  return d.getTime();
});

const positive = (d: Decimal) => d.gt(0);

const ftTrade = z
  .object({
    pair: z.string().trim().min(1).max(64),
    open_timestamp: epochMs.optional(),
    open_date: dateText.optional(),
    close_timestamp: epochMs.nullish(),
    close_date: dateText.nullish(),
    open_rate: jsonDecimal.refine(positive, 'must be > 0'),
    close_rate: jsonDecimal.refine(positive, 'must be > 0').nullish(),
    amount: jsonDecimal.refine(positive, 'must be > 0'),
    profit_abs: jsonDecimal,
    fee_open: jsonDecimal.nullish(),
    fee_close: jsonDecimal.nullish(),
    is_short: z.boolean().nullish(),
    is_open: z.boolean().nullish(),
    exit_reason: z.string().nullish(),
    enter_tag: z.string().nullish(),
    initial_stop_loss_abs: jsonDecimal.nullish(),
  })
  .loose()
  .superRefine((t, ctx) => {
    if (t.open_timestamp === undefined && t.open_date === undefined) {
      ctx.addIssue({ code: 'custom', path: ['open_timestamp'], message: 'required (or open_date)' });
    }
  });

const ftStrategy = z
  .object({
    trades: z.array(ftTrade),
    timeframe: z.enum(TIMEFRAMES, { message: `accepted timeframes: ${TIMEFRAMES.join(', ')}` }),
    starting_balance: jsonDecimal.refine(positive, 'must be > 0').optional(),
    dry_run_wallet: jsonDecimal.refine(positive, 'must be > 0').optional(),
    backtest_start_ts: epochMs.optional(),
    backtest_end_ts: epochMs.optional(),
    backtest_run_start_ts: z.unknown().optional(),
    backtest_run_end_ts: z.unknown().optional(),
    pairlist: z.array(z.string()).optional(),
    timerange: z.string().nullish(),
    profit_total_abs: jsonDecimal.optional(),
    exchange: z.unknown().optional(),
  })
  .loose();

const ftFile = z
  .object({
    strategy: z
      .record(z.string().min(1).max(255), ftStrategy)
      .refine((s) => Object.keys(s).length > 0, 'holds no strategy'),
    strategy_comparison: z.array(z.object({ key: z.string() }).loose()).optional(),
    metadata: z.record(z.string(), z.unknown()).optional(),
    config: z.unknown().optional(),
  })
  .loose();

type FtStrategy = z.output<typeof ftStrategy>;
type FtTrade = z.output<typeof ftTrade>;

// ---- options and result ----

const FreqtradeImportOptionsInput = z
  .object({
    /** Venue of the pairs' assets; default: the exchange named in the file, else 'freqtrade'. */
    venue: z.string().trim().min(1).max(64).optional(),
    /** Write the trades in test mode (hidden from production reads). */
    testMode: z.boolean().default(false),
    botVersion: z.string().trim().min(1).max(64).optional(),
    /** Name for the runs; default "<strategy> <timeframe> <start>..<end>". */
    name: z.string().trim().min(1).max(200).optional(),
    /** Import only these strategies of the file. */
    strategies: z.array(z.string().min(1)).min(1).optional(),
    /** How to name the input in messages when it is already-parsed JSON. */
    fileName: z.string().min(1).optional(),
  })
  .strict();

export type FreqtradeImportOptions = z.input<typeof FreqtradeImportOptionsInput>;

export interface FreqtradeRunSummary {
  strategy: string;
  strategyId: number;
  runId: number;
  status: 'imported' | 'already imported';
  trades: number;
  /** Sum of the stored trades' pnl (= Σ profit_abs), exact. */
  pnl: string;
  /** freqtrade's own profit_total_abs (its float sum), for comparison. */
  fileProfitTotalAbs: string | null;
}

export interface FreqtradeImportResult {
  file: string;
  venue: string;
  runs: FreqtradeRunSummary[];
  /** Trades written by this import (0 when everything was already imported). */
  tradesImported: number;
}

// ---- mapping ----

function venueOf(file: z.output<typeof ftFile>, block: FtStrategy): string | undefined {
  const named = (v: unknown): string | undefined => {
    if (typeof v === 'string' && v.trim()) return v.trim();
    if (v && typeof v === 'object' && typeof (v as { name?: unknown }).name === 'string') {
      return ((v as { name: string }).name || '').trim() || undefined;
    }
    return undefined;
  };
  const config = file.config as { exchange?: unknown } | undefined;
  return named(config?.exchange) ?? named(block.exchange);
}

function runTime(value: unknown): Date | null {
  if (value instanceof JsonNumber) value = Number(value.text);
  if (typeof value === 'number' && Number.isFinite(value))
    return new Date(value < 1e11 ? value * 1000 : value);
  if (typeof value === 'string') {
    const parsed = dateText.safeParse(value);
    if (parsed.success) return new Date(parsed.data);
  }
  return null;
}

const openMs = (t: FtTrade) => (t.open_timestamp ?? t.open_date)!;
const closeMs = (t: FtTrade) => t.close_timestamp ?? t.close_date ?? null;

function tradeInput(t: FtTrade): BacktestTradeInput {
  const close = closeMs(t);
  const closed = close !== null && t.close_rate != null;
  const quantity = roundToScale(t.amount, 18);
  const entryFee = t.open_rate.times(t.amount).times(t.fee_open ?? ZERO);
  const exitFee = closed ? t.close_rate!.times(t.amount).times(t.fee_close ?? ZERO) : ZERO;
  const notes = [
    t.exit_reason ? `exit_reason: ${t.exit_reason}` : null,
    t.enter_tag ? `enter_tag: ${t.enter_tag}` : null,
    t.is_open ? 'left open at the end of the backtest' : null,
  ].filter((n) => n !== null);
  return {
    symbol: t.pair,
    direction: t.is_short ? 'short' : 'long',
    entryPrice: roundToScale(t.open_rate, 18),
    exitPrice: closed ? roundToScale(t.close_rate!, 18) : null,
    entryTime: openMs(t),
    exitTime: closed ? close : null,
    quantity,
    fees: roundToScale(entryFee.plus(exitFee), MONEY_SCALE),
    pnl: t.profit_abs,
    stopLoss: t.initial_stop_loss_abs != null ? roundToScale(t.initial_stop_loss_abs, 18) : null,
    reasoning: notes.length ? `freqtrade ${notes.join('; ')}` : null,
    externalRef: `freqtrade:${t.pair}:${openMs(t)}`.slice(0, 255),
  };
}

/** Identity of a strategy's result, independent of formatting and of the run's name. */
function importKey(strategy: string, block: FtStrategy, start: number, end: number): string {
  const trades = block.trades.map((t) => [
    t.pair,
    openMs(t),
    closeMs(t),
    t.open_rate.toFixed(),
    t.close_rate?.toFixed() ?? null,
    t.amount.toFixed(),
    t.profit_abs.toFixed(),
    Boolean(t.is_short),
  ]);
  const canonical = JSON.stringify([strategy, block.timeframe, start, end, block.timerange ?? '', trades]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** The run's period (from the file, else from its trades) and starting balance. */
function runPeriod(block: FtStrategy, fail: (path: string, message: string) => FreqtradeFormatError) {
  const opens = block.trades.map(openMs);
  const closes = block.trades.map(closeMs).filter((c): c is number => c !== null);
  const start = block.backtest_start_ts ?? (opens.length ? Math.min(...opens) : undefined);
  const end = block.backtest_end_ts ?? (closes.length ? Math.max(...closes, ...opens) : undefined);
  if (start === undefined) throw fail('backtest_start_ts', 'required when the strategy has no trades');
  if (end === undefined) throw fail('backtest_end_ts', 'required when the strategy has no closed trades');
  if (end <= start) throw fail('backtest_end_ts', `${end} is not after backtest_start_ts ${start}`);
  const initialBalance = block.starting_balance ?? block.dry_run_wallet;
  if (!initialBalance) throw fail('starting_balance', 'required (or dry_run_wallet)');
  return { start, end, initialBalance };
}

/** The strategy's settings freqtrade ran with, kept in the run's parameters as written. */
function settingsOf(rawBlock: Record<string, unknown>) {
  const plain = (v: unknown) => toPlainJson(v) as never;
  return {
    stake_currency: plain(rawBlock.stake_currency ?? null),
    stake_amount: plain(rawBlock.stake_amount ?? null),
    max_open_trades: plain(rawBlock.max_open_trades ?? null),
    stoploss: plain(rawBlock.stoploss ?? null),
    minimal_roi: plain(rawBlock.minimal_roi ?? null),
    trailing_stop: plain(rawBlock.trailing_stop ?? null),
  };
}

/** The run validated, refusals naming the file's JSON paths where the internal field names differ. */
function parseInFileTerms(input: BacktestInput, what: string): ParsedBacktest {
  try {
    return parseBacktest(input, what);
  } catch (error) {
    throw new FreqtradeFormatError(
      (error as Error).message
        .replace(/trades\[(\d+)\]\.pnl/g, `trades[$1].profit_abs`)
        .replace(/trades\[(\d+)\]\.quantity/g, 'trades[$1].amount')
        .replace(/trades\[(\d+)\]\.entryPrice/g, 'trades[$1].open_rate')
        .replace(/trades\[(\d+)\]\.exitPrice/g, 'trades[$1].close_rate')
        .replace(/trades\[(\d+)\]\.exitTime/g, 'trades[$1].close_timestamp')
        .replace(/trades\[(\d+)\]\.fees/g, 'trades[$1].fee_open/fee_close'),
    );
  }
}

interface PlannedRun {
  strategy: string;
  key: string;
  backtest: Omit<ParsedBacktest, 'strategyId'>;
  pnl: Decimal;
  fileProfitTotalAbs: string | null;
}

function planRun(
  fileLabel: string,
  file: z.output<typeof ftFile>,
  rawFile: Record<string, unknown>,
  strategy: string,
  block: FtStrategy,
  venue: string,
  opts: z.output<typeof FreqtradeImportOptionsInput>,
): PlannedRun {
  const at = `strategy.${strategy}`;
  const fail = (path: string, message: string) =>
    new FreqtradeFormatError(`${fileLabel}: ${at}.${path}: ${message}`);
  const { start, end, initialBalance } = runPeriod(block, fail);
  const key = importKey(strategy, block, start, end);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  const name = opts.name ?? `${strategy} ${block.timeframe} ${day(start)}..${day(end)}`;
  const rawBlock = (rawFile.strategy as Record<string, Record<string, unknown>>)[strategy]!;
  const { trades: _trades, ...metricsBlock } = rawBlock;
  const comparison = file.strategy_comparison?.find((c) => c.key === strategy);
  const metadata = (file.metadata as Record<string, unknown> | undefined)?.[strategy];
  const fees = new Set(block.trades.flatMap((t) => [t.fee_open?.toFixed(), t.fee_close?.toFixed()]));
  const feeRate = fees.size === 1 ? [...fees][0] : undefined;
  const plain = (v: unknown) => toPlainJson(v) as never;

  const trades = block.trades.map(tradeInput);
  const input = {
    strategyId: 1, // replaced by the strategy's id inside the transaction
    name: name.slice(0, 255),
    assets: block.pairlist?.length ? block.pairlist : [...new Set(block.trades.map((t) => t.pair))],
    timeframe: block.timeframe,
    periodStart: start,
    periodEnd: end,
    initialBalance: exact(initialBalance),
    feeModel: (feeRate
      ? { kind: 'freqtrade', takerRate: feeRate, makerRate: feeRate }
      : { kind: 'freqtrade' }) as {
      kind: string;
    },
    parameters: {
      import: { source: 'freqtrade', file: basename(fileLabel), key },
      metadata: plain(metadata ?? null),
      ...settingsOf(rawBlock),
      timerange: block.timerange ?? null,
    },
    status: 'done' as const,
    startedAt: runTime(block.backtest_run_start_ts),
    finishedAt: runTime(block.backtest_run_end_ts),
    ...(opts.botVersion ? { botVersion: opts.botVersion } : {}),
    testMode: opts.testMode,
    venue,
    trades,
    result: {
      metrics: {
        freqtrade: plain(metricsBlock),
        strategy_comparison: plain(comparison ?? null),
      },
    },
  };
  const { strategyId: _id, ...backtest } = parseInFileTerms(input, `${fileLabel}: ${at}`);
  return {
    strategy,
    key,
    backtest,
    pnl: block.trades.reduce((acc, t) => acc.plus(t.profit_abs), ZERO),
    fileProfitTotalAbs: block.profit_total_abs?.toFixed() ?? null,
  };
}

const FREQTRADE_STRATEGY = {
  sourceType: 'code',
  sourceRef: 'freqtrade',
  description: 'freqtrade strategy, created by a backtest import',
} as const;

/** The run of `strategyId` that this import key wrote before, if any. */
async function importedRun(tx: Tx, strategyId: number, key: string): Promise<number | null> {
  const runs = await tx.all<{ id: unknown; parameters: unknown }>(
    'select id, parameters from backtest_runs where strategy_id = ?',
    [strategyId],
  );
  const run = runs.find((r) => json<{ import?: { key?: unknown } }>(r.parameters)?.import?.key === key);
  return run ? Number(run.id) : null;
}

async function importPlanned(store: Store, planned: PlannedRun[]): Promise<FreqtradeRunSummary[]> {
  return inTransaction(store, async (tx) => {
    const out: FreqtradeRunSummary[] = [];
    for (const run of planned) {
      // Locked until commit, so a concurrent import of the same strategy waits for this one.
      const strategyId = await ensureStrategyIn(tx, run.strategy, FREQTRADE_STRATEGY);
      const existing = await importedRun(tx, strategyId, run.key);
      const summary = {
        strategy: run.strategy,
        strategyId,
        pnl: run.pnl.toFixed(),
        fileProfitTotalAbs: run.fileProfitTotalAbs,
      };
      if (existing !== null) {
        const trades = await tx.get<{ n: unknown }>(
          'select count(*) as n from trades where backtest_run_id = ?',
          [existing],
        );
        out.push({ ...summary, runId: existing, status: 'already imported', trades: Number(trades!.n) });
        continue;
      }
      const written = await writeBacktest(store, tx, { ...run.backtest, strategyId });
      out.push({ ...summary, runId: written.runId, status: 'imported', trades: written.tradeCount });
    }
    return out;
  });
}

/**
 * Imports a freqtrade backtest result: a file path, or JSON already parsed (preferably with
 * `parseJsonLossless`; plain `JSON.parse` output works but its numbers have been through floats).
 */
export async function importFreqtradeBacktest(
  store: Store,
  source: string | Record<string, unknown>,
  options: FreqtradeImportOptions = {},
): Promise<FreqtradeImportResult> {
  const opts = parseInput(FreqtradeImportOptionsInput, options, 'importFreqtradeBacktest options');
  const fileLabel = typeof source === 'string' ? source : (opts.fileName ?? '<freqtrade backtest JSON>');
  let raw: unknown = source;
  if (typeof source === 'string') {
    let text: string;
    try {
      text = await readFile(source, 'utf8');
    } catch (error) {
      throw new FreqtradeFormatError(`${fileLabel}: cannot read: ${(error as Error).message}`);
    }
    try {
      raw = parseJsonLossless(text);
    } catch (error) {
      throw new FreqtradeFormatError(`${fileLabel}: not valid JSON: ${(error as Error).message}`);
    }
  }
  const parsed = ftFile.safeParse(raw);
  if (!parsed.success) {
    const issues = describeIssues(parsed.error, '(top level)');
    const shown = issues.slice(0, 10).map((i) => `${i.path}: ${i.message}`);
    if (issues.length > 10) shown.push(`… and ${issues.length - 10} more`);
    throw new FreqtradeFormatError(`${fileLabel}: not a freqtrade backtest result: ${shown.join('; ')}`);
  }
  const file = parsed.data;
  const names = Object.keys(file.strategy);
  const wanted = opts.strategies ?? names;
  for (const name of wanted) {
    if (!names.includes(name)) {
      throw new FreqtradeFormatError(
        `${fileLabel}: strategy.${name}: not in the file (it has ${names.join(', ')})`,
      );
    }
  }
  const venues = new Set<string>();
  const planned = wanted.map((name) => {
    const block = file.strategy[name]!;
    const venue = opts.venue ?? venueOf(file, block) ?? 'freqtrade';
    venues.add(venue);
    return planRun(fileLabel, file, raw as Record<string, unknown>, name, block, venue, opts);
  });
  const runs = await importPlanned(store, planned);
  return {
    file: fileLabel,
    venue: [...venues].join(', '),
    runs,
    tradesImported: runs.filter((r) => r.status === 'imported').reduce((n, r) => n + r.trades, 0),
  };
}
