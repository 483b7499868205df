/**
 * News items: a seen item is never stored twice. Each item's `dedup_key` is `guid:<guid>` when the
 * feed gives a guid, otherwise `sha256:<hash of source, headline and published_at>`; the unique
 * index on it makes a second write (even from a concurrent poller) a no-op that reports
 * `isNew: false` and returns the stored item.
 */
import { createHash } from 'node:crypto';
import type { FilterQuery } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { NewsItem } from '../entities/market-data-tables.ts';
import { parseInput } from '../input/parse.ts';
import { id, limitInput, when } from '../input/fields.ts';
import { entityPage, type Keyset, type Page } from '../db/listing.ts';

const NewsItemInput = z
  .object({
    feedId: id.nullish(),
    guid: z.string().trim().min(1).max(1024).nullish(),
    headline: z.string().trim().min(1),
    summary: z.string().nullish(),
    url: z.string().trim().min(1).max(2048).nullish(),
    source: z.string().trim().min(1).max(255).nullish(),
    symbols: z.array(z.string().trim().min(1).max(64)).nullish(),
    publishedAt: when.nullish(),
    capturedAt: when.optional(),
  })
  .strict();

export type NewsItemInput = z.input<typeof NewsItemInput>;

export interface NewsItemView {
  id: number;
  feedId: number | null;
  dedupKey: string;
  guid: string | null;
  headline: string;
  summary: string | null;
  url: string | null;
  source: string | null;
  symbols: string[];
  publishedAt: Date | null;
  capturedAt: Date;
}

function newsItemFromRow(row: NewsItem): NewsItemView {
  return {
    id: row.id,
    feedId: row.feed ? row.feed.id : null,
    dedupKey: row.dedupKey,
    guid: row.guid ?? null,
    headline: row.headline,
    summary: row.summary ?? null,
    url: row.url ?? null,
    source: row.source ?? null,
    symbols: row.symbols ?? [],
    publishedAt: row.publishedAt ?? null,
    capturedAt: row.capturedAt,
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/**
 * The item's identity: its guid, or (without one) a hash of source, whitespace-normalised
 * headline and publication time. A guid too long for the column is hashed.
 */
export function newsDedupKey(item: {
  guid?: string | null;
  headline: string;
  source?: string | null;
  publishedAt?: Date | null;
}): string {
  if (item.guid) return item.guid.length <= 250 ? `guid:${item.guid}` : `guid-sha256:${sha256(item.guid)}`;
  const headline = item.headline.trim().replace(/\s+/g, ' ');
  return `sha256:${sha256(JSON.stringify([item.source ?? '', headline, item.publishedAt?.toISOString() ?? '']))}`;
}

function rowData(input: z.output<typeof NewsItemInput>) {
  const symbols = input.symbols ? [...new Set(input.symbols.map((s) => s.toUpperCase()))] : null;
  return {
    feed: input.feedId ?? null,
    dedupKey: newsDedupKey(input),
    guid: input.guid ?? null,
    headline: input.headline,
    summary: input.summary ?? null,
    url: input.url ?? null,
    source: input.source ?? null,
    symbols,
    publishedAt: input.publishedAt ?? null,
    capturedAt: input.capturedAt ?? new Date(),
  };
}

async function insertOnce(
  em: EntityManager,
  data: ReturnType<typeof rowData>,
): Promise<{ item: NewsItemView; isNew: boolean }> {
  const result = await em
    .createQueryBuilder(NewsItem)
    .insert(data)
    .onConflict('dedupKey')
    .ignore()
    .execute('run');
  const row = await em.findOneOrFail(NewsItem, { dedupKey: data.dedupKey }, { refresh: true });
  return { item: newsItemFromRow(row), isNew: result.affectedRows > 0 };
}

/** Stores the item unless it was seen before; `isNew` says which. */
export async function recordNewsItem(
  store: Store,
  input: NewsItemInput,
): Promise<{ item: NewsItemView; isNew: boolean }> {
  const data = rowData(parseInput(NewsItemInput, input, 'recordNewsItem'));
  return store.em().transactional((em) => insertOnce(em as EntityManager, data));
}

/** Stores a poll's worth of items in one transaction; reports which were new. */
export async function recordNewsItems(
  store: Store,
  inputs: NewsItemInput[],
): Promise<{ inserted: number; skipped: number; items: Array<{ item: NewsItemView; isNew: boolean }> }> {
  const rows = parseInput(z.array(NewsItemInput), inputs, 'recordNewsItems').map(rowData);
  const items = await store.em().transactional(async (em) => {
    const out: Array<{ item: NewsItemView; isNew: boolean }> = [];
    for (const data of rows) out.push(await insertOnce(em as EntityManager, data));
    return out;
  });
  const inserted = items.filter((i) => i.isNew).length;
  return { inserted, skipped: items.length - inserted, items };
}

const NewsItemQuery = z
  .object({
    feedId: id.optional(),
    /** Items tagged with this symbol (case-insensitive). */
    symbol: z.string().trim().min(1).optional(),
    from: when.optional(),
    to: when.optional(),
    limit: limitInput(10_000, 100),
  })
  .strict();

/**
 * Items newest first by capture time, optionally of one feed, captured in [from, to), tagged with
 * a symbol. The symbol filter runs in TypeScript (symbols are a JSON array on both databases).
 */
export async function listNewsItems(
  store: Store,
  options: z.input<typeof NewsItemQuery> = {},
): Promise<NewsItemView[]> {
  const q = parseInput(NewsItemQuery, options, 'listNewsItems');
  const filter: Record<string, unknown> = {};
  if (q.feedId) filter.feed = q.feedId;
  if (q.from || q.to)
    filter.capturedAt = { ...(q.from ? { $gte: q.from } : {}), ...(q.to ? { $lt: q.to } : {}) };
  const em = store.em();
  const symbol = q.symbol?.toUpperCase();
  const out: NewsItemView[] = [];
  let offset = 0;
  const page = symbol ? 1000 : q.limit;
  for (;;) {
    const rows = await em.find(NewsItem, filter as FilterQuery<NewsItem>, {
      orderBy: { capturedAt: 'desc', id: 'desc' },
      limit: page,
      offset,
    });
    for (const row of rows) {
      if (symbol && !(row.symbols ?? []).includes(symbol)) continue;
      out.push(newsItemFromRow(row));
      if (out.length >= q.limit) return out;
    }
    if (rows.length < page) return out;
    offset += page;
  }
}

/** News items newest first (by arrival), optionally of one feed, a keyset page. */
export async function pageNewsItems(
  store: Store,
  query: Keyset & { feedId?: number | undefined },
): Promise<Page<NewsItemView>> {
  return entityPage(store.em(), NewsItem, query.feedId ? { feed: query.feedId } : {}, query, newsItemFromRow);
}
