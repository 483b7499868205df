/**
 * Serialised answers of shared, read-mostly routes (candle pages), kept while the database has
 * not changed: each entry remembers the data version (src/db/data-version.ts) it was computed at
 * and is used only while that version holds, so any commit, from this server or another process,
 * retires it. Authorization still runs for every request; only the read and the serialisation are
 * saved. Where the store has no version signal nothing is cached.
 */
import type { Store } from '../db/store.ts';
import { dataVersion } from '../db/data-version.ts';

const MAX_ENTRIES = 512;

export class ResponseCache {
  private readonly entries = new Map<string, { version: number; body: Buffer }>();
  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  /**
   * The cached body for `key`, or the one `compute` makes now (cached when the store allows).
   * Kept as bytes: encoding a 40 kB string again on every send was a fifth of a hit's cost.
   */
  async get(
    key: string,
    compute: () => Promise<string>,
    /** The data version the request was decided at (read now when not given). */
    at?: number | null,
  ): Promise<Buffer> {
    const version = at === undefined ? dataVersion(this.store) : at;
    if (version === null) return Buffer.from(await compute());
    const hit = this.entries.get(key);
    if (hit && hit.version === version) return hit.body;
    const body = Buffer.from(await compute());
    // Stored under `version`, read at or after it: a request at a later version misses it and
    // computes again, so nothing older than a request's own version is ever served to it.
    if (this.entries.size >= MAX_ENTRIES) this.entries.delete(this.entries.keys().next().value!);
    this.entries.set(key, { version, body });
    return body;
  }
}

const caches = new WeakMap<Store, ResponseCache>();

export function responseCache(store: Store): ResponseCache {
  let cache = caches.get(store);
  if (!cache) {
    cache = new ResponseCache(store);
    caches.set(store, cache);
  }
  return cache;
}
