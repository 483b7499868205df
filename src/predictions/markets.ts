/**
 * Prediction markets (one question of an event), upserted by (venue, external id), their price
 * history (market_snapshots) and their resolution. Recording a snapshot also moves the market's
 * current quote (yes/no price, liquidity, volumes, conviction, last_price_update) when the snapshot
 * is the newest seen, in the same transaction.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { ConflictError, InvalidInputError, NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id, limitInput, when } from '../input/fields.ts';
import {
  definedFields,
  externalIdValue,
  findByVenueKey,
  predictionEvents,
  quoteValue,
  upsertByVenueKey,
  venueName,
} from './events.ts';
import { defineSelect, type Keyset, type Page, selectViews, tablePage, Where } from '../db/listing.ts';
import { changesOf, col, defineTable, named } from '../db/table.ts';
import { inTransaction, reading, type Tx } from '../db/transaction.ts';

/** A market's quote: its current one (prediction_markets) and each snapshot of it (market_snapshots). */
const quoteFields = {
  yesPrice: quoteValue.nullish(),
  noPrice: quoteValue.nullish(),
  liquidity: quoteValue.nullish(),
  volume: quoteValue.nullish(),
  volume24hr: quoteValue.nullish(),
  marketConviction: z.number().finite().nullish(),
};

/** No quote yet. */
const NO_QUOTE = {
  yesPrice: null,
  noPrice: null,
  liquidity: null,
  volume: null,
  volume24hr: null,
  marketConviction: null,
};

const PredictionMarketInput = z
  .object({
    venue: venueName,
    externalId: externalIdValue,
    /** The event, by id or by its venue id (same venue as the market). */
    eventId: id.nullish(),
    eventExternalId: externalIdValue.optional(),
    /** The tradeable instrument of this market (an `assets` row of kind prediction). */
    assetId: id.nullish(),
    question: z.string().trim().min(1),
    description: z.string().nullish(),
    outcomes: z.array(z.string().min(1)).nullish(),
    outcomePrices: z.array(quoteValue.transform((d) => d.toFixed())).nullish(),
    ...quoteFields,
    endDate: when.nullish(),
    gameStartTime: when.nullish(),
    secondsDelay: z.number().int().min(0).nullish(),
    active: z.boolean().optional(),
    closed: z.boolean().optional(),
    archived: z.boolean().optional(),
    isNew: z.boolean().optional(),
    featured: z.boolean().optional(),
    submittedBy: z.string().max(255).nullish(),
    isFiltered: z.boolean().optional(),
  })
  .strict()
  .refine((m) => !(m.eventId && m.eventExternalId), {
    message: 'give eventId or eventExternalId, not both',
    path: ['eventExternalId'],
  });

export type PredictionMarketInput = z.input<typeof PredictionMarketInput>;

/** A market's quote, current (prediction_markets) or at one time (market_snapshots). */
export interface MarketQuote {
  yesPrice: Decimal | null;
  noPrice: Decimal | null;
  liquidity: Decimal | null;
  volume: Decimal | null;
  volume24hr: Decimal | null;
  marketConviction: number | null;
}

export interface PredictionMarketView extends MarketQuote {
  id: number;
  /** The event's id (a market belongs to at most one). */
  event: number | null;
  /** The tradeable instrument's asset id. */
  asset: number | null;
  venue: string;
  externalId: string;
  question: string;
  description: string | null;
  outcomes: string[] | null;
  outcomePrices: string[] | null;
  endDate: Date | null;
  gameStartTime: Date | null;
  secondsDelay: number | null;
  active: boolean;
  closed: boolean;
  archived: boolean;
  isNew: boolean;
  featured: boolean;
  submittedBy: string | null;
  resolved: boolean;
  resolvedOutcome: string | null;
  lastPriceUpdate: Date | null;
  isFiltered: boolean;
  createdAt: Date;
  updatedAt: Date;
}

const quoteColumns = {
  yesPrice: col.decimalOrNull(),
  noPrice: col.decimalOrNull(),
  liquidity: col.decimalOrNull(),
  volume: col.decimalOrNull(),
  volume24hr: named('volume_24hr', col.decimalOrNull()),
  marketConviction: col.floatOrNull(),
};

export const predictionMarkets = defineTable<PredictionMarketView>(
  'prediction_markets',
  'prediction market',
  {
    id: col.id(),
    event: named('event_id', col.intOrNull()),
    asset: named('asset_id', col.intOrNull()),
    venue: col.text(),
    externalId: col.text(),
    question: col.text(),
    description: col.textOrNull(),
    outcomes: col.json<string[]>(),
    outcomePrices: col.json<string[]>(),
    ...quoteColumns,
    endDate: col.timeOrNull(),
    gameStartTime: col.timeOrNull(),
    secondsDelay: col.intOrNull(),
    active: col.bool(),
    closed: col.bool(),
    archived: col.bool(),
    isNew: col.bool(),
    featured: col.bool(),
    submittedBy: col.textOrNull(),
    resolved: col.bool(),
    resolvedOutcome: col.textOrNull(),
    lastPriceUpdate: col.timeOrNull(),
    isFiltered: col.bool(),
    createdAt: col.time(),
    updatedAt: col.time(),
  },
);

/** What a new market holds where the write does not say (the entity's defaults). */
const NEW_MARKET = {
  event: null,
  asset: null,
  description: null,
  outcomes: null,
  outcomePrices: null,
  ...NO_QUOTE,
  endDate: null,
  gameStartTime: null,
  secondsDelay: null,
  active: true,
  closed: false,
  archived: false,
  isNew: false,
  featured: false,
  submittedBy: null,
  resolved: false,
  resolvedOutcome: null,
  lastPriceUpdate: null,
  isFiltered: false,
} satisfies Partial<PredictionMarketView>;

/** A quote of a market at one time: its history. */
export interface MarketSnapshotView extends MarketQuote {
  id: number;
  /** The market's id. */
  market: number;
  capturedAt: Date;
}

export const marketSnapshots = defineTable<MarketSnapshotView>('market_snapshots', 'market snapshot', {
  id: col.id(),
  market: named('market_id', col.int()),
  capturedAt: col.time(),
  ...quoteColumns,
});

/** The event a market write names: by id, by its venue id (same venue), or unchanged. */
async function eventOf(
  tx: Tx,
  venue: string,
  eventId: number | null | undefined,
  eventExternalId: string | undefined,
): Promise<number | null | undefined> {
  if (eventExternalId === undefined) return eventId;
  const event = await findByVenueKey(tx, predictionEvents, { venue, externalId: eventExternalId });
  if (!event)
    throw new NotFoundError(
      `upsertPredictionMarket: eventExternalId: no ${venue} event "${eventExternalId}"`,
    );
  return event.id;
}

/** Creates or updates the market; `created` says which. Fields not given keep their stored value. */
export async function upsertPredictionMarket(
  store: Store,
  input: PredictionMarketInput,
): Promise<{ market: PredictionMarketView; created: boolean }> {
  const { venue, externalId, eventId, eventExternalId, assetId, ...fields } = parseInput(
    PredictionMarketInput,
    input,
    'upsertPredictionMarket',
  );
  return inTransaction(store, async (tx) => {
    const data = definedFields({
      ...fields,
      event: await eventOf(tx, venue, eventId, eventExternalId),
      asset: assetId,
    }) as Partial<PredictionMarketView>;
    const { view, created } = await upsertByVenueKey(
      tx,
      predictionMarkets,
      { venue, externalId },
      data,
      NEW_MARKET,
    );
    return { market: view, created };
  });
}

const marketRef = z.union([id, z.object({ venue: venueName, externalId: externalIdValue }).strict()]);

export type PredictionMarketRef = z.input<typeof marketRef>;

async function loadMarket(tx: Tx, ref: z.output<typeof marketRef>, what: string, options = { lock: false }) {
  const market =
    typeof ref === 'number'
      ? await tx
          .get(`select * from prediction_markets where id = ?${options.lock ? tx.forUpdate : ''}`, [ref])
          .then((row) => (row ? predictionMarkets.fromRow(row) : null))
      : await findByVenueKey(tx, predictionMarkets, ref, options);
  if (!market) {
    const name = typeof ref === 'number' ? `id ${ref}` : `${ref.venue} "${ref.externalId}"`;
    throw new NotFoundError(`${what}: prediction market ${name} does not exist`);
  }
  return market;
}

/** A market by id or by (venue, external id), or null. */
export async function findPredictionMarket(
  store: Store,
  ref: PredictionMarketRef,
): Promise<PredictionMarketView | null> {
  const r = parseInput(marketRef, ref, 'findPredictionMarket');
  return reading(store, (tx) => loadMarket(tx, r, 'findPredictionMarket').catch(nullWhenMissing));
}

const nullWhenMissing = (error: unknown) => {
  if (error instanceof NotFoundError) return null;
  throw error;
};

/** Markets by end date (soonest first), filtered by venue, event, resolution, activity. */
export const listPredictionMarkets = defineSelect(predictionMarkets, {
  query: z
    .object({
      venue: z.string().trim().min(1).optional(),
      eventId: id.optional(),
      resolved: z.boolean().optional(),
      active: z.boolean().optional(),
      endingBefore: when.optional(),
      limit: limitInput(10_000, 100),
    })
    .strict(),
  what: 'listPredictionMarkets',
  filter: (q, tx) =>
    new Where()
      .when(q.venue, 'venue = ?', q.venue)
      .when(q.eventId, 'event_id = ?', q.eventId)
      .when(q.resolved, 'resolved = ?', q.resolved !== undefined && tx.bool(q.resolved))
      .when(q.active, 'active = ?', q.active !== undefined && tx.bool(q.active))
      .when(q.endingBefore, 'end_date < ?', q.endingBefore && tx.time(q.endingBefore)),
  orderBy: 'end_date asc, id asc',
});

const MarketSnapshotInput = z
  .object({
    market: marketRef,
    capturedAt: when.optional(),
    ...quoteFields,
  })
  .strict();

export type MarketSnapshotInput = z.input<typeof MarketSnapshotInput>;

/**
 * Appends a price snapshot (captured_at defaults to now). When it is at least as new as the
 * market's last_price_update, the market's current quote takes the snapshot's values.
 */
export async function recordMarketSnapshot(
  store: Store,
  input: MarketSnapshotInput,
): Promise<MarketSnapshotView> {
  const {
    market: ref,
    capturedAt,
    ...values
  } = parseInput(MarketSnapshotInput, input, 'recordMarketSnapshot');
  const at = capturedAt ?? new Date();
  return inTransaction(store, async (tx) => {
    const market = await loadMarket(tx, ref, 'recordMarketSnapshot', { lock: true });
    const snapshot = await marketSnapshots.insert(tx, {
      market: market.id,
      capturedAt: at,
      ...NO_QUOTE,
      ...definedFields(values),
    });
    if (!market.lastPriceUpdate || market.lastPriceUpdate.getTime() <= at.getTime()) {
      const quote = { ...definedFields(values), lastPriceUpdate: at } as Partial<PredictionMarketView>;
      await predictionMarkets.update(tx, market.id, changesOf(market, quote));
    }
    return snapshot;
  });
}

const MarketSnapshotQuery = z
  .object({
    from: when.optional(),
    to: when.optional(),
    limit: limitInput(100_000, 10_000),
  })
  .strict();

/** A market's snapshots in [from, to), oldest first. */
export async function listMarketSnapshots(
  store: Store,
  ref: PredictionMarketRef,
  options: z.input<typeof MarketSnapshotQuery> = {},
): Promise<MarketSnapshotView[]> {
  const r = parseInput(marketRef, ref, 'listMarketSnapshots market');
  const q = parseInput(MarketSnapshotQuery, options, 'listMarketSnapshots');
  return reading(store, async (tx) => {
    const market = await loadMarket(tx, r, 'listMarketSnapshots');
    return selectViews(tx, marketSnapshots, {
      filter: new Where()
        .add('market_id = ?', market.id)
        .when(q.from, 'captured_at >= ?', q.from && tx.time(q.from))
        .when(q.to, 'captured_at < ?', q.to && tx.time(q.to)),
      orderBy: 'captured_at asc, id asc',
      limit: q.limit,
    });
  });
}

/**
 * Marks the market resolved with `outcome` (one of its outcomes when it lists them) and closed.
 * Resolving again with the same outcome is a no-op; with a different one it is an error.
 */
export async function resolvePredictionMarket(
  store: Store,
  ref: PredictionMarketRef,
  outcome: string,
): Promise<PredictionMarketView> {
  const input = parseInput(
    z.object({ market: marketRef, outcome: z.string().trim().min(1).max(255) }),
    { market: ref, outcome },
    'resolvePredictionMarket',
  );
  return inTransaction(store, async (tx) => {
    const market = await loadMarket(tx, input.market, 'resolvePredictionMarket', { lock: true });
    if (market.outcomes && !market.outcomes.includes(input.outcome)) {
      throw new InvalidInputError('resolvePredictionMarket', [
        {
          path: 'outcome',
          message: `"${input.outcome}" is not one of ${market.outcomes.map((o) => `"${o}"`).join(', ')}`,
        },
      ]);
    }
    if (market.resolved) {
      if (market.resolvedOutcome === input.outcome) return market;
      throw new ConflictError(
        `resolvePredictionMarket: market ${market.id} is already resolved as "${market.resolvedOutcome}"`,
      );
    }
    const changes = changesOf(market, { resolved: true, resolvedOutcome: input.outcome, closed: true });
    await predictionMarkets.update(tx, market.id, changes);
    return { ...market, ...changes };
  });
}

/** Markets newest first, a keyset page. */
export async function pagePredictionMarkets(
  store: Store,
  query: Keyset,
): Promise<Page<PredictionMarketView>> {
  return tablePage(store, predictionMarkets, new Where(), query);
}

/** A market's snapshots newest first, a keyset page. */
export async function pageMarketSnapshots(
  store: Store,
  ref: PredictionMarketRef,
  query: Keyset,
): Promise<Page<MarketSnapshotView>> {
  const r = parseInput(marketRef, ref, 'pageMarketSnapshots market');
  const market = await reading(store, (tx) => loadMarket(tx, r, 'pageMarketSnapshots'));
  return tablePage(store, marketSnapshots, new Where().add('market_id = ?', market.id), query);
}
