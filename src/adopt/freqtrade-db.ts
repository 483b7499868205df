/**
 * `tradestore import freqtrade-db <tradesv3.sqlite>`: a freqtrade bot's own database as tradestore
 * data, through the same order and fill services as live trading. Columns are freqtrade's
 * persistence model (freqtrade/persistence/trade_model.py: `trades`, `orders`; pairlock.py:
 * `pairlocks`; key_value_store.py: `KeyValueStore`), read with node:sqlite in read-only mode: the
 * file is never written.
 *
 * - Pairs become assets on the trade's exchange (the venue); each trade's strategy is registered
 *   (source type `code`) unless a strategy of that name exists.
 * - Every freqtrade order becomes an order (client_order_id `ft:` + a hash of portfolio, exchange,
 *   pair and freqtrade's order id: the natural key, so re-running imports nothing twice), with a
 *   fill of what it filled (`filled − ft_fee_base`, at `average`) and its final status: canceled
 *   and expired orders keep only what they filled, open orders stay open.
 * - Fees: freqtrade keeps fee rates (`fee_open`, `fee_close`), not per-order costs; a fill's fee is
 *   rate × filled × average (or `ft_fee_base` × average when the exchange took it in the base
 *   currency). The closing fill of a closed trade is charged what makes the round trip's net P&L
 *   exactly the `close_profit_abs` freqtrade recorded (its shortest round-trip decimal, `String(float)`):
 *   the closing fee plus funding fees, interest and freqtrade's float rounding. That adjustment is
 *   reported per trade.
 * - One transaction per freqtrade trade. A trade that cannot be replayed (its pair holds another
 *   open position in the portfolio, a fill the accounting refuses) is skipped with the reason.
 * - `pairlocks` and `KeyValueStore` go to bot_status (`freqtrade.pairlocks`, `freqtrade.<key>`);
 *   a key already there is left alone.
 *
 * Over 500 lines: one importer per source, its record kinds and their mapping read top to
 * bottom in one file (issue 14).
 */
import { createHash } from 'node:crypto';
import { existsSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { Decimal } from 'decimal.js';
import type { Store } from '../db/store.ts';
import { type Attribution, FillInput, recordFillIn } from '../execution/fills.ts';
import { loadOrder, moveOrderIn, OrderInput, type OrderView, placeOrderIn } from '../execution/orders.ts';
import { dec, int } from '../db/column-values.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
import { TradingError } from '../trading/refusals.ts';
import { ConflictError, RefusedError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { ensureAssetIn } from '../marketdata/assets.ts';
import { setBotStatus } from '../operations/bot-status.ts';
import { registerStrategy } from '../strategies/strategies.ts';
import { exact } from '../trading/exact.ts';
import { FieldError, instant } from './fields.ts';
import { ensureImportPortfolio } from './portfolio.ts';
import { type FileReport, fileReport, skip } from './report.ts';

export interface FreqtradeDbOptions {
  /** Portfolio name (created when missing). Default `freqtrade`. */
  portfolio?: string;
  /** Email of the portfolio's owner (default: the first admin, else the only user). */
  owner?: string;
  initialBalance?: string;
  /** Called after each freqtrade trade, with how many there are. */
  onProgress?: (done: number, total: number) => void;
}

export interface FreqtradeTradeResult {
  freqtradeId: number;
  pair: string;
  status: 'imported' | 'already present' | 'updated' | 'skipped';
  /** freqtrade's close_profit_abs (closed trades) as its shortest decimal. */
  recordedProfit: string | null;
  /** The round trip's pnl in tradestore after the import (closed trades). */
  pnl: string | null;
  /** What the closing fee carries beyond fee_close × value (funding, interest, float rounding). */
  feeAdjustment: string | null;
}

export interface FreqtradeDbResult {
  portfolio: { id: number; name: string; created: boolean };
  files: FileReport[];
  trades: FreqtradeTradeResult[];
  notes: string[];
}

type Row = Record<string, unknown>;

const REQUIRED: Record<string, string[]> = {
  trades: [
    'id',
    'exchange',
    'pair',
    'is_open',
    'fee_open',
    'fee_close',
    'open_rate',
    'amount',
    'open_date',
    'strategy',
    'is_short',
    'close_profit_abs',
  ],
  orders: [
    'id',
    'ft_trade_id',
    'ft_order_side',
    'ft_pair',
    'ft_is_open',
    'ft_amount',
    'ft_price',
    'order_id',
    'status',
    'order_type',
    'side',
    'price',
    'average',
    'amount',
    'filled',
    'order_date',
    'order_filled_date',
    'ft_fee_base',
  ],
};

/** A float column as the shortest decimal that reads back as the same float (`String(float)`). */
export function floatDecimal(value: unknown): Decimal | null {
  if (value === null || value === undefined) return null;
  const n = typeof value === 'number' ? value : Number(value);
  if (!Number.isFinite(n)) return null;
  return exact(String(n));
}

function checkSchema(db: DatabaseSync, path: string): void {
  for (const [table, columns] of Object.entries(REQUIRED)) {
    const have = new Set(
      (db.prepare(`pragma table_info("${table}")`).all() as Row[]).map((c) => String(c.name)),
    );
    if (have.size === 0) throw new FieldError(`${path}: no ${table} table: not a freqtrade database`);
    const missing = columns.filter((c) => !have.has(c));
    if (missing.length > 0) {
      throw new FieldError(
        `${path}: ${table} lacks ${missing.join(', ')}: an older freqtrade schema (start that freqtrade once to migrate it)`,
      );
    }
  }
}

interface FreqtradeRows {
  trades: Row[];
  orders: Row[];
  pairlocks: Row[];
  keyValues: Row[];
  customData: number;
}

/**
 * Everything the import needs, read in one read transaction (a consistent snapshot while the bot
 * runs). The file is opened read-only. Without a `-wal` or `-journal` beside it no connection has
 * it open and the file holds everything: it is read `immutable`, which leaves no `-wal`/`-shm`
 * files behind (a read-only WAL connection would), and it is refused if it changed meanwhile. With
 * a `-wal` (the bot is running) the ordinary read-only connection reads through the bot's WAL.
 */
function readFreqtradeDb(path: string): FreqtradeRows {
  if (!existsSync(path)) throw new FieldError(`${path}: no such file`);
  const quiet = !existsSync(`${path}-wal`) && !existsSync(`${path}-journal`);
  const before = statSync(path);
  const url = pathToFileURL(resolve(path));
  if (quiet) url.searchParams.set('immutable', '1');
  const db = new DatabaseSync(url, { readOnly: true });
  let rows: FreqtradeRows;
  try {
    checkSchema(db, path);
    db.exec('begin');
    const all = (sql: string) => db.prepare(sql).all() as Row[];
    rows = {
      trades: all('select * from trades order by open_date, id'),
      orders: all('select * from orders order by id'),
      pairlocks: tableExists(db, 'pairlocks') ? all('select * from pairlocks order by id') : [],
      keyValues: tableExists(db, 'KeyValueStore') ? all('select * from "KeyValueStore" order by id') : [],
      customData: tableExists(db, 'trade_custom_data')
        ? Number((db.prepare('select count(*) as n from trade_custom_data').get() as Row).n)
        : 0,
    };
    db.exec('commit');
  } finally {
    db.close();
  }
  if (quiet) {
    const after = statSync(path);
    if (after.size !== before.size || after.mtimeMs !== before.mtimeMs || existsSync(`${path}-wal`)) {
      throw new ConflictError(`${path} changed while it was read (did the bot start?): run the import again`);
    }
  }
  return rows;
}

function tableExists(db: DatabaseSync, name: string): boolean {
  return db.prepare("select 1 from sqlite_master where type = 'table' and name = ?").get(name) !== undefined;
}

/** freqtrade writes naive UTC datetimes (`2024-01-01 10:00:00.123456`). */
function ftTime(value: unknown, what: string): Date | null {
  if (value === null || value === undefined || value === '') return null;
  return instant({ [what]: value }, what) ?? null;
}

const bool = (v: unknown) => v === 1 || v === true || v === '1';

interface FtOrder {
  row: Row;
  key: string;
  side: 'buy' | 'sell';
  isEntry: boolean;
  type: 'market' | 'limit' | 'stop' | 'stop_limit';
  quantity: Decimal;
  /** What it delivered: filled − ft_fee_base. */
  filled: Decimal;
  /** The limit price of limit and stop-limit orders. */
  price: Decimal | null;
  stopPrice: Decimal | null;
  /** freqtrade's average fill price. */
  average: Decimal | null;
  fee: Decimal;
  feeRateCost: Decimal;
  status: 'open' | 'filled' | 'canceled' | 'expired' | 'rejected';
  placedAt: Date;
  filledAt: Date;
}

function orderKey(portfolioId: number, exchange: string, o: Row): string {
  return `ft:${createHash('sha256')
    .update(`${portfolioId}|${exchange}|${String(o.ft_pair)}|${String(o.order_id)}`)
    .digest('hex')
    .slice(0, 40)}`;
}

const MONEY_PLACES = 36;

function ftOrder(portfolioId: number, trade: Row, o: Row): FtOrder {
  const isShort = bool(trade.is_short);
  const entrySide = isShort ? 'sell' : 'buy';
  const exitSide = isShort ? 'buy' : 'sell';
  const ftSide = String(o.ft_order_side);
  const side = (
    o.side === 'buy' || o.side === 'sell' ? o.side : ftSide === 'stoploss' ? exitSide : ftSide
  ) as 'buy' | 'sell';
  if (side !== 'buy' && side !== 'sell') throw new FieldError(`side: "${String(o.side)}" is not buy or sell`);
  const feeBase = floatDecimal(o.ft_fee_base) ?? exact(0);
  const ordered = floatDecimal(o.amount) ?? floatDecimal(o.ft_amount);
  if (ordered === null || ordered.lte(0))
    throw new FieldError(`amount: ${String(o.amount)} is not a positive quantity`);
  const rawFilled = floatDecimal(o.filled) ?? exact(0);
  const price =
    floatDecimal(o.average) ??
    floatDecimal(o.price) ??
    floatDecimal(o.stop_price) ??
    floatDecimal(o.ft_price);
  const filled = rawFilled.gt(0) ? rawFilled.minus(feeBase) : exact(0);
  const rate = floatDecimal(side === entrySide ? trade.fee_open : trade.fee_close) ?? exact(0);
  const feeRateCost = price === null ? exact(0) : rate.times(rawFilled).times(price);
  // A fee taken in the base currency: the order delivered less and its fee is that part's value.
  const fee = (feeBase.gt(0) && price !== null ? feeBase.times(price) : feeRateCost).toDecimalPlaces(
    MONEY_PLACES,
    Decimal.ROUND_HALF_EVEN,
  );
  const ccxtType = String(o.order_type ?? 'market').toLowerCase();
  const limit = floatDecimal(o.price) ?? floatDecimal(o.ft_price);
  const stop = floatDecimal(o.stop_price) ?? limit;
  let type: FtOrder['type'] = 'market';
  if (ftSide === 'stoploss' || ccxtType.includes('stop'))
    type = ccxtType.includes('limit') ? 'stop_limit' : 'stop';
  else if (ccxtType === 'limit') type = 'limit';
  const status = String(o.status ?? '').toLowerCase();
  let final: FtOrder['status'];
  if (bool(o.ft_is_open) || status === 'open') final = 'open';
  else if (status === 'closed' && filled.eq(ordered.minus(feeBase))) final = 'filled';
  else if (status === 'expired') final = 'expired';
  else if (status === 'rejected' && filled.isZero()) final = 'rejected';
  else final = 'canceled'; // canceled, cancelled, closed short of its amount, anything else that ended
  const placedAt = ftTime(o.order_date, 'order_date') ?? ftTime(trade.open_date, 'open_date')!;
  return {
    row: o,
    key: orderKey(portfolioId, String(trade.exchange), o),
    side,
    isEntry: side === entrySide,
    type,
    quantity: feeBase.gt(0) ? ordered.minus(feeBase) : ordered,
    filled,
    price: type === 'limit' || type === 'stop_limit' ? limit : null,
    fee,
    feeRateCost,
    status: final,
    placedAt,
    filledAt:
      ftTime(o.order_filled_date, 'order_filled_date') ??
      ftTime(o.order_update_date, 'order_update_date') ??
      placedAt,
    stopPrice: type === 'stop' || type === 'stop_limit' ? stop : null,
    average: price,
  };
}

export async function importFreqtradeDb(
  store: Store,
  path: string,
  options: FreqtradeDbOptions = {},
): Promise<FreqtradeDbResult> {
  return importRows(store, path, readFreqtradeDb(path), options);
}

/** Shared by every trade of one import: where it writes and what it has counted so far. */
interface TradeImport {
  store: Store;
  portfolioId: number;
  ordersOf: Map<number, Row[]>;
  strategies: Map<string, number>;
  tradeReport: FileReport;
  orderReport: FileReport;
}

async function importRows(
  store: Store,
  path: string,
  { trades, orders, pairlocks, keyValues, customData }: FreqtradeRows,
  options: FreqtradeDbOptions,
): Promise<FreqtradeDbResult> {
  const ensured = await ensureFreqtradePortfolio(store, path, trades, orders, options);
  const run: TradeImport = {
    store,
    portfolioId: ensured.portfolio.id,
    ordersOf: ordersByTrade(orders),
    strategies: new Map(),
    tradeReport: fileReport('trades'),
    orderReport: fileReport('orders'),
  };
  run.tradeReport.read = trades.length;
  run.orderReport.read = orders.length;
  const results: FreqtradeTradeResult[] = [];
  for (const [done, trade] of trades.entries()) {
    options.onProgress?.(done, trades.length);
    results.push(await importTrade(run, trade));
  }
  skipOrphanOrders(run.orderReport, trades, orders);

  const files = [run.tradeReport, run.orderReport];
  if (pairlocks.length > 0 || keyValues.length > 0)
    files.push(await importBotState(store, pairlocks, keyValues));
  const notes: string[] = [];
  if (customData > 0)
    notes.push(`${customData} trade_custom_data row(s) not imported (strategy-private state)`);
  if (isDryRunOnly(orders))
    notes.push('every order is a freqtrade dry-run order: the portfolio is a paper portfolio');
  return {
    portfolio: { id: run.portfolioId, name: ensured.portfolio.name, created: ensured.created },
    files,
    trades: results,
    notes,
  };
}

/** Every order is one of freqtrade's simulated (dry-run) orders: the bot never traded live. */
function isDryRunOnly(orders: Row[]): boolean {
  return orders.length > 0 && orders.every((o) => String(o.order_id).startsWith('dry_run'));
}

/** The target portfolio: paper for a dry-run bot (or one without orders), else live; in the stake currency. */
function ensureFreqtradePortfolio(
  store: Store,
  path: string,
  trades: Row[],
  orders: Row[],
  options: FreqtradeDbOptions,
): ReturnType<typeof ensureImportPortfolio> {
  const stake = [...new Set(trades.map((t) => t.stake_currency).filter((c) => typeof c === 'string'))];
  return ensureImportPortfolio(store, {
    name: options.portfolio ?? 'freqtrade',
    ...(options.owner === undefined ? {} : { owner: options.owner }),
    description: `imported from freqtrade database ${path}`,
    mode: isDryRunOnly(orders) || orders.length === 0 ? 'paper' : 'live',
    baseCurrency: stake.length === 1 ? String(stake[0]) : 'USDT',
    initialBalance: options.initialBalance ?? '0',
  });
}

function ordersByTrade(orders: Row[]): Map<number, Row[]> {
  const byTrade = new Map<number, Row[]>();
  for (const o of orders) {
    const list = byTrade.get(int(o.ft_trade_id)) ?? [];
    list.push(o);
    byTrade.set(int(o.ft_trade_id), list);
  }
  return byTrade;
}

/** One freqtrade trade replayed in its own transaction; a refused one is skipped with the reason. */
async function importTrade(run: TradeImport, trade: Row): Promise<FreqtradeTradeResult> {
  const at = `trade ${String(trade.id)}`;
  const result: FreqtradeTradeResult = {
    freqtradeId: int(trade.id),
    pair: String(trade.pair),
    status: 'skipped',
    recordedProfit: null,
    pnl: null,
    feeAdjustment: null,
  };
  const own = run.ordersOf.get(int(trade.id)) ?? [];
  if (own.length === 0) {
    skip(run.tradeReport, at, 'the trade has no orders: nothing to replay');
    return result;
  }
  const parsed = readTradeOrders(run, trade, own, at);
  if (parsed === null) return result;
  try {
    const strategyId = await strategyFor(run.store, run.strategies, trade);
    const outcome = await inTransaction(run.store, (tx) =>
      replayTrade(run.store, tx, run.portfolioId, trade, parsed, strategyId),
    );
    result.status = outcome.status;
    result.recordedProfit = outcome.recordedProfit;
    result.pnl = outcome.pnl;
    result.feeAdjustment = outcome.feeAdjustment;
    countReplay(run, at, trade, outcome, parsed.length);
  } catch (error) {
    if (!(error instanceof RefusedError || error instanceof FieldError)) throw error;
    skip(run.tradeReport, at, error.message);
    run.orderReport.skipped += parsed.length;
  }
  return result;
}

/**
 * The trade's orders mapped and put in the order they happened, or null (the trade skipped) when
 * one of them cannot be read.
 */
function readTradeOrders(run: TradeImport, trade: Row, own: Row[], at: string): FtOrder[] | null {
  let parsed: FtOrder[];
  try {
    parsed = own.map((o) => ftOrder(run.portfolioId, trade, o));
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    skip(run.tradeReport, at, error.message);
    run.orderReport.skipped += own.length;
    return null;
  }
  // Fills in the order they happened (the accounting is path-dependent); orders that filled
  // nothing by when they were placed; ties by freqtrade's id (its own order of a trade's orders).
  const when = (o: FtOrder) => (o.filled.gt(0) ? o.filledAt : o.placedAt).getTime();
  parsed.sort((a, b) => when(a) - when(b) || int(a.row.id) - int(b.row.id));
  return parsed;
}

/** A replayed trade in the trades and orders reports. */
function countReplay(run: TradeImport, at: string, trade: Row, outcome: Replay, orderCount: number): void {
  if (outcome.recordedProfit !== null && outcome.pnl !== null && outcome.recordedProfit !== outcome.pnl) {
    // freqtrade changed the trade's profit after it was imported (a late fee update): reported, not rewritten.
    run.tradeReport.differences.push(
      `${at} (${String(trade.pair)}): imported round trip pnl ${outcome.pnl}, freqtrade now records ${outcome.recordedProfit}`,
    );
  }
  if (outcome.status === 'already present') run.tradeReport.alreadyPresent += 1;
  else run.tradeReport.imported += 1;
  run.orderReport.imported += outcome.ordersWritten;
  run.orderReport.alreadyPresent += orderCount - outcome.ordersWritten;
}

/** Orders whose freqtrade trade is not in `trades` cannot be replayed: each is skipped. */
function skipOrphanOrders(orderReport: FileReport, trades: Row[], orders: Row[]): void {
  const tradeIds = new Set(trades.map((t) => int(t.id)));
  const orphans = orders.filter((o) => !tradeIds.has(int(o.ft_trade_id)));
  for (const o of orphans)
    skip(orderReport, `order ${String(o.id)}`, `its trade ${String(o.ft_trade_id)} is not in trades`);
}

async function strategyFor(store: Store, cache: Map<string, number>, trade: Row): Promise<number | null> {
  const name = typeof trade.strategy === 'string' && trade.strategy !== '' ? trade.strategy : null;
  if (name === null) return null;
  const cached = cache.get(name);
  if (cached !== undefined) return cached;
  const found = await reading(store, (tx) =>
    tx.get<{ id: unknown }>('select id from strategies where name = ?', [name]),
  );
  const id = found
    ? int(found.id)
    : (
        await registerStrategy(store, {
          name,
          sourceType: 'code',
          sourceRef: 'freqtrade',
          description: 'freqtrade strategy (imported with its trades)',
          parameters: {
            engine: 'freqtrade',
            ...(trade.timeframe ? { timeframe: String(trade.timeframe) } : {}),
          },
        })
      ).strategy.id;
  cache.set(name, id);
  return id;
}

interface Replay {
  status: 'imported' | 'already present' | 'updated';
  ordersWritten: number;
  recordedProfit: string | null;
  pnl: string | null;
  feeAdjustment: string | null;
}

/** Signed cash of the fills recorded so far for these orders: Σ(sell value) − Σ(buy value) − Σ fees. */
async function cashOfFills(tx: Tx, keys: string[]): Promise<Decimal> {
  const rows = await tx.all<{ side: unknown; quantity: unknown; price: unknown; fee: unknown }>(
    `select o.side, f.quantity, f.price, f.fee from fills f join orders o on o.id = f.order_id
      where o.client_order_id in (${keys.map(() => '?').join(', ')})`,
    keys,
  );
  let cash = exact(0);
  for (const r of rows) {
    const value = dec(r.quantity).times(dec(r.price));
    cash = cash.plus(r.side === 'sell' ? value : value.negated()).minus(dec(r.fee));
  }
  return cash;
}

/** One freqtrade trade's replay: where its orders go and what its closing fill must make true. */
interface TradeReplay {
  tx: Tx;
  portfolioId: number;
  assetId: number;
  trade: Row;
  /** The client_order_ids of the trade's orders. */
  keys: string[];
  /** freqtrade's close_profit_abs of a closed trade (null while open). */
  recorded: Decimal | null;
  /** The closing fill of a closed trade: its fee settles the round trip at `recorded`. */
  lastExit: FtOrder | undefined;
  attribution: Attribution;
}

async function replayTrade(
  store: Store,
  tx: Tx,
  portfolioId: number,
  trade: Row,
  orders: FtOrder[],
  strategyId: number | null,
): Promise<Replay> {
  const assetId = await ensureAssetIn(store, tx, {
    symbol: String(trade.pair),
    venue: String(trade.exchange),
    kind: 'crypto',
  });
  const closed = !bool(trade.is_open);
  const recorded = closed ? floatDecimal(trade.close_profit_abs ?? trade.realized_profit) : null;
  const keys = orders.map((o) => o.key);
  const existing = await importedOrders(tx, orders);
  const result = (
    status: Replay['status'],
    written: number,
    pnl: string | null,
    adjustment: string | null,
  ) => ({
    status,
    ordersWritten: written,
    recordedProfit: recorded?.toFixed() ?? null,
    pnl,
    feeAdjustment: adjustment,
  });
  if (orders.length > 0 && orders.every((o) => existing.has(o.key) && settled(o, existing.get(o.key)!))) {
    return result('already present', 0, await roundTripPnl(tx, keys, closed), null);
  }
  if (existing.size === 0) await refuseUnlessFlat(tx, portfolioId, assetId, trade);
  const replay: TradeReplay = {
    tx,
    portfolioId,
    assetId,
    trade,
    keys,
    recorded,
    lastExit: closed ? orders.findLast((o) => !o.isEntry && o.filled.gt(0)) : undefined,
    attribution: roundTripAttribution(trade, strategyId),
  };
  let written = 0;
  let adjustment: string | null = null;
  for (const o of orders) {
    const step = await replayOrder(replay, o, existing.get(o.key));
    if (step.placed) written += 1;
    if (step.adjustment !== null) adjustment = step.adjustment;
  }
  const pnl = await roundTripPnl(tx, keys, closed);
  if (closed) await checkClosedAsFreqtrade(replay, pnl);
  return result(existing.size === 0 ? 'imported' : 'updated', written, pnl, adjustment);
}

/** The trade's orders a previous import already wrote, by client_order_id. */
async function importedOrders(tx: Tx, orders: FtOrder[]): Promise<Map<string, OrderView>> {
  const existing = new Map<string, OrderView>();
  for (const o of orders) {
    const row = await tx.get<{ id: unknown }>('select id from orders where client_order_id = ?', [o.key]);
    if (row) existing.set(o.key, await loadOrder(tx, { orderId: int(row.id) }));
  }
  return existing;
}

/** The stored order already has freqtrade's fills and status: nothing to record. */
function settled(o: FtOrder, view: OrderView): boolean {
  return (
    view.filledQuantity.eq(o.filled) &&
    (view.status === o.status || (o.status === 'open' && view.status === 'partially_filled'))
  );
}

/** The portfolio's open production position in the asset, if any. */
function openPosition(tx: Tx, portfolioId: number, assetId: number) {
  return tx.get(
    `select quantity from positions where portfolio_id = ? and asset_id = ? and test_mode = ? and status = 'open'`,
    [portfolioId, assetId, tx.bool(false)],
  );
}

/** A freqtrade trade is one lifecycle: the pair must be flat in the portfolio when it starts. */
async function refuseUnlessFlat(tx: Tx, portfolioId: number, assetId: number, trade: Row): Promise<void> {
  if (await openPosition(tx, portfolioId, assetId)) {
    throw new TradingError(
      `the portfolio already holds an open ${String(trade.pair)} position: a freqtrade trade replays from flat`,
    );
  }
}

/** The round trip's strategy, its initial stop (so pnl_r is computed) and its entry tag as reasoning. */
function roundTripAttribution(trade: Row, strategyId: number | null): Attribution {
  return {
    strategyId,
    stopLoss:
      (floatDecimal(trade.initial_stop_loss)?.gt(0) ?? false) ? floatDecimal(trade.initial_stop_loss) : null,
    takeProfit: null,
    reasoning: typeof trade.enter_tag === 'string' ? trade.enter_tag : null,
    confidence: null,
  };
}

/**
 * One freqtrade order brought to what freqtrade records: placed when new, its unrecorded fill
 * recorded, moved to its final status.
 */
async function replayOrder(
  r: TradeReplay,
  o: FtOrder,
  stored: OrderView | undefined,
): Promise<{ placed: boolean; adjustment: string | null }> {
  if (stored && settled(o, stored)) return { placed: false, adjustment: null };
  const view = stored ?? (await placeFtOrder(r, o));
  const fill = await recordNewFill(r, o, view);
  await settleStatus(r.tx, o, fill.view);
  return { placed: stored === undefined, adjustment: fill.adjustment };
}

async function placeFtOrder(r: TradeReplay, o: FtOrder): Promise<OrderView> {
  const placed = await placeOrderIn(
    r.tx,
    parseInput(
      OrderInput,
      {
        portfolioId: r.portfolioId,
        assetId: r.assetId,
        side: o.side,
        type: o.type,
        quantity: o.quantity,
        clientOrderId: o.key,
        exchangeOrderId: String(o.row.order_id).slice(0, 128),
        submittedAt: o.placedAt,
        ...(o.price !== null ? { limitPrice: o.price } : {}),
        ...(o.stopPrice !== null ? { stopPrice: o.stopPrice } : {}),
      },
      `freqtrade order ${String(o.row.id)}`,
    ),
  );
  return placed.order;
}

/** What freqtrade filled beyond the stored fills, as one fill (none when nothing is missing). */
async function recordNewFill(
  r: TradeReplay,
  o: FtOrder,
  view: OrderView,
): Promise<{ view: OrderView; adjustment: string | null }> {
  const missing = o.filled.minus(view.filledQuantity);
  if (!missing.gt(0)) return { view, adjustment: null };
  if (o.average === null)
    throw new TradingError(`freqtrade order ${String(o.row.id)} filled without a price`);
  // A re-run after freqtrade filled more of a working order: the new part at the price that makes
  // the order's filled value freqtrade's filled × average, with its share of the fee.
  const price = view.filledQuantity.isZero()
    ? o.average
    : o.filled
        .times(o.average)
        .minus(view.filledValue)
        .dividedBy(missing)
        .toDecimalPlaces(18, Decimal.ROUND_HALF_EVEN);
  const share = view.filledQuantity.isZero()
    ? o.fee
    : o.fee.times(missing).dividedBy(o.filled).toDecimalPlaces(MONEY_PLACES, Decimal.ROUND_HALF_EVEN);
  const { fee, adjustment } =
    o === r.lastExit && r.recorded !== null
      ? await closingFee(r, o, r.recorded, missing.times(price))
      : { fee: share, adjustment: null };
  const filled = await recordFillIn(
    r.tx,
    parseInput(
      FillInput,
      { orderId: view.id, quantity: missing, price, fee, ts: o.filledAt, venue: String(r.trade.exchange) },
      `fill of freqtrade order ${String(o.row.id)}`,
    ),
    { order: view, attribution: r.attribution },
  );
  return { view: filled.order, adjustment };
}

/**
 * The closing fill's fee: net P&L of the lifecycle = its cash flows, so this fee makes it freqtrade's
 * recorded profit; what it carries beyond the fee rate's cost is the adjustment.
 */
async function closingFee(
  r: TradeReplay,
  o: FtOrder,
  recorded: Decimal,
  value: Decimal,
): Promise<{ fee: Decimal; adjustment: string }> {
  const before = await cashOfFills(r.tx, r.keys);
  const residual = before.plus(o.side === 'sell' ? value : value.negated()).minus(recorded);
  return { fee: residual, adjustment: residual.minus(o.fee).toFixed() };
}

/** The order moved to freqtrade's final status; a closed (filled) one must be filled in full. */
async function settleStatus(tx: Tx, o: FtOrder, view: OrderView): Promise<void> {
  let now = view;
  if (
    o.status !== 'filled' &&
    o.status !== now.status &&
    !(o.status === 'open' && now.status === 'partially_filled')
  ) {
    now = await moveOrderIn(tx, { orderId: now.id }, o.status);
  }
  if (o.status === 'filled' && now.status !== 'filled') {
    throw new TradingError(
      `freqtrade order ${String(o.row.id)} is closed but its fills leave ${now.remainingQuantity.toFixed()} open`,
    );
  }
}

/** A trade freqtrade closed leaves the pair flat, at exactly freqtrade's recorded profit. */
async function checkClosedAsFreqtrade(r: TradeReplay, pnl: string | null): Promise<void> {
  const open = await openPosition(r.tx, r.portfolioId, r.assetId);
  if (open) {
    throw new TradingError(
      `freqtrade closed trade ${String(r.trade.id)}, but its fills leave ${dec(open.quantity).toFixed()} ${String(r.trade.pair)} open`,
    );
  }
  if (r.recorded !== null && pnl !== null && !r.recorded.eq(pnl)) {
    throw new TradingError(
      `trade ${String(r.trade.id)}: round trip pnl ${pnl} is not freqtrade's ${r.recorded.toFixed()}`,
    );
  }
}

/** The pnl of the closed round trip these orders' fills made (null while open). */
async function roundTripPnl(tx: Tx, keys: string[], closed: boolean): Promise<string | null> {
  if (!closed || keys.length === 0) return null;
  const row = await tx.get<{ pnl: unknown }>(
    `select t.pnl from trades t where t.outcome <> 'open' and t.is_backtest = ? and t.exit_time = (
       select max(f.ts) from fills f join orders o on o.id = f.order_id
        where o.client_order_id in (${keys.map(() => '?').join(', ')}))
       and t.asset_id = (select asset_id from orders where client_order_id = ?)
       and t.portfolio_id = (select portfolio_id from orders where client_order_id = ?)
     order by t.id desc`,
    [tx.bool(false), ...keys, keys[0], keys[0]],
  );
  return row ? dec(row.pnl).toFixed() : null;
}

/** pairlocks and KeyValueStore rows as bot_status entries; a key already stored is left alone. */
async function importBotState(store: Store, pairlocks: Row[], keyValues: Row[]): Promise<FileReport> {
  const report = fileReport('pairlocks+KeyValueStore');
  report.read = pairlocks.length + keyValues.length;
  const entries: Array<[string, unknown, number]> = [];
  if (pairlocks.length > 0) {
    entries.push([
      'freqtrade.pairlocks',
      pairlocks.map((l) => ({
        pair: l.pair,
        side: l.side ?? '*',
        reason: l.reason ?? null,
        lockTime: ftTime(l.lock_time, 'lock_time')?.toISOString() ?? null,
        lockEndTime: ftTime(l.lock_end_time, 'lock_end_time')?.toISOString() ?? null,
        active: bool(l.active),
      })),
      pairlocks.length,
    ]);
  }
  for (const kv of keyValues) {
    const type = String(kv.value_type);
    const value =
      type === 'datetime'
        ? (ftTime(kv.datetime_value, 'datetime_value')?.toISOString() ?? null)
        : type === 'float'
          ? (floatDecimal(kv.float_value)?.toFixed() ?? null)
          : type === 'int'
            ? kv.int_value
            : kv.string_value;
    entries.push([`freqtrade.${String(kv.key)}`, value, 1]);
  }
  for (const [key, value, count] of entries) {
    const present = await reading(store, (tx) =>
      tx.get('select 1 as present from bot_status where "key" = ?', [key]),
    );
    if (present) {
      report.alreadyPresent += count;
      continue;
    }
    await setBotStatus(store, key, typeof value === 'bigint' ? Number(value) : value);
    report.imported += count;
  }
  return report;
}
