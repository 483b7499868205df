/**
 * Kysely dialect over a store's `node:sqlite` connection (./sqlite-connection.ts), in the place of
 * MikroORM's NodeSqliteDialect, for three reasons that one connection setting cannot give:
 * - the connection has tradestore's pragmas (WAL, synchronous=NORMAL, foreign keys, busy timeout,
 *   64 MB cache) before its first statement;
 * - `begin` becomes `begin immediate`: a deferred transaction that later upgrades to a writer is
 *   refused with SQLITE_BUSY without waiting, which is the "database is locked" two processes hit;
 * - the hot paths (candle ingest, range reads) reach the same `DatabaseSync` for bare prepared
 *   statements, and prepared statements are cached instead of re-prepared per query.
 * Every connection Kysely acquires takes the store's connection lock, the one `withSqlite` takes,
 * so raw statements never interleave with a Kysely or ORM transaction.
 */
import {
  type DatabaseConnection,
  type Driver,
  type SqliteDatabase,
  SqliteDialect,
  SqliteDriver,
} from 'kysely';
import type { SqliteConnection } from './sqlite-connection.ts';
import { prepared } from './statements.ts';

export { openSqliteDatabase, openSqliteReader, SQLITE_PRAGMAS, sqliteTables } from './sqlite-connection.ts';

const READER = /^\s*(select|pragma|explain|with|values)\b/i;
const RETURNING = /\breturning\b/i;

/** Kysely's SQLite driver, acquiring through the store's connection lock. */
class LockedSqliteDriver extends SqliteDriver {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection, database: SqliteDatabase) {
    super({ database });
    this.#connection = connection;
  }

  override async acquireConnection(): Promise<DatabaseConnection> {
    await this.#connection.lock();
    return super.acquireConnection();
  }

  override async releaseConnection(): Promise<void> {
    await super.releaseConnection();
    this.#connection.unlock();
  }

  // The store closes the connection; Kysely's destroy must not (the ORM destroys it on close).
  override async destroy(): Promise<void> {}
}

export class TradestoreSqliteDialect extends SqliteDialect {
  readonly #connection: SqliteConnection;

  constructor(connection: SqliteConnection) {
    super({ database: {} as SqliteDatabase });
    this.#connection = connection;
  }

  override createDriver(): Driver {
    const connection = this.#connection;
    // Kysely keeps this object for the life of the store; it reaches the `DatabaseSync` through the
    // connection so that a restore can close and reopen the file underneath.
    const database = {
      prepare: (sql: string) => {
        const text = /^\s*begin\s*(transaction)?\s*;?\s*$/i.test(sql) ? 'begin immediate' : sql;
        const stmt = prepared(connection.database, text);
        return {
          reader: READER.test(text) || RETURNING.test(text),
          all: (params: ReadonlyArray<unknown>) => stmt.all(...(params as never[])),
          run: (params: ReadonlyArray<unknown>) => stmt.run(...(params as never[])),
          get: (params: ReadonlyArray<unknown>) => stmt.get(...(params as never[])),
          iterate: (params: ReadonlyArray<unknown>) => stmt.iterate(...(params as never[])),
        };
      },
      close: () => {},
    };
    return new LockedSqliteDriver(connection, database as unknown as SqliteDatabase);
  }
}
