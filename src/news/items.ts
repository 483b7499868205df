/**
 * News items: a seen item is never stored twice. Each item's `dedup_key` is `guid:<guid>` when the
 * feed gives a guid, otherwise `sha256:<hash of source, headline and published_at>`; the unique
 * index on it makes a second write (even from a concurrent poller) a no-op that reports
 * `isNew: false` and returns the stored item.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { parseInput } from '../input/parse.ts';
import { id, limitInput, when } from '../input/fields.ts';
import { defineSelect, type Keyset, type Page, tablePage, Where } from '../db/listing.ts';
import { col, defineTable, type NewRow } from '../db/table.ts';
import { inTransaction, type Tx } from '../db/transaction.ts';

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

export const newsItems = defineTable<NewsItemView>('news_items', 'news item', {
  id: col.id(),
  feedId: col.intOrNull(),
  dedupKey: col.text(),
  guid: col.textOrNull(),
  headline: col.text(),
  summary: col.textOrNull(),
  url: col.textOrNull(),
  source: col.textOrNull(),
  symbols: col.list<string>({ emptyIsNull: true }),
  publishedAt: col.timeOrNull(),
  capturedAt: col.time(),
});

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

function rowData(input: z.output<typeof NewsItemInput>): NewRow<NewsItemView> {
  return {
    feedId: input.feedId ?? null,
    dedupKey: newsDedupKey(input),
    guid: input.guid ?? null,
    headline: input.headline,
    summary: input.summary ?? null,
    url: input.url ?? null,
    source: input.source ?? null,
    symbols: input.symbols ? [...new Set(input.symbols.map((s) => s.toUpperCase()))] : [],
    publishedAt: input.publishedAt ?? null,
    capturedAt: input.capturedAt ?? new Date(),
  };
}

async function insertOnce(
  tx: Tx,
  data: NewRow<NewsItemView>,
): Promise<{ item: NewsItemView; isNew: boolean }> {
  const inserted = await newsItems.insertUnlessExists(tx, data, 'dedup_key');
  if (inserted) return { item: inserted, isNew: true };
  const row = await tx.get('select * from news_items where dedup_key = ?', [data.dedupKey]);
  return { item: newsItems.fromRow(row!), isNew: false };
}

/** Stores the item unless it was seen before; `isNew` says which. */
export async function recordNewsItem(
  store: Store,
  input: NewsItemInput,
): Promise<{ item: NewsItemView; isNew: boolean }> {
  const data = rowData(parseInput(NewsItemInput, input, 'recordNewsItem'));
  return inTransaction(store, (tx) => insertOnce(tx, data));
}

/** Stores a poll's worth of items in one transaction; reports which were new. */
export async function recordNewsItems(
  store: Store,
  inputs: NewsItemInput[],
): Promise<{ inserted: number; skipped: number; items: Array<{ item: NewsItemView; isNew: boolean }> }> {
  const rows = parseInput(z.array(NewsItemInput), inputs, 'recordNewsItems').map(rowData);
  const items = await inTransaction(store, async (tx) => {
    const out: Array<{ item: NewsItemView; isNew: boolean }> = [];
    for (const data of rows) out.push(await insertOnce(tx, data));
    return out;
  });
  const inserted = items.filter((i) => i.isNew).length;
  return { inserted, skipped: items.length - inserted, items };
}

/**
 * Items newest first by capture time, optionally of one feed, captured in [from, to), tagged with
 * a symbol. The symbol filter runs in TypeScript (symbols are a JSON array on both databases).
 */
export const listNewsItems = defineSelect(newsItems, {
  query: z
    .object({
      feedId: id.optional(),
      /** Items tagged with this symbol (case-insensitive). */
      symbol: z.string().trim().min(1).optional(),
      from: when.optional(),
      to: when.optional(),
      limit: limitInput(10_000, 100),
    })
    .strict(),
  what: 'listNewsItems',
  filter: (q, tx) =>
    new Where()
      .when(q.feedId, 'feed_id = ?', q.feedId)
      .when(q.from, 'captured_at >= ?', q.from && tx.time(q.from))
      .when(q.to, 'captured_at < ?', q.to && tx.time(q.to)),
  orderBy: 'captured_at desc, id desc',
  keep: (q) => {
    const symbol = q.symbol?.toUpperCase();
    return symbol === undefined ? undefined : (item) => item.symbols.includes(symbol);
  },
});

/** News items newest first (by arrival), optionally of one feed, a keyset page. */
export async function pageNewsItems(
  store: Store,
  query: Keyset & { feedId?: number | undefined },
): Promise<Page<NewsItemView>> {
  return tablePage(store, newsItems, new Where().when(query.feedId, 'feed_id = ?', query.feedId), query);
}
