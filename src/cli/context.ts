/** What every command needs: the validated config (with `--db` over DATABASE_URL) and a store. */
import type { Command } from 'commander';
import { type Config, type ConfigKey, type FlagOverrides, loadConfig } from '../config/env.ts';
import { openStore, type Store } from '../db/store.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Options that stand for a variable, by commander's attribute name: validated by the variable's
 * schema before any command touches a database, and a valid one wins over a bad variable.
 */
const FLAG_VARIABLES: Record<string, ConfigKey> = {
  db: 'DATABASE_URL',
  host: 'HOST',
  port: 'PORT',
  venue: 'DEFAULT_VENUE',
  snapshotDays: 'RETENTION_SNAPSHOT_DAYS',
  decisionDays: 'RETENTION_DECISION_DAYS',
};

export function configFor(cmd: Command): Config {
  const opts = cmd.optsWithGlobals<Record<string, unknown>>();
  const flags: FlagOverrides = {};
  for (const [option, key] of Object.entries(FLAG_VARIABLES)) {
    const value = opts[option];
    if (typeof value === 'string')
      flags[key] = { flag: `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value };
  }
  return loadConfig(process.env, process.cwd(), flags);
}

export async function withStore<T>(
  cmd: Command,
  fn: (store: Store, config: Config) => Promise<T>,
): Promise<T> {
  const config = configFor(cmd);
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
