/**
 * A number that changes whenever anything commits to the database, from any connection or
 * process: SQLite's `PRAGMA data_version` on the read-only reader connection (the writer is
 * "another connection" to it, so the server's own writes count too). Callers use it to keep
 * derived answers (a serialised page of candles) valid. null where no such cheap signal exists
 * (PostgreSQL, or an in-memory SQLite database with its single connection): do not cache there.
 */
import { prepared } from './statements.ts';
import type { Store } from './store.ts';

export function dataVersion(store: Store): number | null {
  if (store.dialect !== 'sqlite' || store.target.dialect !== 'sqlite' || store.target.memory) return null;
  return store.readSqlite((db) =>
    Number((prepared(db, 'pragma data_version').get() as { data_version: number }).data_version),
  );
}
