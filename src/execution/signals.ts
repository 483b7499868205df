/**
 * Signals: what a strategy (or the aggregator, strategy null) said about an asset, with the
 * per-strategy components breakdown and provenance (bot_version, strategy_version, test_mode).
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { SIGNAL_ACTIONS, type SignalAction } from '../entities/execution-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import {
  botVersion,
  confidence,
  id,
  jsonObject,
  limit,
  nonNegativeDecimal,
  offset,
  positiveDecimal,
  testScope,
  when,
} from '../input/fields.ts';
import {
  bool,
  dec,
  decimalParam,
  decimalParamOrNull,
  decOrNull,
  int,
  intOrNull,
  json,
  str,
  strOrNull,
  time,
  timeOrNull,
} from '../db/column-values.ts';
import { type Listing, listWithCounts, Where } from '../db/listing.ts';
import { inTransaction, type Row, reading, type Tx } from '../db/transaction.ts';
import { TradingError } from '../input/errors.ts';

export interface SignalView {
  id: number;
  portfolioId: number | null;
  strategyId: number | null;
  strategyVersion: string;
  assetId: number;
  ts: Date;
  price: Decimal;
  action: SignalAction;
  confidence: number;
  aggregationMethod: string | null;
  /** The per-strategy breakdown, e.g. { sentiment: { action: 'buy', confidence: 0.9 }, ... }. */
  components: Record<string, unknown> | null;
  reason: string | null;
  targetPrice: Decimal | null;
  quantity: Decimal | null;
  executed: boolean;
  executedAt: Date | null;
  testMode: boolean;
  botVersion: string | null;
}

export const SignalInput = z
  .object({
    portfolioId: id.optional(),
    strategyId: id.optional(),
    /** Hash of the strategy config that produced the signal; defaults to the strategy's current version. */
    strategyVersion: z.string().min(1).max(64).optional(),
    assetId: id,
    ts: when.optional(),
    price: nonNegativeDecimal,
    action: z.enum(SIGNAL_ACTIONS),
    confidence,
    aggregationMethod: z.string().min(1).max(64).optional(),
    components: jsonObject.optional(),
    reason: z.string().optional(),
    targetPrice: positiveDecimal.optional(),
    quantity: positiveDecimal.optional(),
    testMode: z.boolean().default(false),
    botVersion: botVersion.optional(),
  })
  .strict();
export type SignalInput = z.input<typeof SignalInput>;
export type ParsedSignal = z.output<typeof SignalInput>;

export function signalFromRow(r: Row): SignalView {
  return {
    id: int(r.id),
    portfolioId: intOrNull(r.portfolio_id),
    strategyId: intOrNull(r.strategy_id),
    strategyVersion: str(r.strategy_version),
    assetId: int(r.asset_id),
    ts: time(r.ts),
    price: dec(r.price),
    action: str(r.action) as SignalAction,
    confidence: Number(r.confidence),
    aggregationMethod: strOrNull(r.aggregation_method),
    components: json<Record<string, unknown>>(r.components),
    reason: strOrNull(r.reason),
    targetPrice: decOrNull(r.target_price),
    quantity: decOrNull(r.quantity),
    executed: bool(r.executed),
    executedAt: timeOrNull(r.executed_at),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
  };
}

/** The strategy facts the trading services need: its current version hash and watchlist. */
export interface StrategyFacts {
  id: number;
  name: string;
  isActive: boolean;
  versionHash: string | null;
  allowedSymbols: string[] | null;
}

export async function strategyFacts(tx: Tx, strategyId: number): Promise<StrategyFacts> {
  const row = await tx.get(
    `select s.id, s.name, s.is_active, s.allowed_symbols, v.version_hash
       from strategies s left join strategy_versions v on v.id = s.current_version_id
      where s.id = ?`,
    [strategyId],
  );
  if (!row) throw new NotFoundError(`strategy ${strategyId} does not exist`);
  return {
    id: int(row.id),
    name: str(row.name),
    isActive: bool(row.is_active),
    versionHash: strOrNull(row.version_hash),
    allowedSymbols: json<string[]>(row.allowed_symbols),
  };
}

/** Inserts a validated signal (the strategy version already resolved). */
export async function insertSignal(
  tx: Tx,
  s: ParsedSignal & { strategyVersion: string },
  options: { executedAt?: Date | null } = {},
): Promise<SignalView> {
  const ts = s.ts ?? new Date();
  const executedAt = options.executedAt ?? null;
  const signalId = await tx.insert(
    `insert into signals (portfolio_id, strategy_id, strategy_version, asset_id, ts, price, action, confidence,
       aggregation_method, components, reason, target_price, quantity, executed, executed_at, test_mode, bot_version)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    [
      s.portfolioId ?? null,
      s.strategyId ?? null,
      s.strategyVersion,
      s.assetId,
      tx.time(ts),
      decimalParam(s.price, 'price'),
      s.action,
      s.confidence,
      s.aggregationMethod ?? null,
      tx.json(s.components ?? null),
      s.reason ?? null,
      decimalParamOrNull(s.targetPrice, 'targetPrice'),
      decimalParamOrNull(s.quantity, 'quantity'),
      tx.bool(executedAt !== null),
      executedAt === null ? null : tx.time(executedAt),
      tx.bool(s.testMode),
      s.botVersion ?? null,
    ],
  );
  return {
    id: signalId!,
    portfolioId: s.portfolioId ?? null,
    strategyId: s.strategyId ?? null,
    strategyVersion: s.strategyVersion,
    assetId: s.assetId,
    ts,
    price: s.price,
    action: s.action,
    confidence: s.confidence,
    aggregationMethod: s.aggregationMethod ?? null,
    components: s.components ?? null,
    reason: s.reason ?? null,
    targetPrice: s.targetPrice ?? null,
    quantity: s.quantity ?? null,
    executed: executedAt !== null,
    executedAt,
    testMode: s.testMode,
    botVersion: s.botVersion ?? null,
  };
}

/** The strategy version a signal records: the given one, else the strategy's current version. */
export function resolveStrategyVersion(s: ParsedSignal, strategy: StrategyFacts | null): string {
  if (s.strategyVersion) return s.strategyVersion;
  if (strategy?.versionHash) return strategy.versionHash;
  throw new TradingError(
    strategy
      ? `strategy ${strategy.name} has no current version: register its config or pass strategyVersion`
      : 'strategyVersion is required for a signal without a strategy',
  );
}

export async function recordSignalIn(tx: Tx, s: ParsedSignal): Promise<SignalView> {
  const strategy = s.strategyId === undefined ? null : await strategyFacts(tx, s.strategyId);
  return insertSignal(tx, { ...s, strategyVersion: resolveStrategyVersion(s, strategy) });
}

/** Records a signal with its components breakdown and provenance. */
export async function recordSignal(store: Store, input: SignalInput): Promise<SignalView> {
  const s = parseInput(SignalInput, input, 'signal');
  return inTransaction(store, (tx) => recordSignalIn(tx, s));
}

/** Marks a signal as acted on (an order was placed from it); idempotent. */
export async function markSignalExecuted(tx: Tx, signalId: number, at: Date): Promise<void> {
  await tx.run('update signals set executed = ?, executed_at = ? where id = ? and executed = ?', [
    tx.bool(true),
    tx.time(at),
    signalId,
    tx.bool(false),
  ]);
}

export async function loadSignal(tx: Tx, signalId: number): Promise<SignalView> {
  const row = await tx.get('select * from signals where id = ?', [signalId]);
  if (!row) throw new NotFoundError(`signal ${signalId} does not exist`);
  return signalFromRow(row);
}

export async function getSignal(store: Store, signalId: number): Promise<SignalView> {
  const sid = parseInput(id, signalId, 'signal id');
  return reading(store, (tx) => loadSignal(tx, sid));
}

export const SignalQuery = z
  .object({
    portfolioId: id.optional(),
    strategyId: id.optional(),
    assetId: id.optional(),
    action: z.enum(SIGNAL_ACTIONS).optional(),
    executed: z.boolean().optional(),
    /** Inclusive lower bound on ts. */
    from: when.optional(),
    /** Exclusive upper bound on ts. */
    to: when.optional(),
    limit,
    offset,
    ...testScope,
  })
  .strict();
export type SignalQuery = z.input<typeof SignalQuery>;

/** Signals matching the filter, newest first; production only unless includeTest/testMode. */
export async function listSignals(store: Store, query: SignalQuery = {}): Promise<Listing<SignalView>> {
  const q = parseInput(SignalQuery, query, 'signal query');
  return reading(store, (tx) => {
    const filter = new Where()
      .when(q.portfolioId, 'portfolio_id = ?', q.portfolioId)
      .when(q.strategyId, 'strategy_id = ?', q.strategyId)
      .when(q.assetId, 'asset_id = ?', q.assetId)
      .when(q.action, 'action = ?', q.action)
      .when(q.executed, 'executed = ?', q.executed === undefined ? null : tx.bool(q.executed))
      .when(q.from, 'ts >= ?', q.from && tx.time(q.from))
      .when(q.to, 'ts < ?', q.to && tx.time(q.to));
    return listWithCounts(tx, {
      select: '*',
      from: 'signals',
      filter,
      scope: q,
      orderBy: 'ts desc, id desc',
      limit: q.limit,
      offset: q.offset,
      map: signalFromRow,
    });
  });
}
