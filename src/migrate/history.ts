/**
 * The migration tool's own version table and the two ways of running a migration in one
 * transaction: SQLite through the raw `DatabaseSync` (so the foreign-key pragma can be switched
 * outside the transaction), PostgreSQL through one pooled client (transactional DDL).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ClientBase, PoolClient } from 'pg';
import type { Store } from '../db/store.ts';
import { sqliteTables } from '../db/sqlite-connection.ts';
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

/** Data a step removed: a whole table's rows, or one column's non-null values. */
export interface DroppedData {
  table: string;
  column?: string;
  /** Rows of the table, or non-null values of the column. */
  values: number;
}

export interface StepResult {
  ms: number;
  dropped: DroppedData[];
}

/** One session with exclusive migration rights on a database, released by `release()`. */
export interface MigrationSession {
  applied(): Promise<AppliedMigration[]>;
  run(step: MigrationStep): Promise<StepResult>;
  release(): Promise<void>;
}

/** Per table named in a script: its row count and, when the script drops anything, each column's non-null count. */
type TableProfile = Map<string, { rows: number; columns: Map<string, number> | null }>;

const DROPS = /\bdrop\b/i;

function namedIn(sql: string, tables: string[]): string[] {
  const lower = sql.toLowerCase();
  return tables.filter((t) => t !== HISTORY_TABLE && lower.includes(t.toLowerCase()));
}

/** What held data before a step and is gone after it: dropped tables, dropped columns. */
function droppedData(before: TableProfile, after: Map<string, Set<string>>): DroppedData[] {
  const dropped: DroppedData[] = [];
  for (const [table, profile] of before) {
    const now = after.get(table);
    if (!now) {
      if (profile.rows > 0) dropped.push({ table, values: profile.rows });
      continue;
    }
    for (const [column, values] of profile.columns ?? [])
      if (values > 0 && !now.has(column)) dropped.push({ table, column, values });
  }
  return dropped;
}

/** `count(*)` and, when wanted, `count(column)` for each column, in one scan. */
function countSql(table: string, columns: string[] | null): string {
  const counts = (columns ?? []).map((c, i) => `, count(${quoteIdent(c)}) as c${i}`).join('');
  return `select count(*) as n${counts} from ${quoteIdent(table)}`;
}

function profileFrom(
  row: Record<string, unknown> | undefined,
  columns: string[] | null,
): { rows: number; columns: Map<string, number> | null } {
  return {
    rows: Number(row?.n ?? 0),
    columns: columns ? new Map(columns.map((c, i) => [c, Number(row?.[`c${i}`] ?? 0)])) : null,
  };
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
    const decimals = await decimalColumns(store.orm.getMetadata());
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

function sqliteColumns(db: DatabaseSync, table: string): string[] {
  return db
    .prepare(`pragma table_info(${quoteIdent(table)})`)
    .all()
    .map((c) => String(c.name));
}

/**
 * Tables a script names: their row counts, which a rebuild must keep unless the script deletes
 * from them, and (when it drops anything) their columns' non-null counts, to say what it dropped.
 */
function sqliteProfile(db: DatabaseSync, sql: string, withColumns: boolean): TableProfile {
  const profile: TableProfile = new Map();
  for (const table of namedIn(sql, sqliteTables(db))) {
    const columns = withColumns ? sqliteColumns(db, table) : null;
    profile.set(table, profileFrom(db.prepare(countSql(table, columns)).get(), columns));
  }
  return profile;
}

function sqliteShape(db: DatabaseSync, tables: Iterable<string>): Map<string, Set<string>> {
  const present = new Set(sqliteTables(db));
  const shape = new Map<string, Set<string>>();
  for (const t of tables) if (present.has(t)) shape.set(t, new Set(sqliteColumns(db, t)));
  return shape;
}

function deletesFrom(sql: string, table: string): boolean {
  const escaped = table.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`\\b(delete\\s+from|truncate(\\s+table)?)\\s+["\`]?${escaped}["\`]?`, 'i').test(sql);
}

function sqliteRun(db: DatabaseSync, step: MigrationStep, decimals: Map<string, Set<string>>): StepResult {
  const started = performance.now();
  // Table rebuilds drop and rename parent tables; with foreign keys on, that drop would delete or
  // refuse child rows. The pragma only takes effect outside a transaction, so it is switched here,
  // and `foreign_key_check` below proves nothing was orphaned before the commit.
  db.exec('pragma foreign_keys = off');
  db.exec('begin immediate');
  try {
    sqliteEnsureTable(db);
    let dropped: DroppedData[] = [];
    if (step.direction !== 'stamp') {
      const before = sqliteProfile(db, step.sql, DROPS.test(step.sql));
      // Analyst views would make a table rebuild fail; they are derived again after the step.
      const restoreViews = suspendAnalystViews(db, step.sql, decimals);
      if (step.sql.trim()) db.exec(step.sql);
      restoreViews();
      const after = sqliteProfile(db, step.sql, false);
      dropped = droppedData(before, sqliteShape(db, before.keys()));
      for (const [table, { rows: n }] of before) {
        const m = after.get(table)?.rows;
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
    return { ms, dropped };
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

async function pgColumns(client: ClientBase): Promise<Map<string, string[]>> {
  const { rows } = await client.query(
    `select table_name, column_name from information_schema.columns
      where table_schema = current_schema() order by table_name, ordinal_position`,
  );
  const tables = new Map<string, string[]>();
  for (const r of rows) {
    const t = String(r.table_name);
    tables.set(t, [...(tables.get(t) ?? []), String(r.column_name)]);
  }
  return tables;
}

/**
 * Runs one step and records it, inside a transaction the caller holds: `db copy` migrates its
 * target in the same transaction as the rows it copies.
 */
export async function pgApplyStep(client: ClientBase, step: MigrationStep): Promise<StepResult> {
  const started = performance.now();
  await pgEnsureTable(client);
  let dropped: DroppedData[] = [];
  if (step.direction !== 'stamp' && step.sql.trim()) {
    const before: TableProfile = new Map();
    if (DROPS.test(step.sql)) {
      const shape = await pgColumns(client);
      for (const table of namedIn(step.sql, [...shape.keys()])) {
        const columns = shape.get(table)!;
        const { rows } = await client.query(countSql(table, columns));
        before.set(table, profileFrom(rows[0], columns));
      }
    }
    await client.query(step.sql);
    if (before.size > 0) {
      const after = await pgColumns(client);
      dropped = droppedData(before, new Map([...after].map(([t, c]) => [t, new Set(c)])));
    }
  }
  const ms = Math.round(performance.now() - started);
  if (step.direction === 'down')
    await client.query(`delete from ${HISTORY_TABLE} where name = $1`, [step.name]);
  else
    await client.query(`insert into ${HISTORY_TABLE} (name, checksum, execution_ms) values ($1, $2, $3)`, [
      step.name,
      step.checksum,
      ms,
    ]);
  return { ms, dropped };
}

async function pgRun(client: PoolClient, step: MigrationStep): Promise<StepResult> {
  await client.query('begin');
  try {
    const result = await pgApplyStep(client, step);
    await client.query('commit');
    return result;
  } catch (error) {
    await client.query('rollback');
    throw error;
  }
}
