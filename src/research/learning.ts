/**
 * Learning entries: insights the bot draws from outcomes. Recorded once, then validated each time
 * a further trade confirms them (validation_count + 1, the trade added to supporting_trades, the
 * confidence optionally revised), in one transaction so concurrent validations never lose a count.
 * Reads return production entries only unless `includeTest`.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { botVersion, confidence, id as idInput, limitInput } from '../input/fields.ts';
import {
  defineCount,
  defineSelect,
  type Keyset,
  type Page,
  productionUnless,
  tablePage,
  Where,
} from '../db/listing.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, reading } from '../db/transaction.ts';

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

export const learningEntries = defineTable<LearningEntryView>('learning_entries', 'learning entry', {
  id: col.id(),
  strategyId: col.intOrNull(),
  insight: col.text(),
  supportingTrades: col.list<number>({ emptyIsNull: true }),
  confidence: col.floatOrNull(),
  impactType: col.textOrNull(),
  marketConditions: col.json<Record<string, unknown>>(),
  validationCount: col.int(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

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
  const now = new Date();
  return inTransaction(store, (tx) =>
    learningEntries.insert(tx, {
      strategyId: data.strategyId ?? null,
      insight: data.insight,
      supportingTrades: data.supportingTrades ? [...new Set(data.supportingTrades)] : [],
      confidence: data.confidence ?? null,
      impactType: data.impactType ?? null,
      marketConditions: (data.marketConditions as Record<string, unknown> | null | undefined) ?? null,
      validationCount: 0,
      testMode: data.testMode,
      botVersion: data.botVersion ?? null,
      createdAt: now,
      updatedAt: now,
    }),
  );
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
  return inTransaction(store, async (tx) => {
    const row = await tx.get(`select * from learning_entries where id = ?${tx.forUpdate}`, [input.id]);
    if (!row) throw new NotFoundError(`validateLearningEntry: learning entry ${input.id} does not exist`);
    const entry = learningEntries.fromRow(row);
    const changes: Partial<LearningEntryView> = {
      validationCount: entry.validationCount + 1,
      updatedAt: new Date(),
    };
    if (input.tradeId !== undefined && !entry.supportingTrades.includes(input.tradeId))
      changes.supportingTrades = [...entry.supportingTrades, input.tradeId];
    if (input.confidence !== undefined) changes.confidence = input.confidence;
    await learningEntries.update(tx, input.id, changes);
    return { ...entry, ...changes };
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

function filterOf(q: Partial<z.output<typeof LearningEntryQuery>>): Where {
  return new Where()
    .when(q.strategyId, 'strategy_id = ?', q.strategyId)
    .when(q.impactType, 'impact_type = ?', q.impactType)
    .when(q.minConfidence, 'confidence >= ?', q.minConfidence)
    .when(q.minValidations, 'validation_count >= ?', q.minValidations);
}

/** Entries, most validated and most confident first; production only unless `includeTest`. */
export const listLearningEntries = defineSelect(learningEntries, {
  query: LearningEntryQuery,
  what: 'listLearningEntries',
  filter: (q, tx) => productionUnless(tx, q.includeTest, filterOf(q)),
  orderBy: 'validation_count desc, confidence desc nulls last, id asc',
});

export async function getLearningEntry(store: Store, id: number): Promise<LearningEntryView | null> {
  const entryId = parseInput(idInput, id, 'getLearningEntry id');
  return reading(store, async (tx) => {
    const row = await tx.get('select * from learning_entries where id = ?', [entryId]);
    return row ? learningEntries.fromRow(row) : null;
  });
}

/** Matching entries counted apart for production and test mode. */
export const countLearningEntries = defineCount(learningEntries, {
  query: LearningEntryQuery.omit({ includeTest: true, limit: true }),
  what: 'countLearningEntries',
  filter: filterOf,
});

/** Learning entries newest first, a keyset page; production only unless `includeTest`. */
export async function pageLearningEntries(
  store: Store,
  query: Keyset & { includeTest?: boolean | undefined },
): Promise<Page<LearningEntryView>> {
  return tablePage(store, learningEntries, (tx) => productionUnless(tx, query.includeTest), query);
}
