/**
 * Prediction markets (one question of an event), upserted by (venue, external id), their price
 * history (market_snapshots) and their resolution. Recording a snapshot also moves the market's
 * current quote (yes/no price, liquidity, volumes, conviction, last_price_update) when the snapshot
 * is the newest seen, in the same transaction.
 */
import type { FilterQuery } from '@mikro-orm/core';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { MarketSnapshot, PredictionEvent, PredictionMarket } from '../entities/market-data-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id, limitInput, when } from '../input/fields.ts';
import { definedFields, externalIdValue, quoteValue, venueName, withUniqueRetry } from './events.ts';
import { entityPage, type Keyset, type Page } from '../db/listing.ts';

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
    yesPrice: quoteValue.nullish(),
    noPrice: quoteValue.nullish(),
    liquidity: quoteValue.nullish(),
    volume: quoteValue.nullish(),
    volume24hr: quoteValue.nullish(),
    marketConviction: z.number().finite().nullish(),
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

/** Creates or updates the market; `created` says which. Fields not given keep their stored value. */
export async function upsertPredictionMarket(
  store: Store,
  input: PredictionMarketInput,
): Promise<{ market: PredictionMarket; created: boolean }> {
  const { venue, externalId, eventId, eventExternalId, assetId, ...fields } = parseInput(
    PredictionMarketInput,
    input,
    'upsertPredictionMarket',
  );
  return withUniqueRetry(store, async (em) => {
    const data: Record<string, unknown> = definedFields(fields);
    if (eventExternalId !== undefined) {
      const event = await em.findOne(PredictionEvent, { venue, externalId: eventExternalId });
      if (!event)
        throw new NotFoundError(
          `upsertPredictionMarket: eventExternalId: no ${venue} event "${eventExternalId}"`,
        );
      data.event = event;
    } else if (eventId !== undefined) {
      data.event = eventId === null ? null : em.getReference(PredictionEvent, eventId);
    }
    if (assetId !== undefined) data.asset = assetId;
    const existing = await em.findOne(PredictionMarket, { venue, externalId });
    if (existing) {
      em.assign(existing, data as never);
      await em.flush();
      return { market: existing, created: false };
    }
    const market = em.create(PredictionMarket, { venue, externalId, ...data } as never) as PredictionMarket;
    await em.flush();
    return { market, created: true };
  });
}

const marketRef = z.union([id, z.object({ venue: venueName, externalId: externalIdValue }).strict()]);

export type PredictionMarketRef = z.input<typeof marketRef>;

async function loadMarket(em: ReturnType<Store['em']>, ref: z.output<typeof marketRef>, what: string) {
  const market = await em.findOne(PredictionMarket, typeof ref === 'number' ? { id: ref } : ref);
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
): Promise<PredictionMarket | null> {
  const r = parseInput(marketRef, ref, 'findPredictionMarket');
  return store.em().findOne(PredictionMarket, typeof r === 'number' ? { id: r } : r);
}

const PredictionMarketQuery = z
  .object({
    venue: z.string().trim().min(1).optional(),
    eventId: id.optional(),
    resolved: z.boolean().optional(),
    active: z.boolean().optional(),
    endingBefore: when.optional(),
    limit: limitInput(10_000, 100),
  })
  .strict();

/** Markets by end date (soonest first), filtered by venue, event, resolution, activity. */
export async function listPredictionMarkets(
  store: Store,
  options: z.input<typeof PredictionMarketQuery> = {},
): Promise<PredictionMarket[]> {
  const q = parseInput(PredictionMarketQuery, options, 'listPredictionMarkets');
  const filter: Record<string, unknown> = {};
  if (q.venue) filter.venue = q.venue;
  if (q.eventId) filter.event = q.eventId;
  if (q.resolved !== undefined) filter.resolved = q.resolved;
  if (q.active !== undefined) filter.active = q.active;
  if (q.endingBefore) filter.endDate = { $lt: q.endingBefore };
  return store.em().find(PredictionMarket, filter as FilterQuery<PredictionMarket>, {
    orderBy: { endDate: 'asc', id: 'asc' },
    limit: q.limit,
  });
}

const MarketSnapshotInput = z
  .object({
    market: marketRef,
    capturedAt: when.optional(),
    yesPrice: quoteValue.nullish(),
    noPrice: quoteValue.nullish(),
    liquidity: quoteValue.nullish(),
    volume: quoteValue.nullish(),
    volume24hr: quoteValue.nullish(),
    marketConviction: z.number().finite().nullish(),
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
): Promise<MarketSnapshot> {
  const {
    market: ref,
    capturedAt,
    ...values
  } = parseInput(MarketSnapshotInput, input, 'recordMarketSnapshot');
  const at = capturedAt ?? new Date();
  return store.em().transactional(async (em) => {
    const market = await loadMarket(em, ref, 'recordMarketSnapshot');
    const quote = {
      yesPrice: values.yesPrice ?? null,
      noPrice: values.noPrice ?? null,
      liquidity: values.liquidity ?? null,
      volume: values.volume ?? null,
      volume24hr: values.volume24hr ?? null,
      marketConviction: values.marketConviction ?? null,
    };
    const snapshot = em.create(MarketSnapshot, { market, capturedAt: at, ...quote });
    if (!market.lastPriceUpdate || market.lastPriceUpdate.getTime() <= at.getTime()) {
      em.assign(market, { ...definedFields(values), lastPriceUpdate: at } as never);
    }
    await em.flush();
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
): Promise<MarketSnapshot[]> {
  const r = parseInput(marketRef, ref, 'listMarketSnapshots market');
  const q = parseInput(MarketSnapshotQuery, options, 'listMarketSnapshots');
  const em = store.em();
  const market = await loadMarket(em, r, 'listMarketSnapshots');
  const filter: Record<string, unknown> = { market };
  if (q.from || q.to)
    filter.capturedAt = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
  return em.find(MarketSnapshot, filter as FilterQuery<MarketSnapshot>, {
    orderBy: { capturedAt: 'asc', id: 'asc' },
    limit: q.limit,
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
): Promise<PredictionMarket> {
  const input = parseInput(
    z.object({ market: marketRef, outcome: z.string().trim().min(1).max(255) }),
    { market: ref, outcome },
    'resolvePredictionMarket',
  );
  return store.em().transactional(async (em) => {
    const market = await loadMarket(em, input.market, 'resolvePredictionMarket');
    if (market.outcomes && !market.outcomes.includes(input.outcome)) {
      throw new Error(
        `resolvePredictionMarket: outcome: "${input.outcome}" is not one of ${market.outcomes.map((o) => `"${o}"`).join(', ')}`,
      );
    }
    if (market.resolved) {
      if (market.resolvedOutcome === input.outcome) return market;
      throw new Error(
        `resolvePredictionMarket: market ${market.id} is already resolved as "${market.resolvedOutcome}"`,
      );
    }
    market.resolved = true;
    market.resolvedOutcome = input.outcome;
    market.closed = true;
    await em.flush();
    return market;
  });
}

/** Markets newest first, a keyset page. */
export async function pagePredictionMarkets(store: Store, query: Keyset): Promise<Page<PredictionMarket>> {
  return entityPage(store.em(), PredictionMarket, {}, query, (m) => m);
}

/** A market's snapshots newest first, a keyset page. */
export async function pageMarketSnapshots(
  store: Store,
  ref: PredictionMarketRef,
  query: Keyset,
): Promise<Page<MarketSnapshot>> {
  const em = store.em();
  const market = await loadMarket(
    em,
    parseInput(marketRef, ref, 'pageMarketSnapshots market'),
    'pageMarketSnapshots',
  );
  return entityPage(em, MarketSnapshot, { market }, query, (m) => m);
}
