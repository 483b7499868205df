/**
 * One transaction around many batch writes, on the driver-level handle of each dialect. The normal
 * import path commits one transaction per batch (writeCandleBatch, writeTickBatch); a strict import
 * must be all-or-nothing, and a stream (stdin) cannot be validated first and read again, so it writes
 * every batch inside this one transaction and lets a bad row roll the whole file back.
 */
import type { Store } from '../db/store.ts';
import { type DriverHandle, inDriverTransaction, type Tx } from '../db/transaction.ts';

export type WriteSession = DriverHandle & {
  /** The same transaction as a Tx: for the outbox's event of each batch (src/events/). */
  tx: Tx;
};

/**
 * Runs `fn` inside one transaction and commits when it resolves, rolls back when it throws.
 * On SQLite the store's connection mutex is held for the whole call: `fn` must not use
 * `store.kysely`, the ORM or `store.withSqlite` (they would wait for the mutex forever).
 */
export async function inWriteSession<T>(store: Store, fn: (session: WriteSession) => Promise<T>): Promise<T> {
  return inDriverTransaction(store, (tx, handle) => fn({ ...handle, tx }));
}

/** Runs one compiled statement (built with the store's Kysely) on the session's connection. */
export async function sessionQuery(
  session: WriteSession,
  query: { sql: string; parameters: ReadonlyArray<unknown> },
): Promise<Array<Record<string, unknown>>> {
  if (session.dialect === 'sqlite') {
    return session.db.prepare(query.sql).all(...(query.parameters as Array<string | number | null>)) as Array<
      Record<string, unknown>
    >;
  }
  return (await session.client.query(query.sql, query.parameters as unknown[])).rows;
}

/** Escapes a text value for PostgreSQL's COPY text format (tab-separated, `\N` is null). */
export function copyTextValue(value: string | null): string {
  if (value === null) return '\\N';
  return /[\\\t\n\r]/.test(value)
    ? value.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r')
    : value;
}
