/**
 * Prediction-market events (e.g. a Polymarket event), upserted by (venue, external id): the first
 * write creates the row, later writes update the fields they carry and leave the others alone.
 */
import { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { changesOf, col, defineTable, type NewRow, type Table } from '../db/table.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';
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

export interface PredictionEventView {
  id: number;
  venue: string;
  externalId: string;
  title: string;
  slug: string | null;
  description: string | null;
  startDate: Date | null;
  endDate: Date | null;
  imageUrl: string | null;
  icon: string | null;
  active: boolean;
  closed: boolean;
  archived: boolean;
  isNew: boolean;
  featured: boolean;
  restricted: boolean;
  liquidity: Decimal | null;
  volume: Decimal | null;
  tags: unknown[] | null;
  isFiltered: boolean;
  createdAt: Date;
  updatedAt: Date;
}

export const predictionEvents = defineTable<PredictionEventView>('prediction_events', 'prediction event', {
  id: col.id(),
  venue: col.text(),
  externalId: col.text(),
  title: col.text(),
  slug: col.textOrNull(),
  description: col.textOrNull(),
  startDate: col.timeOrNull(),
  endDate: col.timeOrNull(),
  imageUrl: col.textOrNull(),
  icon: col.textOrNull(),
  active: col.bool(),
  closed: col.bool(),
  archived: col.bool(),
  isNew: col.bool(),
  featured: col.bool(),
  restricted: col.bool(),
  liquidity: col.decimalOrNull(),
  volume: col.decimalOrNull(),
  tags: col.json<unknown[]>(),
  isFiltered: col.bool(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

/** What a new event holds where the write does not say (the entity's defaults). */
const NEW_EVENT = {
  slug: null,
  description: null,
  startDate: null,
  endDate: null,
  imageUrl: null,
  icon: null,
  active: true,
  closed: false,
  archived: false,
  isNew: false,
  featured: false,
  restricted: false,
  liquidity: null,
  volume: null,
  tags: null,
  isFiltered: false,
} satisfies Partial<PredictionEventView>;

/** A row named by its venue key: `prediction_events`, `prediction_markets`. */
interface VenueKeyed {
  id: number;
  venue: string;
  externalId: string;
  createdAt: Date;
  updatedAt: Date;
}

/** The row of (venue, external id), locked until commit; null when there is none. */
export async function findByVenueKey<V extends VenueKeyed>(
  tx: Tx,
  table: Table<V>,
  key: { venue: string; externalId: string },
  options: { lock?: boolean } = {},
): Promise<V | null> {
  const row = await tx.get(
    `select * from ${table.name} where venue = ? and external_id = ?${options.lock ? tx.forUpdate : ''}`,
    [key.venue, key.externalId],
  );
  return row ? table.fromRow(row) : null;
}

/**
 * Creates the row of (venue, external id) from `defaults` and `fields`, or updates the fields given
 * of the row already there; `created` says which. A concurrent writer inserting the same key first
 * makes this an update of its row (the insert does nothing on the unique key).
 */
export async function upsertByVenueKey<V extends VenueKeyed>(
  tx: Tx,
  table: Table<V>,
  key: { venue: string; externalId: string },
  fields: Partial<V>,
  defaults: Partial<NewRow<V>>,
): Promise<{ view: V; created: boolean }> {
  let existing = await findByVenueKey(tx, table, key, { lock: true });
  if (!existing) {
    const now = new Date();
    const values = { ...defaults, ...fields, ...key, createdAt: now, updatedAt: now } as unknown as NewRow<V>;
    const inserted = await table.insertUnlessExists(tx, values, 'venue, external_id');
    if (inserted) return { view: (await findByVenueKey(tx, table, key))!, created: true };
    existing = (await findByVenueKey(tx, table, key, { lock: true }))!;
  }
  const changes = changesOf(existing, fields);
  await table.update(tx, existing.id, changes as Partial<NewRow<V>>);
  return { view: { ...existing, ...changes }, created: false };
}

/** Creates or updates the event; `created` says which. */
export async function upsertPredictionEvent(
  store: Store,
  input: PredictionEventInput,
): Promise<{ event: PredictionEventView; created: boolean }> {
  const { venue, externalId, ...fields } = parseInput(PredictionEventInput, input, 'upsertPredictionEvent');
  const data = definedFields(fields) as Partial<PredictionEventView>;
  const { view, created } = await inTransaction(store, (tx) =>
    upsertByVenueKey(tx, predictionEvents, { venue, externalId }, data, NEW_EVENT),
  );
  return { event: view, created };
}

/** The event with that venue id, or null. */
export async function findPredictionEvent(
  store: Store,
  key: { venue?: string; externalId: string },
): Promise<PredictionEventView | null> {
  const q = parseInput(
    z.object({ venue: venueName, externalId: externalIdValue }).strict(),
    key,
    'findPredictionEvent',
  );
  return reading(store, (tx) => findByVenueKey(tx, predictionEvents, q));
}

export async function getPredictionEvent(store: Store, id: number): Promise<PredictionEventView> {
  const row = await reading(store, (tx) => tx.get('select * from prediction_events where id = ?', [id]));
  if (!row) throw new NotFoundError(`prediction event ${id} does not exist`);
  return predictionEvents.fromRow(row);
}
