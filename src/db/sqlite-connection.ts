/**
 * A store's SQLite connection without Kysely: the one `DatabaseSync` (tradestore's pragmas on it
 * before its first statement), the read-only reader beside it, and the lock every user of the
 * connection takes: `withSqlite`, and Kysely (and the ORM above it) through sqlite-dialect.ts.
 * Kept apart from the dialect so that a command that only needs the raw handle (`db health`, the
 * migration runner, a candle import) never loads Kysely's 250 modules.
 */
import type { DatabaseSync } from 'node:sqlite';
import { forgetStatements } from './statements.ts';

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

/** Every table of a SQLite database except SQLite's own. */
export function sqliteTables(db: DatabaseSync): string[] {
  return db
    .prepare(`select name from sqlite_schema where type = 'table' and name not like 'sqlite_%'`)
    .all()
    .map((r) => String(r.name));
}

export class SqliteConnection {
  readonly path: string;
  #db: DatabaseSync | undefined;
  #held = false;
  readonly #waiting: Array<() => void> = [];

  constructor(path: string) {
    this.path = path;
  }

  /** The open `DatabaseSync`; hold the lock around its use. */
  get database(): DatabaseSync {
    if (!this.#db) throw new Error('the SQLite connection is not open');
    return this.#db;
  }

  open(): DatabaseSync {
    this.#db ??= openSqliteDatabase(this.path);
    return this.#db;
  }

  /** Closes the connection (the caller holds the lock, so nothing else is using it). */
  suspend(): void {
    if (!this.#db) return;
    forgetStatements(this.#db);
    this.#db.close();
    this.#db = undefined;
  }

  /** Waits until no one else holds the connection; first come, first served. */
  async lock(): Promise<void> {
    if (!this.#held) {
      this.#held = true;
      return;
    }
    await new Promise<void>((resolve) => this.#waiting.push(resolve));
  }

  unlock(): void {
    const next = this.#waiting.shift();
    if (next) next();
    else this.#held = false;
  }

  /** Runs `fn` holding the connection. */
  async exclusive<T>(fn: (db: DatabaseSync) => T | Promise<T>): Promise<T> {
    await this.lock();
    try {
      return await fn(this.database);
    } finally {
      this.unlock();
    }
  }
}
