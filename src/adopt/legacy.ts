/**
 * `tradestore import legacy <dir>`: the JSON and CSV files a bot kept before it had a database
 * (seed 001's collections, seed 004's settings CSVs) written through the services, so legacy trades
 * become orders and fills with positions and round trips derived by the same accounting as live
 * fills. Bad records are skipped with file, index/line and reason; good ones land; every record kind
 * has a natural key (README), so a second run imports nothing twice.
 *
 * Transactions: signals, trades and the holdings check run in ONE transaction (a savepoint per
 * record, so a refused record leaves the others); `--dry-run` runs it too and rolls it back, so its
 * report (positions compared with holdings included) is what a real run would do. The other files
 * go through their services (a strategy, a feed, a key: one transaction each; error logs and news
 * items: one transaction per file); a dry run only looks their natural keys up.
 *
 * Over 500 lines: one importer per source, its record kinds and their mapping read top to
 * bottom in one file (issue 14).
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Decimal } from 'decimal.js';
import type { Store } from '../db/store.ts';
import { placeOrderIn } from '../execution/orders.ts';
import { type Attribution, FillInput, recordFillIn } from '../execution/fills.ts';
import { OrderInput } from '../execution/orders.ts';
import { recordSignalIn, SignalInput } from '../execution/signals.ts';
import { int } from '../db/column-values.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { InvalidInputError, RefusedError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { ensureAssetIn } from '../marketdata/assets.ts';
import { recordNewsItems, newsDedupKey } from '../news/items.ts';
import { registerNewsFeed } from '../news/feeds.ts';
import { setBotStatus } from '../operations/bot-status.ts';
import { recordErrorLogs } from '../operations/error-logs.ts';
import { loadOpenPositions, type PositionView } from '../portfolios/positions.ts';
import { getRiskConfig, type RiskConfigPatch, setGlobalRiskConfig } from '../portfolios/risk-configs.ts';
import { recomputePerformance } from '../strategies/strategy-performance.ts';
import { registerStrategy } from '../strategies/strategies.ts';
import { LegacyFileError, readRecords, type SourceRecord } from './files.ts';
import { FieldError } from './fields.ts';
import {
  LEGACY_KINDS,
  type LegacyKind,
  type LegacySignal,
  type LegacyTrade,
  legacyBotStatus,
  legacyErrorLog,
  legacyFeed,
  legacyHolding,
  legacyNewsItem,
  legacyPerformance,
  legacyRiskConfig,
  legacySignal,
  legacyStrategy,
  legacyTrade,
  tradeContent,
  tradeOrderKey,
} from './legacy-records.ts';
import { ensureImportPortfolio, findPortfolioByName } from './portfolio.ts';
import { type FileReport, fileReport, skip } from './report.ts';
import { DEFAULT_TEST_DATA_RULES, type TestDataRules, testDataReason } from './test-data-rules.ts';

export interface LegacyImportOptions {
  /** Portfolio name; created (paper, initial balance `initialBalance`) when missing. Default `legacy`. */
  portfolio?: string;
  /** Email of the portfolio's owner (default: the first admin, else the only user). */
  owner?: string;
  rules?: TestDataRules;
  dryRun?: boolean;
  /** Venue of the assets the symbols become (default `default`). */
  venue?: string;
  /** Initial balance of a portfolio this import creates (default 0). */
  initialBalance?: string;
  baseCurrency?: string;
  /** Called after each signal and trade record (the long part), with how many there are. */
  onProgress?: (done: number, total: number) => void;
}

export interface LegacyImportResult {
  dryRun: boolean;
  portfolio: { id: number | null; name: string; created: boolean };
  files: FileReport[];
  /** Files in the directory that are not legacy files (left alone). */
  ignored: string[];
}

interface LegacyFile {
  kind: LegacyKind;
  name: string;
  records: SourceRecord[];
  report: FileReport;
}

const DryRun = Symbol('dry run');

export async function importLegacy(
  store: Store,
  dir: string,
  options: LegacyImportOptions = {},
): Promise<LegacyImportResult> {
  if (!existsSync(dir)) throw new LegacyFileError(`${dir}: no such directory`);
  const rules = options.rules ?? DEFAULT_TEST_DATA_RULES;
  const dryRun = options.dryRun === true;
  const { files, ignored } = await readLegacyDir(dir);
  const of = (kind: LegacyKind) => files.filter((f) => f.kind === kind);
  const portfolio = await targetPortfolio(store, dir, options, of);

  // Names a dry run would register: later files (performance) treat them as present.
  const strategyNames = new Set<string>();
  for (const f of [...of('strategy_definitions'), ...of('strategies')]) {
    await importStrategies(store, f, dryRun, strategyNames);
  }
  for (const f of of('risk_config')) await importRiskConfig(store, f, dryRun);
  const trading = [...of('signals'), ...of('trades'), ...of('holdings')];
  if (trading.length > 0) {
    if (portfolio.id === null) {
      for (const f of trading) {
        f.report.differences.push(
          `not replayed: portfolio "${portfolio.name}" does not exist yet, and a dry run creates nothing`,
        );
      }
    } else {
      await importTrading(
        store,
        portfolio.id,
        options.venue ?? 'default',
        rules,
        of,
        dryRun ? strategyNames : null,
        options.onProgress,
      );
    }
  }
  for (const f of of('strategy_performance')) {
    await importPerformance(store, f, portfolio.id, dryRun ? strategyNames : null);
  }
  for (const f of of('error_logs')) await importErrorLogs(store, f, rules, dryRun);
  for (const f of of('rss_feeds')) await importFeeds(store, f, dryRun);
  for (const f of of('seen_news')) await importNews(store, f, dryRun);
  for (const f of of('bot_status')) await importBotStatus(store, f, dryRun);

  listProblemsInFileOrder(files);
  return { dryRun, portfolio, files: files.map((f) => f.report), ignored };
}

/**
 * The directory's legacy files, read (each unreadable record already skipped in its report), in
 * the order of LEGACY_KINDS; the other files are ignored. A directory without one is refused.
 */
async function readLegacyDir(dir: string): Promise<{ files: LegacyFile[]; ignored: string[] }> {
  const names = readdirSync(dir).sort();
  const files: LegacyFile[] = [];
  for (const kind of LEGACY_KINDS) {
    for (const ext of ['.json', '.csv']) {
      const name = `${kind}${ext}`;
      if (!names.includes(name)) continue;
      files.push({ kind, name, records: await readRecords(join(dir, name)), report: fileReport(name) });
    }
  }
  const known = new Set(files.map((f) => f.name));
  const ignored = names.filter((n) => !known.has(n));
  if (files.length === 0) {
    throw new LegacyFileError(
      `${dir}: no legacy files (${LEGACY_KINDS.map((k) => `${k}.json|csv`).join(', ')})`,
    );
  }
  for (const f of files) {
    f.report.read = f.records.length;
    for (const r of f.records) if (r.problem) skip(f.report, r.at, r.problem);
  }
  return { files, ignored };
}

/**
 * The portfolio signals, trades and holdings go to: created when missing, except by a dry run,
 * which only looks it up (id null when it does not exist yet). None without such files.
 */
async function targetPortfolio(
  store: Store,
  dir: string,
  options: LegacyImportOptions,
  of: (kind: LegacyKind) => LegacyFile[],
): Promise<LegacyImportResult['portfolio']> {
  const name = options.portfolio ?? 'legacy';
  const needsPortfolio = of('signals').length + of('trades').length + of('holdings').length > 0;
  if (!needsPortfolio) return { id: null, name, created: false };
  if (options.dryRun === true) {
    const found = await findPortfolioByName(store, name, options.owner);
    return { id: found?.id ?? null, name, created: false };
  }
  const ensured = await ensureImportPortfolio(store, {
    name,
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    description: `imported from legacy files in ${dir}`,
    initialBalance: options.initialBalance ?? '0',
    baseCurrency: options.baseCurrency ?? 'USD',
  });
  return { id: ensured.portfolio.id, name, created: ensured.created };
}

/** Trades are replayed in time order: list each file's problems in file order again. */
function listProblemsInFileOrder(files: LegacyFile[]): void {
  const position = (at: string) => Number(/\d+/.exec(at)?.[0] ?? 0);
  for (const f of files) f.report.problems.sort((a, b) => position(a.at) - position(b.at));
}

/** A record read and mapped: where it is, its raw fields (for the test-data rules), its service input. */
interface MappedRecord<T> {
  at: string;
  raw: Record<string, unknown>;
  value: T;
}

/** Each good record mapped, each bad one skipped with its reason. */
function mapped<T>(f: LegacyFile, map: (r: Record<string, unknown>) => T): Array<MappedRecord<T>> {
  const out: Array<MappedRecord<T>> = [];
  for (const r of f.records) {
    if (r.value === null) continue;
    try {
      out.push({ at: r.at, raw: r.value, value: map(r.value) });
    } catch (error) {
      skip(f.report, r.at, reasonOf(error));
    }
  }
  return out;
}

/** A refusal's message (the record is skipped); anything else is a failure and propagates. */
function reasonOf(error: unknown): string {
  if (error instanceof RefusedError) return error.message;
  throw error;
}

/** The record's own test_mode, else the rules', else production. */
function testModeOf(
  rules: TestDataRules,
  kind: string,
  raw: Record<string, unknown>,
  explicit: boolean | undefined,
) {
  return explicit ?? testDataReason(rules, kind, raw) !== null;
}

// ---- strategies, risk config --------------------------------------------------------------------

async function importStrategies(
  store: Store,
  f: LegacyFile,
  dryRun: boolean,
  seen: Set<string>,
): Promise<void> {
  const fresh = await newRecords(store, f, mapped(f, legacyStrategy), {
    key: (s) => s.name,
    sql: 'select id from strategies where name = ?',
    seen,
  });
  for (const { at, value } of fresh) await writeOne(f, at, dryRun, () => registerStrategy(store, value));
}

const RISK_FIELDS = [
  'aiTradingEnabled',
  'minConfidenceThreshold',
  'maxLotSize',
  'maxConcurrentTrades',
  'dailyProfitTarget',
  'stopAfterTarget',
  'maxDrawdownAmount',
  'haltOnDrawdown',
  'allowOffWatchlistAutotrade',
] as const;

function sameValue(stored: unknown, given: unknown): boolean {
  if (stored === null || stored === undefined) return given === null || given === undefined;
  if (Decimal.isDecimal(stored)) return given !== undefined && given !== null && stored.eq(String(given));
  return stored === given;
}

/** The global risk config, unless one exists: tradestore never overwrites a control panel it did not write. */
async function importRiskConfig(store: Store, f: LegacyFile, dryRun: boolean): Promise<void> {
  const rows = mapped(f, legacyRiskConfig);
  for (const extra of rows.slice(1))
    skip(f.report, extra.at, 'risk_config holds one global row: only the first is imported');
  const first = rows[0];
  if (!first) return;
  const patch: RiskConfigPatch = first.value;
  const stored = await getRiskConfig(store);
  if (stored) {
    const differs = RISK_FIELDS.filter((k) => k in patch && !sameValue(stored[k], patch[k]));
    if (differs.length === 0) f.report.alreadyPresent += 1;
    else {
      skip(
        f.report,
        first.at,
        `the global risk config already exists and differs in ${differs
          .map((k) => `${k} (stored ${String(stored[k])}, file ${String(patch[k])})`)
          .join(', ')}; change it with the risk-config services if the file is right`,
      );
    }
    return;
  }
  try {
    if (!dryRun) await setGlobalRiskConfig(store, patch);
    f.report.imported += 1;
  } catch (error) {
    skip(f.report, first.at, reasonOf(error));
  }
}

// ---- signals, trades, holdings: one transaction -------------------------------------------------

async function importTrading(
  store: Store,
  portfolioId: number,
  venue: string,
  rules: TestDataRules,
  of: (kind: LegacyKind) => LegacyFile[],
  /** On a dry run: the strategies it would have registered (trades may name them). */
  dryRunStrategies: Set<string> | null,
  onProgress: LegacyImportOptions['onProgress'],
): Promise<void> {
  const strategyIds = new Map(
    (
      await reading(store, (tx) => tx.all<{ id: unknown; name: unknown }>('select id, name from strategies'))
    ).map((r) => [String(r.name), int(r.id)]),
  );
  const work = async (tx: Tx) => {
    // Not cached: an asset created under a record's savepoint is gone again when that record is
    // refused, and the next record of the symbol must create it anew.
    const asset = (symbol: string) => ensureAssetIn(store, tx, { symbol, venue });
    const total = [...of('signals'), ...of('trades')].reduce((n, f) => n + f.records.length, 0);
    let done = 0;
    const replay: Replay = {
      tx,
      portfolioId,
      rules,
      asset,
      signalIds: new Map(),
      strategyIds,
      pendingStrategies: dryRunStrategies ?? new Set(),
      progress: () => onProgress?.((done += 1), total),
    };
    for (const f of of('signals')) await importSignals(replay, f);
    for (const f of of('trades')) await importTrades(replay, f);
    for (const f of of('holdings')) await compareHoldings(replay, f);
    if (dryRunStrategies !== null) throw DryRun;
  };
  try {
    await inTransaction(store, work);
  } catch (error) {
    if (error !== DryRun) throw error;
  }
}

/** What the signals, trades and holdings steps share inside their one transaction. */
interface Replay {
  tx: Tx;
  portfolioId: number;
  rules: TestDataRules;
  /** The asset of a symbol on the import's venue, created in this transaction when new. */
  asset(symbol: string): Promise<number>;
  /** Legacy signal `id` → the signal it became (trades link to it by `signal_id`). */
  signalIds: Map<string, number>;
  /** Strategy name → id (trades name their strategy). */
  strategyIds: Map<string, number>;
  /** Strategies a dry run would have registered first: a trade naming one is not refused. */
  pendingStrategies: Set<string>;
  /** One more signal or trade record handled. */
  progress(): void;
}

/**
 * Runs `fn` under a savepoint: a refused record is undone alone (its rows and its live events), the
 * transaction goes on.
 */
function savepoint<T>(tx: Tx, fn: () => Promise<T>): Promise<T> {
  return tx.savepoint(fn);
}

async function importSignals(r: Replay, f: LegacyFile): Promise<void> {
  const { tx, portfolioId, rules, asset, signalIds } = r;
  for (const { at, raw, value: s } of mapped(f, legacySignal)) {
    r.progress();
    try {
      const signalId = await savepoint(tx, async () => {
        const assetId = await asset(s.symbol);
        // Natural key: one aggregated signal per portfolio, symbol and instant.
        const found = await tx.get<{ id: unknown }>(
          'select id from signals where portfolio_id = ? and asset_id = ? and ts = ? and strategy_id is null order by id',
          [portfolioId, assetId, tx.time(s.ts)],
        );
        if (found) {
          f.report.alreadyPresent += 1;
          return int(found.id);
        }
        const testMode = testModeOf(rules, 'signals', raw, s.testMode);
        const input = signalInput(s, portfolioId, assetId, testMode);
        const signal = await recordSignalIn(tx, parseInput(SignalInput, input, 'signal'));
        f.report.imported += 1;
        if (testMode) f.report.taggedTest += 1;
        return signal.id;
      });
      if (s.legacyId !== undefined) signalIds.set(s.legacyId, signalId);
    } catch (error) {
      skip(f.report, at, reasonOf(error));
    }
  }
}

function signalInput(s: LegacySignal, portfolioId: number, assetId: number, testMode: boolean): SignalInput {
  return {
    portfolioId,
    assetId,
    ts: s.ts,
    price: s.price,
    action: s.action,
    confidence: s.confidence,
    strategyVersion: s.strategyVersion,
    testMode,
    ...(s.aggregationMethod === undefined ? {} : { aggregationMethod: s.aggregationMethod }),
    ...(s.components === undefined ? {} : { components: s.components }),
    ...(s.reason === undefined ? {} : { reason: s.reason }),
    ...(s.botVersion === undefined ? {} : { botVersion: s.botVersion }),
  };
}

async function importTrades(r: Replay, f: LegacyFile): Promise<void> {
  const { tx, portfolioId, rules, asset, signalIds } = r;
  const occurrences = new Map<string, number>();
  const trades = mapped(f, legacyTrade).map((t) => {
    const content = tradeContent(t.value);
    const occurrence = occurrences.get(content) ?? 0;
    occurrences.set(content, occurrence + 1);
    return { ...t, key: tradeOrderKey(portfolioId, t.value, occurrence) };
  });
  // Fills are applied in time order (the accounting is path-dependent); equal times keep file order.
  trades.sort((a, b) => a.value.ts.getTime() - b.value.ts.getTime());
  for (const { at, raw, value: t, key } of trades) {
    r.progress();
    try {
      await savepoint(tx, async () => {
        if (await tx.get('select id from orders where client_order_id = ?', [key])) {
          f.report.alreadyPresent += 1;
          return;
        }
        const testMode = testModeOf(rules, 'trades', raw, t.testMode);
        const order = await placeOrderIn(
          tx,
          parseInput(
            OrderInput,
            orderInput(t, portfolioId, await asset(t.symbol), testMode, key, signalIds),
            'order',
          ),
        );
        await recordFillIn(
          tx,
          parseInput(
            FillInput,
            {
              orderId: order.order.id,
              quantity: t.amount,
              price: t.price,
              ts: t.ts,
              ...(t.fee === undefined ? {} : { fee: t.fee }),
              ...(t.feeCurrency === undefined ? {} : { feeCurrency: t.feeCurrency }),
            },
            'fill',
          ),
          { order: order.order, ...attributionOf(t, r) },
        );
        f.report.imported += 1;
        if (testMode) f.report.taggedTest += 1;
      });
    } catch (error) {
      skip(f.report, at, reasonOf(error));
    }
  }
}

function orderInput(
  t: LegacyTrade,
  portfolioId: number,
  assetId: number,
  testMode: boolean,
  clientOrderId: string,
  signalIds: Map<string, number>,
): OrderInput {
  let signalId: number | undefined;
  if (t.signalId !== undefined) {
    signalId = signalIds.get(t.signalId);
    if (signalId === undefined) {
      throw new FieldError(`signal_id: ${t.signalId} is not a signal of the signals file`);
    }
  }
  return {
    portfolioId,
    assetId,
    side: t.side,
    type: 'market',
    quantity: t.amount,
    clientOrderId,
    submittedAt: t.ts,
    testMode,
    ...(signalId === undefined ? {} : { signalId }),
    ...(t.botVersion === undefined ? {} : { botVersion: t.botVersion }),
  };
}

/** A trade's `strategy` names the round trip's strategy; without one the signal's (if any) is used. */
function attributionOf(t: LegacyTrade, r: Replay): { attribution?: Attribution } {
  if (t.strategy === undefined) return {};
  const strategyId = r.strategyIds.get(t.strategy);
  if (strategyId === undefined && r.pendingStrategies.has(t.strategy)) return {};
  if (strategyId === undefined) {
    throw new FieldError(
      `strategy: "${t.strategy}" is not a known strategy (strategy_definitions or strategies.csv)`,
    );
  }
  return { attribution: { strategyId, stopLoss: null, takeProfit: null, reasoning: null, confidence: null } };
}

function signed(p: PositionView): Decimal {
  return p.side === 'short' ? p.quantity.negated() : p.quantity;
}

/**
 * Derived open positions against the legacy `holdings`: a holding that agrees counts as already
 * present; every difference (quantity, average price to the holding's precision, a holding without
 * a position, a position without a holding) is reported.
 */
async function compareHoldings({ tx, portfolioId, rules, asset }: Replay, f: LegacyFile): Promise<void> {
  const positions = [
    ...(await loadOpenPositions(tx, portfolioId, false)),
    ...(await loadOpenPositions(tx, portfolioId, true)),
  ];
  const symbols = new Map<number, string>();
  if (positions.length > 0) {
    const ids = [...new Set(positions.map((p) => p.assetId))];
    const rows = await tx.all<{ id: unknown; symbol: unknown }>(
      `select id, symbol from assets where id in (${ids.map(() => '?').join(', ')})`,
      ids,
    );
    for (const row of rows) symbols.set(int(row.id), String(row.symbol));
  }
  const matched = new Set<number>();
  const label = (testMode: boolean) => (testMode ? ' (test)' : '');
  for (const { raw, value: h } of mapped(f, legacyHolding)) {
    const testMode = testModeOf(rules, 'holdings', raw, h.testMode);
    const assetId = await asset(h.symbol);
    const position = positions.find((p) => p.assetId === assetId && p.testMode === testMode);
    const wanted = new Decimal(h.quantity);
    if (!position) {
      if (wanted.isZero()) f.report.alreadyPresent += 1;
      else
        f.report.differences.push(
          `${h.symbol}${label(testMode)}: holdings ${wanted.toFixed()}, no open position from the trades`,
        );
      continue;
    }
    matched.add(position.id);
    const derived = signed(position);
    const problems: string[] = [];
    if (!derived.eq(wanted))
      problems.push(`quantity: holdings ${wanted.toFixed()}, trades give ${derived.toFixed()}`);
    if (h.averagePrice !== undefined) {
      const places = new Decimal(h.averagePrice).decimalPlaces();
      const ours = position.averageEntryPrice.toDecimalPlaces(places, Decimal.ROUND_HALF_EVEN);
      if (!ours.eq(h.averagePrice)) {
        problems.push(
          `average price: holdings ${h.averagePrice}, trades give ${position.averageEntryPrice.toFixed()}`,
        );
      }
    }
    if (problems.length === 0) f.report.alreadyPresent += 1;
    else f.report.differences.push(`${h.symbol}${label(testMode)}: ${problems.join('; ')}`);
  }
  for (const p of positions) {
    if (!matched.has(p.id)) {
      f.report.differences.push(
        `${symbols.get(p.assetId) ?? `asset ${p.assetId}`}${label(p.testMode)}: open position ${signed(p).toFixed()} from the trades is not in holdings`,
      );
    }
  }
}

// ---- strategy_performance -----------------------------------------------------------------------

/**
 * Legacy aggregates are derived data: tradestore recomputes them from the imported round trips
 * (src/strategies/performance.ts) and reports where the legacy figures differ.
 */
async function importPerformance(
  store: Store,
  f: LegacyFile,
  portfolioId: number | null,
  /** On a dry run: the strategies it would have registered. */
  dryRunStrategies: Set<string> | null,
): Promise<void> {
  for (const { at, value: p } of mapped(f, legacyPerformance)) {
    const strategy = await reading(store, (tx) =>
      tx.get<{ id: unknown }>('select id from strategies where name = ?', [p.strategy]),
    );
    if (!strategy && dryRunStrategies?.has(p.strategy)) {
      f.report.imported += 1;
      continue;
    }
    if (!strategy) {
      skip(f.report, at, `strategy "${p.strategy}" does not exist (import its strategy_definitions first)`);
      continue;
    }
    const testMode = p.testMode ?? false;
    const present = await reading(store, (tx) =>
      tx.get(
        `select id from strategy_performance where strategy_id = ? and coalesce(portfolio_id, 0) = ? and "window" = 'all'
            and is_backtest = ? and test_mode = ?`,
        [int(strategy.id), portfolioId ?? 0, tx.bool(false), tx.bool(testMode)],
      ),
    );
    if (present) {
      f.report.alreadyPresent += 1;
      continue;
    }
    if (dryRunStrategies !== null) {
      f.report.imported += 1;
      continue;
    }
    try {
      const [row] = await recomputePerformance(store, {
        strategy: int(strategy.id),
        testMode,
        ...(portfolioId === null ? {} : { portfolioId }),
      });
      f.report.imported += 1;
      if (!row) continue;
      const diffs: string[] = [];
      if (p.tradeCount !== undefined && p.tradeCount !== row.tradeCount)
        diffs.push(`trade count: legacy ${p.tradeCount}, trades give ${row.tradeCount}`);
      if (p.winRate !== undefined && (row.winRate === null || Math.abs(p.winRate - row.winRate) > 1e-9)) {
        diffs.push(`win rate: legacy ${p.winRate}, trades give ${row.winRate}`);
      }
      if (p.totalPnl !== undefined && !(row.totalPnl ?? new Decimal(0)).eq(p.totalPnl)) {
        diffs.push(`total pnl: legacy ${p.totalPnl}, trades give ${row.totalPnl?.toFixed() ?? 'none'}`);
      }
      if (diffs.length > 0) f.report.differences.push(`${p.strategy}: ${diffs.join('; ')}`);
    } catch (error) {
      skip(f.report, at, reasonOf(error));
    }
  }
}

// ---- error logs, feeds, news, bot status ---------------------------------------------------------

/**
 * Writes a file's new records as one batch; a record the service refuses (its index in the zod
 * issues) is skipped with the reason and the rest written again. Validation precedes any write, so
 * a refused batch wrote nothing.
 */
async function writeBatch<T>(
  f: LegacyFile,
  batch: Array<{ at: string; input: T; testMode?: boolean }>,
  dryRun: boolean,
  write: (inputs: T[]) => Promise<unknown>,
): Promise<void> {
  if (dryRun) {
    f.report.imported += batch.length;
    f.report.taggedTest += batch.filter((b) => b.testMode === true).length;
    return;
  }
  let rest = batch;
  for (let attempt = 0; attempt < 2 && rest.length > 0; attempt += 1) {
    try {
      await write(rest.map((b) => b.input));
      f.report.imported += rest.length;
      f.report.taggedTest += rest.filter((b) => b.testMode === true).length;
      return;
    } catch (error) {
      if (!(error instanceof InvalidInputError)) throw error;
      const bad = new Map<number, string[]>();
      for (const issue of error.issues) {
        const m = /^\[(\d+)\]\.?(.*)$/.exec(issue.path);
        if (!m) throw error;
        const list = bad.get(Number(m[1])) ?? [];
        list.push(`${m[2] || 'record'}: ${issue.message}`);
        bad.set(Number(m[1]), list);
      }
      for (const [i, reasons] of bad) skip(f.report, rest[i]!.at, reasons.join('; '));
      rest = rest.filter((_, i) => !bad.has(i));
    }
  }
  if (rest.length > 0) throw new Error(`${f.name}: the batch was refused twice`);
}

/**
 * The records whose natural key is neither stored (`sql` with the key's values finds no row) nor
 * seen earlier in this import; the others count as already present.
 */
async function newRecords<T>(
  store: Store,
  f: LegacyFile,
  records: Array<MappedRecord<T>>,
  natural: {
    key: (value: T) => string;
    sql: string;
    params?: (value: T, tx: Tx) => unknown[];
    seen?: Set<string>;
  },
): Promise<Array<MappedRecord<T>>> {
  const seen = natural.seen ?? new Set<string>();
  const fresh: Array<MappedRecord<T>> = [];
  for (const record of records) {
    const key = natural.key(record.value);
    const stored =
      seen.has(key) ||
      (await reading(store, (tx) =>
        tx.get(natural.sql, natural.params ? natural.params(record.value, tx) : [key]),
      )) !== undefined;
    if (stored) {
      f.report.alreadyPresent += 1;
      continue;
    }
    seen.add(key);
    fresh.push(record);
  }
  return fresh;
}

/** One service call for one new record (none on a dry run); a refusal skips the record. */
async function writeOne(f: LegacyFile, at: string, dryRun: boolean, write: () => Promise<unknown>) {
  try {
    if (!dryRun) await write();
    f.report.imported += 1;
  } catch (error) {
    skip(f.report, at, reasonOf(error));
  }
}

async function importErrorLogs(
  store: Store,
  f: LegacyFile,
  rules: TestDataRules,
  dryRun: boolean,
): Promise<void> {
  const fresh = await newRecords(store, f, mapped(f, legacyErrorLog), {
    // Natural key: time, level, source and message.
    key: (e) => JSON.stringify([e.ts.getTime(), e.level, e.source, e.message]),
    sql: 'select id from error_logs where ts = ? and level = ? and source = ? and message = ?',
    params: (e, tx) => [tx.time(e.ts), e.level, e.source, e.message],
  });
  const batch = fresh.map(({ at, raw, value: e }) => {
    const testMode = testModeOf(rules, 'error_logs', raw, e.testMode);
    return { at, testMode, input: { ...e, testMode } };
  });
  await writeBatch(f, batch, dryRun, (inputs) => recordErrorLogs(store, inputs));
}

async function importFeeds(store: Store, f: LegacyFile, dryRun: boolean): Promise<void> {
  const fresh = await newRecords(store, f, mapped(f, legacyFeed), {
    key: (feed) => feed.url,
    sql: 'select id from news_feeds where url = ?',
  });
  for (const { at, value } of fresh) await writeOne(f, at, dryRun, () => registerNewsFeed(store, value));
}

async function importNews(store: Store, f: LegacyFile, dryRun: boolean): Promise<void> {
  const fresh = await newRecords(store, f, mapped(f, legacyNewsItem), {
    key: (n) => newsDedupKey(n),
    sql: 'select id from news_items where dedup_key = ?',
  });
  const batch = fresh.map(({ at, value: { capturedAt, ...rest } }) => ({
    at,
    input: { ...rest, ...(capturedAt === undefined ? {} : { capturedAt }) },
  }));
  await writeBatch(f, batch, dryRun, (inputs) => recordNewsItems(store, inputs));
}

async function importBotStatus(store: Store, f: LegacyFile, dryRun: boolean): Promise<void> {
  // A key the database already holds is live state: the legacy value never replaces it.
  const fresh = await newRecords(store, f, mapped(f, legacyBotStatus), {
    key: (entry) => entry.key,
    sql: 'select 1 as present from bot_status where "key" = ?',
  });
  for (const { at, value } of fresh) {
    await writeOne(f, at, dryRun, () =>
      setBotStatus(store, value.key, value.value, { botVersion: value.botVersion }),
    );
  }
}
