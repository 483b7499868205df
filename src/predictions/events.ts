/**
 * Prediction-market events (e.g. a Polymarket event), upserted by (venue, external id): the first
 * write creates the row, later writes update the fields they carry and leave the others alone.
 */
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { PredictionEvent } from '../entities/market-data-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { moneyValue, when } from '../input/fields.ts';

/** An exact amount that fits decimal(38,18): refused (not rounded) when it does not. */
export const quoteValue = moneyValue.refine(
  (d) => d.decimalPlaces() <= 18 && d.abs().lt(new Decimal(10).pow(20)),
  {
    message: 'does not fit numeric(38,18): at most 20 integer digits and 18 decimal places',
  },
);

export const venueName = z.string().trim().min(1).max(64).default('polymarket');
export const externalIdValue = z.string().trim().min(1).max(255);

const PredictionEventInput = z
  .object({
    venue: venueName,
    externalId: externalIdValue,
    title: z.string().trim().min(1),
    slug: z.string().max(255).nullish(),
    description: z.string().nullish(),
    startDate: when.nullish(),
    endDate: when.nullish(),
    imageUrl: z.string().nullish(),
    icon: z.string().nullish(),
    active: z.boolean().optional(),
    closed: z.boolean().optional(),
    archived: z.boolean().optional(),
    isNew: z.boolean().optional(),
    featured: z.boolean().optional(),
    restricted: z.boolean().optional(),
    liquidity: quoteValue.nullish(),
    volume: quoteValue.nullish(),
    tags: z.array(z.json()).nullish(),
    isFiltered: z.boolean().optional(),
  })
  .strict();

export type PredictionEventInput = z.input<typeof PredictionEventInput>;

/** The defined fields of `data` (undefined = "not given, keep what is stored"). */
export function definedFields<T extends Record<string, unknown>>(data: T): Partial<T> {
  return Object.fromEntries(Object.entries(data).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/**
 * Runs `fn` in a transaction, once more if a concurrent writer inserted the same natural key
 * first (the retry then finds and updates that row).
 */
export async function withUniqueRetry<T>(
  store: Store,
  fn: (em: ReturnType<Store['em']>) => Promise<T>,
): Promise<T> {
  try {
    return await store.em().transactional(fn);
  } catch (error) {
    if (!(error instanceof UniqueConstraintViolationException)) throw error;
    return store.em().transactional(fn);
  }
}

/** Creates or updates the event; `created` says which. */
export async function upsertPredictionEvent(
  store: Store,
  input: PredictionEventInput,
): Promise<{ event: PredictionEvent; created: boolean }> {
  const { venue, externalId, ...fields } = parseInput(PredictionEventInput, input, 'upsertPredictionEvent');
  const data = definedFields(fields);
  return withUniqueRetry(store, async (em) => {
    const existing = await em.findOne(PredictionEvent, { venue, externalId });
    if (existing) {
      em.assign(existing, data as never);
      await em.flush();
      return { event: existing, created: false };
    }
    const event = em.create(PredictionEvent, { venue, externalId, ...data } as never) as PredictionEvent;
    await em.flush();
    return { event, created: true };
  });
}

/** The event with that venue id, or null. */
export async function findPredictionEvent(
  store: Store,
  key: { venue?: string; externalId: string },
): Promise<PredictionEvent | null> {
  const q = parseInput(
    z.object({ venue: venueName, externalId: externalIdValue }).strict(),
    key,
    'findPredictionEvent',
  );
  return store.em().findOne(PredictionEvent, q);
}

export async function getPredictionEvent(store: Store, id: number): Promise<PredictionEvent> {
  const row = await store.em().findOne(PredictionEvent, { id });
  if (!row) throw new NotFoundError(`prediction event ${id} does not exist`);
  return row;
}
