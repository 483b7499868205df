/** Prepared statements kept per `DatabaseSync`: preparing costs more than running a point lookup. */
import { createHash } from 'node:crypto';
import type { DatabaseSync, StatementSync } from 'node:sqlite';

const CACHE_SIZE = 256;
const caches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();
const arrayCaches = new WeakMap<DatabaseSync, Map<string, StatementSync>>();

/** `arrays`: rows come back as arrays, the cheapest shape for hot reads that build their own objects. */
export function prepared(db: DatabaseSync, sql: string, arrays = false): StatementSync {
  const byDb = arrays ? arrayCaches : caches;
  let cache = byDb.get(db);
  if (!cache) {
    cache = new Map();
    byDb.set(db, cache);
  }
  let stmt = cache.get(sql);
  if (!stmt) {
    stmt = db.prepare(sql);
    if (arrays) stmt.setReturnArrays(true);
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
    cache.set(sql, stmt);
  }
  return stmt;
}

export function forgetStatements(db: DatabaseSync): void {
  caches.delete(db);
  arrayCaches.delete(db);
}

const pgNames = new Map<string, string>();

/**
 * A named PostgreSQL statement for `text`: each pooled connection parses and plans it once, as a
 * bare prepared statement would, instead of on every call.
 */
export function pgStatement(text: string): { name: string; text: string } {
  let name = pgNames.get(text);
  if (!name) {
    name = `ts_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    pgNames.set(text, name);
  }
  return { name, text };
}

/** A name as a double-quoted SQL identifier (SQLite and PostgreSQL alike). */
export function quoteIdent(name: string): string {
  return `"${name.replaceAll('"', '""')}"`;
}
