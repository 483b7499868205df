/** What every command needs: the validated config (with `--db` over DATABASE_URL) and a store. */
import type { Command } from 'commander';
import { type Config, loadConfig } from '../config/env.ts';
import type { Store } from '../db/store.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

export function configFor(cmd: Command): Config {
  const config = loadConfig();
  const db = cmd.optsWithGlobals<{ db?: string }>().db;
  if (db) {
    const checked = loadConfig({ ...process.env, DATABASE_URL: db });
    return { ...config, DATABASE_URL: checked.DATABASE_URL };
  }
  return config;
}

export async function withStore<T>(
  cmd: Command,
  fn: (store: Store, config: Config) => Promise<T>,
): Promise<T> {
  const config = configFor(cmd);
  const { openStore } = await import('../db/store.ts');
  const store = await openStore(config.DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
  });
  try {
    return await fn(store, config);
  } finally {
    await store.close();
  }
}
