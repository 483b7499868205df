/**
 * RSS/Atom feed configurations: register (by url; registering a known url updates its name),
 * activate/deactivate, mark polled, list.
 */
import { z } from 'zod';
import type { Store } from '../db/store.ts';
import { NewsFeed } from '../entities/market-data-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { parseInput } from '../input/parse.ts';
import { id as idInput, when } from '../input/fields.ts';
import { entityPage, type Keyset, type Page } from '../db/listing.ts';

export interface NewsFeedView {
  id: number;
  url: string;
  name: string;
  isActive: boolean;
  lastPolledAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

function newsFeedFromRow(row: NewsFeed): NewsFeedView {
  return {
    id: row.id,
    url: row.url,
    name: row.name,
    isActive: row.isActive,
    lastPolledAt: row.lastPolledAt ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

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
  return store.em().transactional(async (em) => {
    const existing = await em.findOne(NewsFeed, { url: data.url });
    if (existing) {
      existing.name = data.name;
      if (data.isActive !== undefined) existing.isActive = data.isActive;
      await em.flush();
      return { feed: newsFeedFromRow(existing), created: false };
    }
    const feed = em.create(NewsFeed, { url: data.url, name: data.name, isActive: data.isActive ?? true });
    await em.flush();
    return { feed: newsFeedFromRow(feed), created: true };
  });
}

async function updateFeed(store: Store, id: number, change: (feed: NewsFeed) => void): Promise<NewsFeedView> {
  const em = store.em();
  const feed = await em.findOne(NewsFeed, { id });
  if (!feed) throw new NotFoundError(`news feed ${id} does not exist`);
  change(feed);
  await em.flush();
  return newsFeedFromRow(feed);
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
  return updateFeed(store, id, (feed) => {
    feed.isActive = active;
  });
}

/** Records that a feed was polled at `at` (default now). */
export async function markNewsFeedPolled(
  store: Store,
  feedId: number,
  at: Date | string | number = new Date(),
): Promise<NewsFeedView> {
  const input = parseInput(z.object({ id: idInput, at: when }), { id: feedId, at }, 'markNewsFeedPolled');
  return updateFeed(store, input.id, (feed) => {
    feed.lastPolledAt = input.at;
  });
}

/** Feeds by name; only active ones when `activeOnly`. */
export async function listNewsFeeds(
  store: Store,
  options: { activeOnly?: boolean } = {},
): Promise<NewsFeedView[]> {
  const { activeOnly } = parseInput(
    z.object({ activeOnly: z.boolean().default(false) }).strict(),
    options,
    'listNewsFeeds',
  );
  const rows = await store
    .em()
    .find(NewsFeed, activeOnly ? { isActive: true } : {}, { orderBy: { name: 'asc', id: 'asc' } });
  return rows.map(newsFeedFromRow);
}

/** Feeds newest first, a keyset page. */
export async function pageNewsFeeds(store: Store, query: Keyset): Promise<Page<NewsFeedView>> {
  return entityPage(store.em(), NewsFeed, {}, query, newsFeedFromRow);
}
