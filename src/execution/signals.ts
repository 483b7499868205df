/**
 * Signals: what a strategy (or the aggregator, strategy null) said about an asset, with the
 * per-strategy components breakdown and provenance (bot_version, strategy_version, test_mode).
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { bool, int, json, str, strOrNull } from '../db/column-values.ts';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, type Read, reading, type Tx } from '../db/transaction.ts';
import { SIGNAL_ACTIONS, type SignalAction } from '../entities/execution-tables.ts';
import { NotFoundError, TradingError } from '../input/errors.ts';
import {
  botVersion,
  confidence,
  id,
  idFilters,
  jsonObject,
  nonNegativeDecimal,
  positiveDecimal,
  when,
} from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { recordChange } from '../events/outbox.ts';

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

export const signals = defineTable<SignalView>('signals', 'signal', {
  id: col.id(),
  portfolioId: col.intOrNull(),
  strategyId: col.intOrNull(),
  strategyVersion: col.text(),
  assetId: col.int(),
  ts: col.time(),
  price: col.decimal(),
  action: col.text<SignalAction>(),
  confidence: col.float(),
  aggregationMethod: col.textOrNull(),
  components: col.json<Record<string, unknown>>(),
  reason: col.textOrNull(),
  targetPrice: col.decimalOrNull(),
  quantity: col.decimalOrNull(),
  executed: col.bool(),
  executedAt: col.timeOrNull(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
});

/** The strategy facts the trading services need: its current version hash and watchlist. */
export interface StrategyFacts {
  id: number;
  name: string;
  isActive: boolean;
  versionHash: string | null;
  allowedSymbols: string[] | null;
}

/** What a signal and its idea need of their strategy (current version, watchlist), as a Read. */
export function strategyFactsRead(strategyId: number): Read<StrategyFacts> {
  return {
    sql: `select s.id, s.name, s.is_active, s.allowed_symbols, v.version_hash
       from strategies s left join strategy_versions v on v.id = s.current_version_id
      where s.id = ?`,
    params: [strategyId],
    rows([row]) {
      if (!row) throw new NotFoundError(`strategy ${strategyId} does not exist`);
      return {
        id: int(row.id),
        name: str(row.name),
        isActive: bool(row.is_active),
        versionHash: strOrNull(row.version_hash),
        allowedSymbols: json<string[]>(row.allowed_symbols),
      };
    },
  };
}

export async function strategyFacts(tx: Tx, strategyId: number): Promise<StrategyFacts> {
  const [facts] = await tx.readEach([strategyFactsRead(strategyId)]);
  return facts;
}

/** Inserts a validated signal (the strategy version already resolved). */
export async function insertSignal(
  tx: Tx,
  s: ParsedSignal & { strategyVersion: string },
  options: { executedAt?: Date | null } = {},
): Promise<SignalView> {
  const ts = s.ts ?? new Date();
  const executedAt = options.executedAt ?? null;
  const signal = await signals.insert(tx, {
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
  });
  recordChange(tx, 'signal', 'recorded', signal);
  return signal;
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
export function markSignalExecuted(tx: Tx, signalId: number, at: Date): void {
  tx.later('update signals set executed = ?, executed_at = ? where id = ? and executed = ?', [
    tx.bool(true),
    tx.time(at),
    signalId,
    tx.bool(false),
  ]);
}

export async function loadSignal(tx: Tx, signalId: number): Promise<SignalView> {
  const row = await tx.get('select * from signals where id = ?', [signalId]);
  if (!row) throw new NotFoundError(`signal ${signalId} does not exist`);
  return signals.fromRow(row);
}

export async function getSignal(store: Store, signalId: number): Promise<SignalView> {
  const sid = parseInput(id, signalId, 'signal id');
  return reading(store, (tx) => loadSignal(tx, sid));
}

/** Signals matching the filter, newest first (`from` inclusive, `to` exclusive on ts); production only unless includeTest/testMode. */
export const listSignals = defineListing(signals, {
  fields: {
    ...idFilters('portfolioId', 'strategyId', 'assetId'),
    action: z.enum(SIGNAL_ACTIONS).optional(),
    executed: z.boolean().optional(),
  },
  window: 'ts',
  orderBy: 'ts desc, id desc',
});
export type SignalQuery = ListingQuery<typeof listSignals>;
