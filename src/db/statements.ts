/** Prepared statements kept per `DatabaseSync`: preparing costs more than running a point lookup. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const CACHE_SIZE = 256;
const caches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** `arrays`: rows come back as arrays, the cheapest shape for hot reads that build their own objects. */
export function prepared(db: DatabaseSync, sql: string, arrays = false): StatementSync {
  const key = arrays ? `arrays:${sql}` : sql;
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(key);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (arrays) stmt.setReturnArrays(true);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(key, stmt);
  }
  return stmt;
}

export function forgetStatements(db: DatabaseSync): void {
  caches.delete(db);
}
