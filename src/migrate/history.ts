/**
 * The migration tool's own version table and the two ways of running a migration in one
 * transaction: SQLite through the raw `DatabaseSync` (so the foreign-key pragma can be switched
 * outside the transaction), PostgreSQL through one pooled client (transactional DDL).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ClientBase, PoolClient } from 'pg';
import type { Store } from '../db/store.ts';
import { sqliteTables } from '../db/sqlite-dialect.ts';
import { quoteIdent } from '../db/statements.ts';
import { decimalColumns, suspendAnalystViews } from './analyst-views.ts';
import { acquireFileLock } from './file-lock.ts';

export const HISTORY_TABLE = 'tradestore_migrations';

export interface AppliedMigration {
  name: string;
  checksum: string;
  appliedAt: string;
  executionMs: number;
}

export interface MigrationStep {
  name: string;
  checksum: string;
  sql: string;
  /** `up` records the migration as applied; `down` removes its row; `stamp` records it without running SQL. */
  direction: 'up' | 'down' | 'stamp';
}

export class MigrationSafetyError extends Error {
  override name = 'MigrationSafetyError';
}

/** One session with exclusive migration rights on a database, released by `release()`. */
export interface MigrationSession {
  applied(): Promise<AppliedMigration[]>;
  run(step: MigrationStep): Promise<number>;
  release(): Promise<void>;
}

/** The advisory lock key migrations hold on PostgreSQL (`db copy` takes it for its transaction too). */
export const PG_LOCK_KEY = 7_347_199_100;

export async function readApplied(store: Store): Promise<AppliedMigration[]> {
  if (store.dialect === 'sqlite') return store.withSqlite((db) => sqliteApplied(db));
  const client = await (await store.pgPool()).connect();
  try {
    return await pgApplied(client);
  } finally {
    client.release();
  }
}

export async function openMigrationSession(store: Store): Promise<MigrationSession> {
  if (store.dialect === 'sqlite') {
    const target = store.target;
    const unlock =
      target.dialect === 'sqlite' && !target.memory
        ? await acquireFileLock(`${target.path}.migrate-lock`)
        : () => {};
    const decimals = decimalColumns(store.orm.getMetadata());
    return {
      applied: () => store.withSqlite((db) => sqliteApplied(db)),
      run: (step) => store.withSqlite((db) => sqliteRun(db, step, decimals)),
      release: async () => unlock(),
    };
  }
  const client = await (await store.pgPool()).connect();
  // The advisory lock lives as long as this client: a second `migrate up` waits here, then finds
  // everything applied.
  await client.query('select pg_advisory_lock($1)', [PG_LOCK_KEY]);
  return {
    applied: () => pgApplied(client),
    run: (step) => pgRun(client, step),
    release: async () => {
      try {
        await client.query('select pg_advisory_unlock($1)', [PG_LOCK_KEY]);
      } finally {
        client.release();
      }
    },
  };
}

function sqliteEnsureTable(db: DatabaseSync): void {
  db.exec(
    `create table if not exists ${HISTORY_TABLE} (name text primary key, checksum text not null, applied_at text not null, execution_ms integer not null)`,
  );
}

function sqliteApplied(db: DatabaseSync): AppliedMigration[] {
  const exists = db
    .prepare(`select 1 from sqlite_schema where type = 'table' and name = ?`)
    .get(HISTORY_TABLE);
  if (!exists) return [];
  return db
    .prepare(`select name, checksum, applied_at, execution_ms from ${HISTORY_TABLE} order by name`)
    .all()
    .map((r) => ({
      name: String(r.name),
      checksum: String(r.checksum),
      appliedAt: String(r.applied_at),
      executionMs: Number(r.execution_ms),
    }));
}

/** Tables a script names, whose row counts a rebuild must keep unless the script deletes from them. */
function countsOf(db: DatabaseSync, sql: string): Map<string, number> {
  const counts = new Map<string, number>();
  const lower = sql.toLowerCase();
  for (const table of sqliteTables(db)) {
    if (table === HISTORY_TABLE || !lower.includes(table.toLowerCase())) continue;
    const row = db.prepare(`select count(*) as n from ${quoteIdent(table)}`).get();
    counts.set(table, Number(row?.n ?? 0));
  }
  return counts;
}

function deletesFrom(sql: string, table: string): boolean {
  const escaped = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b(delete\\s+from|truncate(\\s+table)?)\\s+["\`]?${escaped}["\`]?`, 'i').test(sql);
}

function sqliteRun(db: DatabaseSync, step: MigrationStep, decimals: Map<string, Set<string>>): number {
  const started = performance.now();
  // Table rebuilds drop and rename parent tables; with foreign keys on, that drop would delete or
  // refuse child rows. The pragma only takes effect outside a transaction, so it is switched here,
  // and `foreign_key_check` below proves nothing was orphaned before the commit.
  db.exec('pragma foreign_keys = off');
  db.exec('begin immediate');
  try {
    sqliteEnsureTable(db);
    if (step.direction !== 'stamp') {
      const before = countsOf(db, step.sql);
      // Analyst views would make a table rebuild fail; they are derived again after the step.
      const restoreViews = suspendAnalystViews(db, step.sql, decimals);
      if (step.sql.trim()) db.exec(step.sql);
      restoreViews();
      const after = countsOf(db, step.sql);
      for (const [table, n] of before) {
        const m = after.get(table);
        if (m !== undefined && m !== n && !deletesFrom(step.sql, table)) {
          throw new MigrationSafetyError(
            `${step.name}: table ${table} had ${n} rows before and ${m} after; rolled back, nothing changed`,
          );
        }
      }
      const orphans = db.prepare('pragma foreign_key_check').all();
      if (orphans.length > 0) {
        const first = orphans[0]!;
        throw new MigrationSafetyError(
          `${step.name}: ${orphans.length} rows would break foreign keys (first: ${first.table} rowid ${first.rowid} → ${first.parent}); rolled back, nothing changed`,
        );
      }
    }
    const ms = Math.round(performance.now() - started);
    if (step.direction === 'down') db.prepare(`delete from ${HISTORY_TABLE} where name = ?`).run(step.name);
    else
      db.prepare(
        `insert into ${HISTORY_TABLE} (name, checksum, applied_at, execution_ms) values (?, ?, ?, ?)`,
      ).run(step.name, step.checksum, new Date().toISOString(), ms);
    db.exec('commit');
    return ms;
  } catch (error) {
    if (db.isTransaction) db.exec('rollback');
    throw error;
  } finally {
    db.exec('pragma foreign_keys = on');
  }
}

async function pgEnsureTable(client: ClientBase): Promise<void> {
  await client.query(
    `create table if not exists ${HISTORY_TABLE} (name varchar(255) primary key, checksum char(64) not null, applied_at timestamptz not null default now(), execution_ms integer not null)`,
  );
}

export async function pgApplied(client: ClientBase): Promise<AppliedMigration[]> {
  const exists = await client.query('select to_regclass($1) as t', [HISTORY_TABLE]);
  if (!exists.rows[0]?.t) return [];
  const { rows } = await client.query(
    `select name, checksum, applied_at, execution_ms from ${HISTORY_TABLE} order by name`,
  );
  return rows.map((r) => ({
    name: String(r.name),
    checksum: String(r.checksum).trim(),
    appliedAt: new Date(r.applied_at).toISOString(),
    executionMs: Number(r.execution_ms),
  }));
}

/**
 * Runs one step and records it, inside a transaction the caller holds: `db copy` migrates its
 * target in the same transaction as the rows it copies. Returns the step's duration in ms.
 */
export async function pgApplyStep(client: ClientBase, step: MigrationStep): Promise<number> {
  const started = performance.now();
  await pgEnsureTable(client);
  if (step.direction !== 'stamp' && step.sql.trim()) await client.query(step.sql);
  const ms = Math.round(performance.now() - started);
  if (step.direction === 'down')
    await client.query(`delete from ${HISTORY_TABLE} where name = $1`, [step.name]);
  else
    await client.query(`insert into ${HISTORY_TABLE} (name, checksum, execution_ms) values ($1, $2, $3)`, [
      step.name,
      step.checksum,
      ms,
    ]);
  return ms;
}

async function pgRun(client: PoolClient, step: MigrationStep): Promise<number> {
  await client.query('begin');
  try {
    const ms = await pgApplyStep(client, step);
    await client.query('commit');
    return ms;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
