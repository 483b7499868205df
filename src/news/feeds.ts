/**
 * RSS/Atom feed configurations: register (by url; registering a known url updates its name),
 * activate/deactivate, mark polled, list.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id as idInput, when } from '../input/fields.ts';
import { defineSelect, type Keyset, type Page, tablePage, Where } from '../db/listing.ts';
import { changesOf, col, defineTable } from '../db/table.ts';
import { inTransaction } from '../db/transaction.ts';

export interface NewsFeedView {
  id: number;
  url: string;
  name: string;
  isActive: boolean;
  lastPolledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export const newsFeeds = defineTable<NewsFeedView>('news_feeds', 'news feed', {
  id: col.id(),
  url: col.text(),
  name: col.text(),
  isActive: col.bool(),
  lastPolledAt: col.timeOrNull(),
  createdAt: col.time(),
  updatedAt: col.time(),
});

const RegisterNewsFeedInput = z
  .object({
    url: z.url({ protocol: /^https?$/ }).max(2048),
    name: z.string().trim().min(1).max(255),
    isActive: z.boolean().optional(),
  })
  .strict();

/**
 * Registers a feed. A url already registered keeps its row (and polling state): its name (and
 * `isActive`, when given) are updated. `created` says which case happened.
 */
export async function registerNewsFeed(
  store: Store,
  input: z.input<typeof RegisterNewsFeedInput>,
): Promise<{ feed: NewsFeedView; created: boolean }> {
  const data = parseInput(RegisterNewsFeedInput, input, 'registerNewsFeed');
  return inTransaction(store, async (tx) => {
    const row = await tx.get(`select * from news_feeds where url = ?${tx.forUpdate}`, [data.url]);
    if (row) {
      const existing = newsFeeds.fromRow(row);
      const changes = changesOf(existing, { name: data.name, isActive: data.isActive });
      await newsFeeds.update(tx, existing.id, changes);
      return { feed: { ...existing, ...changes }, created: false };
    }
    const now = new Date();
    const feed = await newsFeeds.insert(tx, {
      url: data.url,
      name: data.name,
      isActive: data.isActive ?? true,
      lastPolledAt: null,
      createdAt: now,
      updatedAt: now,
    });
    return { feed, created: true };
  });
}

async function updateFeed(
  store: Store,
  id: number,
  changes: Partial<Pick<NewsFeedView, 'isActive' | 'lastPolledAt'>>,
): Promise<NewsFeedView> {
  return inTransaction(store, async (tx) => {
    const row = await tx.get(`select * from news_feeds where id = ?${tx.forUpdate}`, [id]);
    if (!row) throw new NotFoundError(`news feed ${id} does not exist`);
    const feed = newsFeeds.fromRow(row);
    const set = changesOf(feed, changes);
    await newsFeeds.update(tx, id, set);
    return { ...feed, ...set };
  });
}

/** Turns polling of a feed on or off. */
export async function setNewsFeedActive(
  store: Store,
  feedId: number,
  isActive: boolean,
): Promise<NewsFeedView> {
  const { id, active } = parseInput(
    z.object({ id: idInput, active: z.boolean() }),
    { id: feedId, active: isActive },
    'setNewsFeedActive',
  );
  return updateFeed(store, id, { isActive: active });
}

/** Records that a feed was polled at `at` (default now). */
export async function markNewsFeedPolled(
  store: Store,
  feedId: number,
  at: Date | string | number = new Date(),
): Promise<NewsFeedView> {
  const input = parseInput(z.object({ id: idInput, at: when }), { id: feedId, at }, 'markNewsFeedPolled');
  return updateFeed(store, input.id, { lastPolledAt: input.at });
}

/** Feeds by name; only active ones when `activeOnly`. */
export const listNewsFeeds = defineSelect(newsFeeds, {
  query: z.object({ activeOnly: z.boolean().default(false) }).strict(),
  what: 'listNewsFeeds',
  filter: (q, tx) => (q.activeOnly ? new Where().add('is_active = ?', tx.bool(true)) : new Where()),
  orderBy: 'name asc, id asc',
});

/** Feeds newest first, a keyset page. */
export async function pageNewsFeeds(store: Store, query: Keyset): Promise<Page<NewsFeedView>> {
  return tablePage(store, newsFeeds, new Where(), query);
}
