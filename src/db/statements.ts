/** Prepared statements kept per `DatabaseSync`: preparing costs more than running a point lookup. */
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const CACHE_SIZE = 256;
const caches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

export function prepared(db: DatabaseSync, sql: string): StatementSync {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(sql, stmt);
  }
  return stmt;
}

export function forgetStatements(db: DatabaseSync): void {
  caches.delete(db);
}
