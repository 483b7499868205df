/**
 * Learning entries: insights the bot draws from outcomes. Recorded once, then validated each time
 * a further trade confirms them (validation_count + 1, the trade added to supporting_trades, the
 * confidence optionally revised), in one transaction so concurrent validations never lose a count.
 * Reads return production entries only unless `includeTest`.
 */
import { LockMode } from '@mikro-orm/core';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { LearningEntry } from '../entities/strategy-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion, confidence, id as idInput, limitInput, type ScopeCounts } from '../input/fields.ts';
import { entityPage, type Keyset, type Page } from '../db/listing.ts';

export interface LearningEntryView {
  id: number;
  strategyId: number | null;
  insight: string;
  supportingTrades: number[];
  confidence: number | null;
  impactType: string | null;
  marketConditions: Record<string, unknown> | null;
  validationCount: number;
  testMode: boolean;
  botVersion: string | null;
  createdAt: Date;
  updatedAt: Date;
}

function learningEntryFromRow(row: LearningEntry): LearningEntryView {
  return {
    id: row.id,
    strategyId: row.strategy ? row.strategy.id : null,
    insight: row.insight,
    supportingTrades: row.supportingTrades ?? [],
    confidence: row.confidence == null ? null : Number(row.confidence),
    impactType: row.impactType ?? null,
    marketConditions: row.marketConditions ?? null,
    validationCount: row.validationCount,
    testMode: row.testMode,
    botVersion: row.botVersion ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

const LearningEntryInput = z
  .object({
    strategyId: idInput.nullish(),
    insight: z.string().trim().min(1),
    supportingTrades: z.array(idInput).nullish(),
    confidence: confidence.nullish(),
    impactType: z.string().trim().min(1).max(64).nullish(),
    marketConditions: z.record(z.string(), z.json()).nullish(),
    testMode: z.boolean().default(false),
    botVersion: botVersion.nullish(),
  })
  .strict();

export type LearningEntryInput = z.input<typeof LearningEntryInput>;

export async function recordLearningEntry(
  store: Store,
  input: LearningEntryInput,
): Promise<LearningEntryView> {
  const data = parseInput(LearningEntryInput, input, 'recordLearningEntry');
  const em = store.em();
  const row = em.create(LearningEntry, {
    strategy: data.strategyId ?? null,
    insight: data.insight,
    supportingTrades: data.supportingTrades ? [...new Set(data.supportingTrades)] : null,
    confidence: data.confidence ?? null,
    impactType: data.impactType ?? null,
    marketConditions: (data.marketConditions as Record<string, unknown> | null | undefined) ?? null,
    testMode: data.testMode,
    botVersion: data.botVersion ?? null,
  });
  await em.persist(row).flush();
  return learningEntryFromRow(row);
}

const ValidateLearningEntryInput = z
  .object({
    id: idInput,
    /** The trade that confirms the insight; appended to supporting_trades once. */
    tradeId: idInput.optional(),
    /** A revised confidence. */
    confidence: confidence.optional(),
  })
  .strict();

/** One more confirmation of an entry: validation_count + 1 (and the supporting trade, confidence). */
export async function validateLearningEntry(
  store: Store,
  id: number,
  options: { tradeId?: number; confidence?: number } = {},
): Promise<LearningEntryView> {
  const input = parseInput(ValidateLearningEntryInput, { id, ...options }, 'validateLearningEntry');
  return store.em().transactional(async (em) => {
    const row = await em.findOne(
      LearningEntry,
      { id: input.id },
      store.dialect === 'postgresql' ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {},
    );
    if (!row) throw new NotFoundError(`validateLearningEntry: learning entry ${input.id} does not exist`);
    row.validationCount += 1;
    if (input.tradeId !== undefined) {
      const trades = row.supportingTrades ?? [];
      if (!trades.includes(input.tradeId)) row.supportingTrades = [...trades, input.tradeId];
    }
    if (input.confidence !== undefined) row.confidence = input.confidence;
    await em.flush();
    return learningEntryFromRow(row);
  });
}

const LearningEntryQuery = z
  .object({
    strategyId: idInput.optional(),
    impactType: z.string().trim().min(1).optional(),
    minConfidence: confidence.optional(),
    minValidations: z.number().int().min(0).optional(),
    includeTest: z.boolean().default(false),
    limit: limitInput(10_000, 100),
  })
  .strict();

function filterOf(q: Partial<z.output<typeof LearningEntryQuery>>): Record<string, unknown> {
  const filter: Record<string, unknown> = {};
  if (q.strategyId) filter.strategy = q.strategyId;
  if (q.impactType) filter.impactType = q.impactType;
  if (q.minConfidence !== undefined) filter.confidence = { $gte: q.minConfidence };
  if (q.minValidations !== undefined) filter.validationCount = { $gte: q.minValidations };
  return filter;
}

/** Entries, most validated and most confident first; production only unless `includeTest`. */
export async function listLearningEntries(
  store: Store,
  options: z.input<typeof LearningEntryQuery> = {},
): Promise<LearningEntryView[]> {
  const q = parseInput(LearningEntryQuery, options, 'listLearningEntries');
  const filter = filterOf(q);
  if (!q.includeTest) filter.testMode = false;
  const rows = await store.em().find(LearningEntry, filter, {
    orderBy: { validationCount: 'desc', confidence: 'desc nulls last', id: 'asc' },
    limit: q.limit,
  });
  return rows.map(learningEntryFromRow);
}

export async function getLearningEntry(store: Store, id: number): Promise<LearningEntryView | null> {
  const entryId = parseInput(idInput, id, 'getLearningEntry id');
  const row = await store.em().findOne(LearningEntry, { id: entryId });
  return row ? learningEntryFromRow(row) : null;
}

/** Matching entries counted apart for production and test mode. */
export async function countLearningEntries(
  store: Store,
  options: Omit<z.input<typeof LearningEntryQuery>, 'includeTest' | 'limit'> = {},
): Promise<ScopeCounts> {
  const filter = filterOf(parseInput(LearningEntryQuery, options, 'countLearningEntries'));
  const em = store.em();
  const production = await em.count(LearningEntry, { ...filter, testMode: false });
  const test = await em.count(LearningEntry, { ...filter, testMode: true });
  return { production, test };
}

/** Learning entries newest first, a keyset page; production only unless `includeTest`. */
export async function pageLearningEntries(
  store: Store,
  query: Keyset & { includeTest?: boolean | undefined },
): Promise<Page<LearningEntryView>> {
  return entityPage(
    store.em(),
    LearningEntry,
    query.includeTest ? {} : { testMode: false },
    query,
    learningEntryFromRow,
  );
}
