/**
 * The one entry point to a tradestore database, used by the CLI, the HTTP API and library users:
 * `openStore(url)` gives a MikroORM instance over the whole entity set, the Kysely instance for hot
 * paths, and (on SQLite) the raw `DatabaseSync` for bare prepared statements.
 *
 * On SQLite, Kysely is built on first use of `kysely`, and the ORM on first use of `orm` or `em()`
 * (over that Kysely instance, so one connection and one lock): loading MikroORM and Kysely was
 * most of a short command's run time (`db health` took 0.43 s with them, see bench/startup.ts),
 * and the candle hot paths and the migration runner need neither, only the raw connection.
 * PostgreSQL builds both at once: its pool, type parsers and per-connection options are
 * MikroORM's, and every command there needs the pg driver anyway.
 */
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import type * as MikroOrmCore from '@mikro-orm/core';
import type { MikroORM } from '@mikro-orm/core';
import type * as MikroOrmSql from '@mikro-orm/sql';
import type { EntityManager } from '@mikro-orm/sql';
import type * as KyselyModule from 'kysely';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import type * as AllTables from '../entities/all-tables.ts';
import { NotFoundError } from '../input/errors.ts';
import { openSqliteReader, SqliteConnection } from './sqlite-connection.ts';
import type * as SqliteDialectModule from './sqlite-dialect.ts';
import { type DatabaseTarget, type Dialect, parseDatabaseUrl } from './url.ts';

export interface StoreOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL per-statement timeout in ms (default 30 s). */
  statementTimeoutMs?: number;
  /** Log every SQL statement through MikroORM's logger. */
  debug?: boolean;
  /**
   * Refuse a SQLite file that does not exist (MissingDatabaseError) instead of creating it and its
   * folders. The CLI opens this way for every command except those that set a database up.
   */
  mustExist?: boolean;
  /**
   * Redis to publish the outbox's events to (REDIS_URL; src/events/redis-publisher.ts), after
   * their commit; unset: no publishing.
   */
  redisUrl?: string;
}

/** The SQLite file a command needs is not there; nothing was created. */
export class MissingDatabaseError extends NotFoundError {
  override name = 'MissingDatabaseError';
}

/** The SQLite file is there but cannot be opened (a directory, no permission, …). */
export class UnopenableDatabaseError extends Error {
  override name = 'UnopenableDatabaseError';
}

export interface Store {
  readonly dialect: Dialect;
  /** StoreOptions.redisUrl, or null. */
  readonly redisUrl: string | null;
  readonly target: DatabaseTarget;
  readonly orm: MikroORM;
  /** A fresh EntityManager: one per unit of work, never shared between requests. */
  em(): EntityManager;
  /** Kysely over the same connection(s), for set-based reads and writes. */
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are addressed by name in raw hot paths
  readonly kysely: Kysely<any>;
  /** The raw node:sqlite handle (SQLite only); hold `withSqlite` around its use. */
  withSqlite<T>(fn: (db: DatabaseSync) => T | Promise<T>): Promise<T>;
  /**
   * A synchronous read on SQLite (SQLite only) through a second, read-only connection: WAL gives it
   * the last committed snapshot without waiting for the writer, and being synchronous it needs no
   * lock, which is what brings a point lookup down to the bare statement's latency. An in-memory
   * database has one connection only, so there it reads through the main one.
   */
  readSqlite<T>(fn: (db: DatabaseSync) => T): T;
  /**
   * SQLite only: closes every connection this store holds on the file, runs `fn` with the file's
   * path, and reopens. Other work on the store waits meanwhile. This is how a restore swaps the
   * file: a connection left open would keep the old file and its -wal/-shm beside the new one.
   */
  withSqliteClosed<T>(fn: (path: string) => T | Promise<T>): Promise<T>;
  /** The pg pool (PostgreSQL only), for COPY and other driver-level work. */
  pgPool(): Promise<Pool>;
  /**
   * Runs `hook` first when the store closes (before its connections go): how per-store workers
   * (the outbox's waker and Redis publisher, src/events/) stop with it.
   */
  onClose(hook: () => Promise<void>): void;
  close(): Promise<void>;
}

/** The close hooks of one store, run once, in registration order. */
function closeHooks() {
  const hooks: Array<() => Promise<void>> = [];
  return {
    onClose: (hook: () => Promise<void>) => void hooks.push(hook),
    runCloseHooks: async () => {
      for (const hook of hooks.splice(0)) await hook().catch(() => {});
    },
  };
}

// Kysely and the ORM load synchronously (require of ES modules) so that `kysely` and `em()` can stay
// synchronous and still load them only when used. Our own modules sit beside this file as .ts in
// the repository and as .js in the published build.
const require = createRequire(import.meta.url);
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

function ormOptions(options: StoreOptions) {
  const { entities } = require(`../entities/all-tables${EXT}`) as typeof AllTables;
  return {
    entities,
    debug: options.debug ?? false,
    allowGlobalContext: false,
    // The schema is owned by the migration folders, never by the ORM at run time.
    ensureDatabase: false,
    // The migration tool's own table is not an entity, nor are SQLite's analyst views
    // (migrate/analyst-views.ts): the schema diff must leave them alone.
    schemaGenerator: { skipTables: ['tradestore_migrations'], skipViews: [/_numeric$/] },
  };
}

export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(url);
  return target.dialect === 'sqlite' ? openSqliteStore(target, options) : openPgStore(target, options);
}

type SqliteTarget = Extract<DatabaseTarget, { dialect: 'sqlite' }>;
type PgTarget = Extract<DatabaseTarget, { dialect: 'postgresql' }>;

/** The store's one SQLite connection, opened now: an unopenable file is reported as such. */
function connectSqlite(target: SqliteTarget, options: StoreOptions): SqliteConnection {
  if (!target.memory) prepareSqliteFile(target.path, options.mustExist ?? false);
  const connection = new SqliteConnection(target.path);
  try {
    connection.open().prepare('select 1').get();
  } catch (error) {
    connection.suspend();
    throw new UnopenableDatabaseError(
      `cannot open the SQLite database at ${target.path}: ${(error as Error).message}`,
      { cause: error },
    );
  }
  return connection;
}

/** Kysely and the ORM over the connection, each built on first use. */
function sqliteLibraries(connection: SqliteConnection, target: SqliteTarget, options: StoreOptions) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tables are addressed by name in raw hot paths
  let kysely: Kysely<any> | undefined;
  let orm: MikroORM | undefined;
  const loadKysely = () => {
    if (!kysely) {
      const { Kysely: KyselyClass } = require('kysely') as typeof KyselyModule;
      const { TradestoreSqliteDialect } = require(`./sqlite-dialect${EXT}`) as typeof SqliteDialectModule;
      kysely = new KyselyClass({ dialect: new TradestoreSqliteDialect(connection) });
    }
    return kysely;
  };
  const loadOrm = (): MikroORM => {
    if (!orm) {
      const { MikroORM: Orm } = require('@mikro-orm/core') as typeof MikroOrmCore;
      const { SqliteDriver } = require('@mikro-orm/sql') as typeof MikroOrmSql;
      orm = new Orm({
        ...ormOptions(options),
        driver: SqliteDriver,
        dbName: target.path,
        // The ORM queries through this store's Kysely instance: one connection, one lock.
        driverOptions: loadKysely(),
      });
    }
    return orm;
  };
  // After the last query in flight: Kysely and the ORM hold the lock while they run one.
  const close = async () => {
    if (orm) await orm.close(true);
    else if (kysely) await kysely.destroy();
  };
  return { loadKysely, loadOrm, close };
}

/**
 * The file behind the connection: replaced with every connection closed (a restore), read through
 * a read-only reader connection opened on first use.
 */
function sqliteFile(connection: SqliteConnection, target: SqliteTarget) {
  let reader: DatabaseSync | undefined;
  let swapping = false;
  const withSqliteClosed: Store['withSqliteClosed'] = (fn) => {
    if (target.memory) return Promise.reject(new Error('an in-memory database has no file to replace'));
    return connection.exclusive(async () => {
      reader?.close();
      reader = undefined;
      connection.suspend();
      swapping = true;
      try {
        return await fn(target.path);
      } finally {
        swapping = false;
        connection.open();
      }
    });
  };
  const readSqlite: Store['readSqlite'] = (fn) => {
    if (target.memory) return fn(connection.database);
    // A reader opened mid-swap would hold the old file open (or the new one half-renamed).
    if (swapping) throw new Error(`${target.path} is being replaced (db restore); retry when it is done`);
    reader ??= openSqliteReader(target.path);
    return fn(reader);
  };
  return { withSqliteClosed, readSqlite, closeReader: () => reader?.close() };
}

function openSqliteStore(target: SqliteTarget, options: StoreOptions): Store {
  const connection = connectSqlite(target, options);
  const libraries = sqliteLibraries(connection, target, options);
  const file = sqliteFile(connection, target);
  const { onClose, runCloseHooks } = closeHooks();
  return {
    onClose,
    redisUrl: options.redisUrl ?? null,
    dialect: 'sqlite',
    target,
    get orm() {
      return libraries.loadOrm();
    },
    em: () => libraries.loadOrm().em.fork() as EntityManager,
    get kysely() {
      return libraries.loadKysely();
    },
    // Kysely's SQLite driver serialises work on its single connection with a mutex; holding a
    // connection through it keeps raw statements from interleaving with an ORM transaction.
    withSqlite: (fn) => connection.exclusive(fn),
    withSqliteClosed: file.withSqliteClosed,
    readSqlite: file.readSqlite,
    pgPool: () => Promise.reject(new Error('pgPool() is only available on PostgreSQL')),
    close: async () => {
      await runCloseHooks();
      file.closeReader();
      await libraries.close();
      await connection.exclusive(() => connection.suspend());
    },
  };
}

async function openPgStore(target: PgTarget, options: StoreOptions): Promise<Store> {
  const { MikroORM: Orm } = await import('@mikro-orm/core');
  const { PostgreSqlDriver } = await import('@mikro-orm/postgresql');
  let pool: Pool | undefined;
  const timeout = options.statementTimeoutMs ?? 30_000;
  const orm = await Orm.init({
    ...ormOptions(options),
    driver: PostgreSqlDriver,
    clientUrl: target.url,
    pool: { min: 0, max: options.poolSize ?? 10 },
    driverOptions: {
      // JIT made a daily resample 5x slower on this workload; short OLTP statements never gain from it.
      options: `-c jit=off -c statement_timeout=${timeout}`,
      application_name: 'tradestore',
      onPoolCreated: (created: Pool) => {
        pool = created;
      },
    },
  });
  const { onClose, runCloseHooks } = closeHooks();
  return {
    onClose,
    redisUrl: options.redisUrl ?? null,
    dialect: 'postgresql',
    target,
    orm,
    em: () => orm.em.fork() as EntityManager,
    kysely: (orm.em as EntityManager).getKysely(),
    withSqlite: () => Promise.reject(new Error('withSqlite() is only available on SQLite')),
    withSqliteClosed: () => Promise.reject(new Error('withSqliteClosed() is only available on SQLite')),
    readSqlite: () => {
      throw new Error('readSqlite() is only available on SQLite');
    },
    pgPool: async () => {
      if (!pool) await orm.em.getConnection().execute('select 1');
      return pool!;
    },
    close: async () => {
      await runCloseHooks();
      await orm.close(true);
      // Kysely ends the pool only if a query went through it; COPY and migrations use it directly.
      if (pool && !(pool as Pool & { ended?: boolean }).ended) await pool.end();
    },
  };
}

function prepareSqliteFile(path: string, mustExist: boolean): void {
  if (!existsSync(path)) {
    if (mustExist)
      throw new MissingDatabaseError(`no database at ${path} (run \`tradestore migrate up\` first)`);
    try {
      mkdirSync(dirname(path), { recursive: true });
    } catch (error) {
      throw new UnopenableDatabaseError(
        `cannot create the SQLite database at ${path}: ${(error as Error).message}`,
        { cause: error },
      );
    }
  } else if (statSync(path).isDirectory()) {
    throw new UnopenableDatabaseError(`cannot open the SQLite database at ${path}: it is a directory`);
  }
}
