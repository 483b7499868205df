/**
 * Throw-away databases: an in-memory SQLite one, or a fresh PostgreSQL database on a given server
 * that is dropped afterwards. Used to build "what the migrations produce" for generation and
 * checks, and by the test suites.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { quoteIdent } from './statements.ts';
import { openStore, type Store, type StoreOptions } from './store.ts';
import type { Dialect } from './url.ts';
import { withDatabase } from './url.ts';

export const DEFAULT_PG_SERVER = 'postgres://root@127.0.0.1:5432/test';

export function pgServerUrl(): string {
  return process.env.TEST_DATABASE_URL || DEFAULT_PG_SERVER;
}

/** True when a PostgreSQL server answers at `url` within `timeoutMs`. */
export async function pgReachable(url = pgServerUrl(), timeoutMs = 3000): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: timeoutMs });
  try {
    await client.connect();
    await client.query('select 1');
    return true;
  } catch {
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

export async function createPgDatabase(serverUrl: string, prefix = 'tradestore_scratch'): Promise<string> {
  const name = `${prefix}_${process.pid}_${randomBytes(4).toString('hex')}`;
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}

export async function dropPgDatabase(serverUrl: string, url: string): Promise<void> {
  const name = decodeURIComponent(new URL(url).pathname.slice(1));
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`drop database if exists ${quoteIdent(name)} with (force)`);
  } finally {
    await client.end();
  }
}

export interface ScratchStore {
  store: Store;
  url: string;
  dispose(): Promise<void>;
}

export async function openScratchStore(
  dialect: Dialect,
  options: StoreOptions & { serverUrl?: string; sqlitePath?: string } = {},
): Promise<ScratchStore> {
  if (dialect === 'sqlite') {
    const url = options.sqlitePath ? `sqlite:${options.sqlitePath}` : 'sqlite::memory:';
    const store = await openStore(url, options);
    return { store, url, dispose: () => store.close() };
  }
  const server = options.serverUrl ?? pgServerUrl();
  const url = await createPgDatabase(server);
  const store = await openStore(url, options);
  return {
    store,
    url,
    dispose: async () => {
      await store.close();
      await dropPgDatabase(server, url);
    },
  };
}
