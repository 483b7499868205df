/** What every command needs: the validated config (with `--db` over DATABASE_URL) and a store. */
import { existsSync, rmSync } from 'node:fs';
import type { Command } from 'commander';

const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
import { type Config, type ConfigKey, type FlagOverrides, loadConfig } from '../config/env.ts';
import { sqliteCompanions } from '../db/backup.ts';
import { openStore, type Store } from '../db/store.ts';
import { DatabaseUrlError, parseDatabaseUrl } from '../db/url.ts';
import type { Mirror } from '../hybrid/settings.ts';
import { migrationState } from '../migrate/runner.ts';

export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * Options that stand for a variable, by commander's attribute name: validated by the variable's
 * schema before any command touches a database, and a valid one wins over a bad variable.
 * (`--venue` is left to the import's own venue rules, which are stricter than DEFAULT_VENUE's.)
 */
const FLAG_VARIABLES: Record<string, ConfigKey> = {
  db: 'DATABASE_URL',
  host: 'HOST',
  port: 'PORT',
  snapshotDays: 'RETENTION_SNAPSHOT_DAYS',
  decisionDays: 'RETENTION_DECISION_DAYS',
};

export function configFor(cmd: Command): Config {
  const opts = cmd.optsWithGlobals<Record<string, unknown>>();
  // An empty --db (an unset shell variable) must not fall back to DATABASE_URL's database.
  if (typeof opts.db === 'string' && opts.db.trim() === '')
    throw new UsageError('--db is empty: give sqlite:<path> or postgres://…');
  const flags: FlagOverrides = {};
  for (const [option, key] of Object.entries(FLAG_VARIABLES)) {
    const value = opts[option];
    if (typeof value === 'string')
      flags[key] = { flag: `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`, value };
  }
  const config = loadConfig(process.env, process.cwd(), flags);
  try {
    parseDatabaseUrl(config.DATABASE_URL);
  } catch (error) {
    if (error instanceof DatabaseUrlError) throw new UsageError(error.message);
    throw error;
  }
  return config;
}

/**
 * A write of a table hybrid storage mirrors (strategies, risk configs, bot status): with
 * STORAGE_MODE=hybrid its file in HYBRID_DIR is rewritten after the commit, as `serve` does.
 */
export async function settingsWrite<T>(
  store: Store,
  config: Config,
  mirror: Mirror,
  change: () => Promise<T>,
): Promise<T> {
  if (config.STORAGE_MODE !== 'hybrid') return change();
  const { HybridSettings } = await import('../hybrid/settings.ts');
  return new HybridSettings(store, config.HYBRID_DIR).write(mirror, change);
}

export interface StoreUse {
  /**
   * The command sets a database up (`migrate up`, `db restore`): a missing SQLite file is created.
   * Every other command refuses it, so a typo in `--db` cannot report on a new, empty database.
   */
  creates?: boolean;
}

/** SQLite's and PostgreSQL's words for a table that is not there. */
const MISSING_TABLE = /no such table: ([\w.]+)|relation "([^"]+)" does not exist/;

export async function withStore<T>(
  cmd: Command,
  fn: (store: Store, config: Config) => Promise<T>,
  use: StoreUse = {},
): Promise<T> {
  const config = configFor(cmd);
  const target = parseDatabaseUrl(config.DATABASE_URL);
  // A file this command creates and then fails on is removed again: a refused `db restore` must
  // not leave an empty database behind for the next command to mistake for a real one.
  const created =
    use.creates && target.dialect === 'sqlite' && !target.memory && !existsSync(target.path)
      ? target.path
      : null;
  const store = await openStore(config.DATABASE_URL, {
    poolSize: config.DB_POOL_SIZE,
    statementTimeoutMs: config.DB_STATEMENT_TIMEOUT_MS,
    ...(config.REDIS_URL === undefined ? {} : { redisUrl: config.REDIS_URL }),
    mustExist: !use.creates,
  });
  let failed = false;
  try {
    return await fn(store, config);
  } catch (error) {
    failed = true;
    throw await explainUnmigrated(store, error);
  } finally {
    await store.close();
    if (failed && created) removeIfEmpty(created);
  }
}

/** Removes a SQLite file with no table in it; one with tables is someone's (a concurrent `migrate up`'s). */
function removeIfEmpty(path: string): void {
  try {
    const db = new DatabaseSync(path, { readOnly: true });
    const tables = db.prepare(`select count(*) as n from sqlite_schema`).get()?.n;
    db.close();
    if (Number(tables) !== 0) return;
  } catch {
    return;
  }
  for (const f of sqliteCompanions(path)) rmSync(f, { force: true });
}

/** A missing table on a database with pending migrations means "not migrated", and says what to run. */
async function explainUnmigrated(store: Store, error: unknown): Promise<unknown> {
  const missing = error instanceof Error ? MISSING_TABLE.exec(error.message) : null;
  if (!missing) return error;
  const pending = await migrationState(store).then(
    (s) => s.pending.length,
    () => 0,
  );
  if (pending === 0) return error;
  return new Error(
    `the database at ${store.target.display} is not migrated (table ${missing[1] ?? missing[2]} is missing, ${pending} migration${pending === 1 ? '' : 's'} pending): run \`tradestore migrate up\``,
    { cause: error },
  );
}
