/**
 * The one entry point to a tradestore database, used by the CLI, the HTTP API and library users:
 * `openStore(url)` gives a connected MikroORM instance over the whole entity set, the Kysely
 * instance for hot paths, and (on SQLite) the raw `DatabaseSync` for bare prepared statements.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { MikroORM } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { type EntityManager, SqliteDriver } from '@mikro-orm/sql';
import type { Kysely } from 'kysely';
import type { Pool } from 'pg';
import { entities } from '../entities/index.ts';
import { openSqliteReader, TradestoreSqliteDialect } from './sqlite-dialect.ts';
import { type DatabaseTarget, type Dialect, parseDatabaseUrl } from './url.ts';

export interface StoreOptions {
  /** PostgreSQL pool size (default 10). */
  poolSize?: number;
  /** PostgreSQL per-statement timeout in ms (default 30 s). */
  statementTimeoutMs?: number;
  /** Log every SQL statement through MikroORM's logger. */
  debug?: boolean;
}

export interface Store {
  readonly dialect: Dialect;
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
  /** The pg pool (PostgreSQL only), for COPY and other driver-level work. */
  pgPool(): Promise<Pool>;
  close(): Promise<void>;
}

export async function openStore(url: string, options: StoreOptions = {}): Promise<Store> {
  const target = parseDatabaseUrl(url);
  const base = {
    entities,
    debug: options.debug ?? false,
    allowGlobalContext: false,
    // The schema is owned by the migration folders, never by the ORM at run time.
    ensureDatabase: false,
    // The migration tool's own table is not an entity, nor are SQLite's analyst views
    // (migrate/analyst-views.ts): the schema diff must leave them alone.
    schemaGenerator: { skipTables: ['tradestore_migrations'], skipViews: [/_numeric$/] },
  };
  if (target.dialect === 'sqlite') {
    if (!target.memory) mkdirSync(dirname(target.path), { recursive: true });
    const dialect = new TradestoreSqliteDialect(target.path);
    const orm = await MikroORM.init({
      ...base,
      driver: SqliteDriver,
      dbName: target.path,
      driverOptions: dialect,
    });
    let reader: DatabaseSync | undefined;
    return buildStore(target, orm, {
      // Kysely's SQLite driver serialises work on its single connection with a mutex; holding a
      // connection through it keeps raw statements from interleaving with an ORM transaction.
      withSqlite: (fn) =>
        orm.em
          .getKysely()
          .connection()
          .execute(async () => fn(dialect.database)),
      readSqlite: (fn) => {
        if (target.memory) return fn(dialect.database);
        reader ??= openSqliteReader(target.path);
        return fn(reader);
      },
      pgPool: () => Promise.reject(new Error('pgPool() is only available on PostgreSQL')),
      close: async () => {
        reader?.close();
        await orm.close(true);
      },
    });
  }
  let pool: Pool | undefined;
  const timeout = options.statementTimeoutMs ?? 30_000;
  const orm = await MikroORM.init({
    ...base,
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
  return buildStore(target, orm, {
    withSqlite: () => Promise.reject(new Error('withSqlite() is only available on SQLite')),
    readSqlite: () => {
      throw new Error('readSqlite() is only available on SQLite');
    },
    pgPool: async () => {
      if (!pool) await orm.em.getConnection().execute('select 1');
      return pool!;
    },
    close: async () => {
      await orm.close(true);
      // Kysely ends the pool only if a query went through it; COPY and migrations use it directly.
      if (pool && !(pool as Pool & { ended?: boolean }).ended) await pool.end();
    },
  });
}

function buildStore(
  target: DatabaseTarget,
  orm: MikroORM,
  access: Pick<Store, 'withSqlite' | 'readSqlite' | 'pgPool' | 'close'>,
): Store {
  return {
    dialect: target.dialect,
    target,
    orm,
    em: () => orm.em.fork() as EntityManager,
    kysely: (orm.em as EntityManager).getKysely(),
    ...access,
  };
}
