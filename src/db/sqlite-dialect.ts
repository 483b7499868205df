/**
 * Kysely dialect over the built-in `node:sqlite`, in the place of MikroORM's NodeSqliteDialect,
 * for three reasons that one connection setting cannot give:
 * - every connection gets the same pragmas (WAL, synchronous=NORMAL, foreign keys, busy timeout,
 *   64 MB cache) before its first statement;
 * - `begin` becomes `begin immediate`: a deferred transaction that later upgrades to a writer is
 *   refused with SQLITE_BUSY without waiting, which is the "database is locked" two processes hit;
 * - the hot paths (candle ingest, range reads) reach the same `DatabaseSync` for bare prepared
 *   statements, and prepared statements are cached instead of re-prepared per query.
 */
import type { DatabaseSync } from 'node:sqlite';
import { type SqliteDatabase, SqliteDialect } from 'kysely';
import { forgetStatements, prepared } from './statements.ts';

const { DatabaseSync: Database } = process.getBuiltinModule('node:sqlite');

export const SQLITE_PRAGMAS = [
  'pragma journal_mode = wal',
  'pragma synchronous = normal',
  'pragma foreign_keys = on',
  'pragma busy_timeout = 10000',
  'pragma cache_size = -64000',
  'pragma temp_store = memory',
  // Checkpoints are where WAL mode fsyncs: every 20,000 pages instead of 1,000 took the trading
  // chain from 404 to 465 per second and its p99 from 11.7 to 8.0 ms (bench/trading.ts).
  'pragma wal_autocheckpoint = 20000',
];

const READER = /^\s*(select|pragma|explain|with|values)\b/i;
const RETURNING = /\breturning\b/i;

export function openSqliteDatabase(path: string): DatabaseSync {
  const db = new Database(path, { timeout: 10_000 });
  for (const pragma of SQLITE_PRAGMAS) {
    // WAL has no meaning for an in-memory database; SQLite answers "memory" and that is fine.
    db.exec(pragma);
  }
  return db;
}

/** A read-only connection for synchronous hot reads beside the writer (WAL snapshot reads). */
export function openSqliteReader(path: string): DatabaseSync {
  const db = new Database(path, { readOnly: true, timeout: 10_000 });
  db.exec('pragma cache_size = -64000');
  db.exec('pragma temp_store = memory');
  return db;
}

export class TradestoreSqliteDialect extends SqliteDialect {
  #db: DatabaseSync | undefined;
  readonly #path: string;

  constructor(path: string) {
    super({
      database: async () => {
        this.#db = openSqliteDatabase(path);
        // Kysely keeps this object for the life of the store; it reaches the connection through the
        // dialect so that `suspend`/`resume` can swap the file underneath.
        const database = {
          prepare: (sql: string) => {
            const text = /^\s*begin\s*(transaction)?\s*;?\s*$/i.test(sql) ? 'begin immediate' : sql;
            const stmt = prepared(this.database, text);
            return {
              reader: READER.test(text) || RETURNING.test(text),
              all: (params: ReadonlyArray<unknown>) => stmt.all(...(params as never[])),
              run: (params: ReadonlyArray<unknown>) => stmt.run(...(params as never[])),
              get: (params: ReadonlyArray<unknown>) => stmt.get(...(params as never[])),
              iterate: (params: ReadonlyArray<unknown>) => stmt.iterate(...(params as never[])),
            };
          },
          close: () => this.suspend(),
        };
        return database as unknown as SqliteDatabase;
      },
    });
    this.#path = path;
  }

  /** The open `DatabaseSync`; only valid once the ORM has connected. */
  get database(): DatabaseSync {
    if (!this.#db) throw new Error('the SQLite connection is not open');
    return this.#db;
  }

  /** Closes the connection (the caller holds Kysely's connection, so nothing else is using it). */
  suspend(): void {
    if (!this.#db) return;
    forgetStatements(this.#db);
    this.#db.close();
    this.#db = undefined;
  }

  resume(): void {
    this.#db ??= openSqliteDatabase(this.#path);
  }
}

/** Every table of a SQLite database except SQLite's own. */
export function sqliteTables(db: DatabaseSync): string[] {
  return db
    .prepare(`select name from sqlite_schema where type = 'table' and name not like 'sqlite_%'`)
    .all()
    .map((r) => String(r.name));
}
