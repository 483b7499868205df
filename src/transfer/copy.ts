/**
 * `tradestore db copy`: every table of one database into another, SQLite ↔ PostgreSQL either way or
 * SQLite → SQLite, verified.
 *
 * - The source is read from one snapshot (a read transaction on SQLite, REPEATABLE READ on
 *   PostgreSQL), so a bot writing meanwhile cannot make the copy inconsistent.
 * - The target is migrated to the source's schema version first; a source on a version this
 *   tradestore does not know (a newer release, an edited migration) is refused.
 * - Per table, the row count and an order-independent checksum of the canonical values
 *   (columns.ts, checksum.ts) are computed while copying and again by reading the target back; any
 *   difference fails the copy.
 * - Nothing is left half-done: a SQLite target is built in `<file>.copy-partial` and renamed into
 *   place (after fsync) only once verified; a PostgreSQL target is migrated, loaded (COPY), given
 *   its sequences and verified in one transaction. A killed copy leaves the target as it was.
 * - A target that holds data is refused unless `replace`; then a replaced SQLite file is kept beside
 *   it, and a PostgreSQL target is backed up with pg_dump first (unless `backup: false`).
 *
 * Over 500 lines: the copy into each dialect and the verification both share are one
 * procedure, read in one file.
 */
import { closeSync, existsSync, fsyncSync, linkSync, openSync, renameSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import { backupDatabase } from '../db/backup.ts';
import { quoteIdent } from '../db/statements.ts';
import { openStore } from '../db/store.ts';
import { type DatabaseTarget, type Dialect, parseDatabaseUrl } from '../db/url.ts';
import { acquireFileLock } from '../migrate/file-lock.ts';
import { type MigrationFile, migrationStamp, readMigrations } from '../migrate/files.ts';
import { HISTORY_TABLE, PG_LOCK_KEY, pgApplied, pgApplyStep } from '../migrate/history.ts';
import { compareState, migrateUp } from '../migrate/runner.ts';
import { type RefusalCode, RefusedError } from '../input/errors.ts';
import { type Canonical, type ColumnKind, entityColumnKinds } from './columns.ts';
import { TableChecksum } from './checksum.ts';
import {
  pgAdvanceSequences,
  pgCount,
  pgCounters,
  pgRows,
  pgShapes,
  pgSuspendForeignKeys,
  PgTableWriter,
} from './postgres.ts';
import { SqliteTableWriter, sqliteCount, sqliteCounters, sqliteRows, sqliteShapes } from './sqlite.ts';
import { dependencyOrder, type TableShape } from './tables.ts';

const { DatabaseSync: Sqlite } = process.getBuiltinModule('node:sqlite');

/** A copy refused before the target was touched: what the target holds, or the source's version. */
export class CopyRefusedError extends RefusedError {
  override name = 'CopyRefusedError';
  readonly code: RefusalCode;

  constructor(message: string, code: RefusalCode = 'conflict') {
    super(message);
    this.code = code;
  }
}

export interface CopyProgress {
  phase: 'copy' | 'verify';
  table: string;
  /** Rows done in this phase, over all tables. */
  done: number;
  total: number;
}

export interface CopyOptions {
  /** Copy into a target that already holds data (its content is replaced). */
  replace?: boolean;
  /** pg_dump a PostgreSQL target that holds data before replacing it (default true). */
  backup?: boolean;
  /** Where that backup goes (default: the current directory). */
  backupDir?: string;
  /** Rows per batch read from the source and written to the target (default 10,000). */
  batchSize?: number;
  onProgress?: (progress: CopyProgress) => void;
}

export interface TableReport {
  table: string;
  rows: number;
  checksum: string;
}

export interface CopyReport {
  from: string;
  to: string;
  schemaVersion: string;
  /** Migrations applied to the target to reach the source's version. */
  migrated: string[];
  tables: TableReport[];
  rows: number;
  copySeconds: number;
  verifySeconds: number;
  /** Rows copied per second, verification included. */
  rowsPerSecond: number;
  /** A replaced target's previous content: the kept SQLite file or the pg_dump file. */
  backupPath: string | null;
}

/** A database the copy reads from or verifies: its live tables and their rows as canonical values. */
interface Side {
  shapes(): Promise<TableShape[]>;
  count(table: string): Promise<number>;
  rows(shape: TableShape, batch: number): AsyncGenerator<Canonical[][]>;
}

function sqliteSide(db: DatabaseSync, kinds: Kinds): Side {
  return {
    shapes: async () => sqliteShapes(db, kinds),
    count: async (t) => sqliteCount(db, t),
    rows: (shape, batch) => sqliteRows(db, shape, batch),
  };
}

function pgSide(client: pg.ClientBase, kinds: Kinds): Side {
  return {
    shapes: () => pgShapes(client, kinds),
    count: (t) => pgCount(client, t),
    rows: (shape, batch) => pgRows(client, shape, batch),
  };
}

type Kinds = Map<string, Map<string, ColumnKind>>;

interface AppliedRow {
  name: string;
  checksum: string;
}

/** Column kinds from the discovered entity metadata (an in-memory store discovers it offline). */
async function schemaKinds(): Promise<Kinds> {
  const store = await openStore('sqlite::memory:');
  try {
    return entityColumnKinds(store.orm.getMetadata());
  } finally {
    await store.close();
  }
}

/** The migration files a target of `dialect` applies to reach the source's version. */
function planSchema(sourceDialect: Dialect, applied: AppliedRow[], targetDialect: Dialect) {
  if (applied.length === 0) {
    throw new CopyRefusedError(
      'the source holds no tradestore schema (no migration applied): nothing to copy',
    );
  }
  const state = compareState(
    readMigrations(sourceDialect),
    applied.map((a) => ({ ...a, appliedAt: '', executionMs: 0 })),
  );
  const version = state.current!;
  if (state.unknown.length > 0) {
    throw new CopyRefusedError(
      `the source is on schema version ${state.unknown.at(-1)}, which this tradestore does not know (a newer release?); copy with the tradestore that migrated it`,
      'invalid_input',
    );
  }
  if (state.edited.length > 0) {
    throw new CopyRefusedError(
      `the source's migration ${state.edited[0]!.name} differs from this tradestore's file (checksum); its schema version cannot be trusted`,
      'invalid_input',
    );
  }
  const skipped = state.pending.filter((f) => f.name < version);
  if (skipped.length > 0) {
    throw new CopyRefusedError(
      `the source is at ${version} but never applied ${skipped[0]!.name}; run \`tradestore migrate up\` on it first`,
      'invalid_input',
    );
  }
  // Some migrations exist for one dialect only (SQLite's analyst views): the target applies its
  // own dialect's files up to the same version, and the target-only ones that directly follow it
  // (a PostgreSQL source never reaches a SQLite-only version, yet its SQLite copy should have them).
  const shared = new Set(readMigrations(sourceDialect).map((f) => f.name));
  const files: MigrationFile[] = [];
  for (const f of readMigrations(targetDialect)) {
    if (f.name <= version || !shared.has(f.name)) files.push(f);
    else break;
  }
  return { version, files };
}

function checkTargetSchema(
  targetApplied: AppliedRow[],
  files: MigrationFile[],
  version: string,
  display: string,
) {
  const expected = new Map(files.map((f) => [f.name, f]));
  for (const [i, a] of targetApplied.entries()) {
    const file = files[i];
    if (!file || file.name !== a.name || expected.get(a.name)?.checksum !== a.checksum) {
      throw new CopyRefusedError(
        `the target ${display} is on schema version ${targetApplied.at(-1)!.name}, the source on ${version}: use an empty target, or migrate the source to the target's version first`,
      );
    }
  }
  return files.slice(targetApplied.length);
}

function sameColumns(source: TableShape, target: TableShape | undefined, display: string): void {
  const missing = source.columns.filter((c) => !target?.columns.some((t) => t.name === c.name));
  if (!target || missing.length > 0) {
    throw new CopyRefusedError(
      `the target ${display} has no ${target ? `column ${source.name}.${missing[0]!.name}` : `table ${source.name}`} after migrating; the schemas differ`,
    );
  }
}

interface SourceSnapshot {
  dialect: Dialect;
  applied: AppliedRow[];
  side: Side;
  counters: Map<string, number>;
  close(): Promise<void>;
}

async function openSource(target: DatabaseTarget, kinds: Kinds): Promise<SourceSnapshot> {
  if (target.dialect === 'sqlite') {
    if (target.memory) throw new CopyRefusedError('an in-memory source holds nothing to copy');
    if (!existsSync(target.path)) throw new CopyRefusedError(`the source ${target.path} does not exist`);
    const db = new Sqlite(target.path, { readOnly: true, timeout: 10_000 });
    try {
      // One read transaction: every table comes from the same WAL snapshot.
      db.exec('begin');
      const hasHistory = db
        .prepare(`select 1 from sqlite_schema where type = 'table' and name = ?`)
        .get(HISTORY_TABLE);
      const applied = hasHistory
        ? db
            .prepare(`select name, checksum from ${HISTORY_TABLE} order by name`)
            .all()
            .map((r) => ({ name: String(r.name), checksum: String(r.checksum) }))
        : [];
      return {
        dialect: 'sqlite',
        applied,
        side: sqliteSide(db, kinds),
        counters: sqliteCounters(db),
        close: async () => {
          if (db.isTransaction) db.exec('rollback');
          db.close();
        },
      };
    } catch (error) {
      db.close();
      throw error;
    }
  }
  const client = new pg.Client({ connectionString: target.url, application_name: 'tradestore db copy' });
  await client.connect();
  try {
    await client.query('begin isolation level repeatable read read only');
    const applied = (await pgApplied(client as unknown as pg.PoolClient)).map((a) => ({
      name: a.name,
      checksum: a.checksum,
    }));
    return {
      dialect: 'postgresql',
      applied,
      side: pgSide(client, kinds),
      counters: await pgCounters(client),
      close: async () => {
        await client.query('rollback').catch(() => {});
        await client.end();
      },
    };
  } catch (error) {
    await client.end();
    throw error;
  }
}

/** What the copy streams per table: source rows into the target's writer, checksummed on the way. */
async function copyTables(
  source: Side,
  shapes: TableShape[],
  totals: Map<string, number>,
  batch: number,
  write: (shape: TableShape) => { write(rows: Canonical[][]): void | Promise<void>; finish(): Promise<void> },
  onProgress: CopyOptions['onProgress'],
): Promise<Map<string, TableChecksum>> {
  const total = [...totals.values()].reduce((a, n) => a + n, 0);
  const sums = new Map<string, TableChecksum>();
  let done = 0;
  for (const shape of shapes) {
    const sum = new TableChecksum(shape.columns);
    sums.set(shape.name, sum);
    if ((totals.get(shape.name) ?? 0) === 0) continue;
    const writer = write(shape);
    for await (const rows of source.rows(shape, batch)) {
      for (const row of rows) sum.add(row);
      await writer.write(rows);
      done += rows.length;
      onProgress?.({ phase: 'copy', table: shape.name, done, total });
    }
    await writer.finish();
  }
  return sums;
}

/** Reads the target back and compares each table's count and checksum with the source's. */
async function verify(
  target: Side,
  shapes: TableShape[],
  expected: Map<string, TableChecksum>,
  totals: Map<string, number>,
  batch: number,
  display: string,
  onProgress: CopyOptions['onProgress'],
): Promise<TableReport[]> {
  const total = [...totals.values()].reduce((a, n) => a + n, 0);
  const reports: TableReport[] = [];
  let done = 0;
  for (const shape of shapes) {
    const sum = new TableChecksum(shape.columns);
    for await (const rows of target.rows(shape, batch)) {
      for (const row of rows) sum.add(row);
      done += rows.length;
      onProgress?.({ phase: 'verify', table: shape.name, done, total });
    }
    const want = expected.get(shape.name)!;
    if (sum.rows !== want.rows || sum.hex() !== want.hex()) {
      throw new Error(
        `verification failed for table ${shape.name}: the source has ${want.rows} rows (checksum ${want.hex().slice(0, 16)}), ${display} has ${sum.rows} (checksum ${sum.hex().slice(0, 16)}); the target was left as it was`,
      );
    }
    reports.push({ table: shape.name, rows: sum.rows, checksum: sum.hex() });
  }
  return reports;
}

async function holdsData(side: Side): Promise<string | null> {
  for (const shape of await side.shapes()) if ((await side.count(shape.name)) > 0) return shape.name;
  return null;
}

export async function copyDatabase(
  fromUrl: string,
  toUrl: string,
  options: CopyOptions = {},
): Promise<CopyReport> {
  const from = parseDatabaseUrl(fromUrl);
  const to = parseDatabaseUrl(toUrl);
  if (to.dialect === 'sqlite' && to.memory)
    throw new CopyRefusedError('an in-memory target would vanish when the copy ends');
  if (from.display === to.display && from.dialect === to.dialect) {
    throw new CopyRefusedError(`--from and --to are the same database (${from.display})`);
  }
  const batch = options.batchSize ?? 10_000;
  const kinds = await schemaKinds();
  const started = performance.now();
  const source = await openSource(from, kinds);
  try {
    const plan = planSchema(source.dialect, source.applied, to.dialect);
    const shapes = dependencyOrder(await source.side.shapes());
    const totals = new Map<string, number>();
    for (const s of shapes) totals.set(s.name, await source.side.count(s.name));
    const job: Job = {
      plan,
      shapes,
      totals,
      batch,
      source,
      options,
      started,
      from: from.display,
      to: to.display,
    };
    return to.dialect === 'sqlite'
      ? await copyIntoSqlite(job, to.path, kinds)
      : await copyIntoPg(job, to, kinds);
  } finally {
    await source.close();
  }
}

interface Job {
  plan: { version: string; files: MigrationFile[] };
  shapes: TableShape[];
  totals: Map<string, number>;
  batch: number;
  source: SourceSnapshot;
  options: CopyOptions;
  started: number;
  from: string;
  to: string;
}

/** The target read back against the checksums taken while copying, for `job`'s tables. */
function verifyJob(job: Job, target: Side, sums: Map<string, TableChecksum>, display: string) {
  return verify(target, job.shapes, sums, job.totals, job.batch, display, job.options.onProgress);
}

function report(
  job: Job,
  tables: TableReport[],
  migrated: string[],
  copyEnd: number,
  backupPath: string | null,
): CopyReport {
  const end = performance.now();
  const rows = tables.reduce((a, t) => a + t.rows, 0);
  return {
    from: job.from,
    to: job.to,
    schemaVersion: job.plan.version,
    migrated,
    tables,
    rows,
    copySeconds: Math.round(copyEnd - job.started) / 1000,
    verifySeconds: Math.round(end - copyEnd) / 1000,
    rowsPerSecond: Math.round(rows / ((end - job.started) / 1000)),
    backupPath,
  };
}

function removeSqliteFiles(path: string): void {
  for (const suffix of ['', '-wal', '-shm', '-journal', '.migrate-lock'])
    rmSync(`${path}${suffix}`, { force: true });
}

function fsyncPath(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** A target file that holds data is refused without --replace, and one another process has open always. */
async function refuseOccupiedTarget(job: Job, path: string, kinds: Kinds): Promise<void> {
  // Opening read-write recovers a hot WAL, so what is checked is everything committed.
  const existing = new Sqlite(path, { timeout: 10_000 });
  try {
    const table = await holdsData(sqliteSide(existing, kinds));
    if (table && !job.options.replace) {
      throw new CopyRefusedError(
        `the target ${path} already holds data (table ${table}); pass --replace to replace it (the old file is kept beside it)`,
      );
    }
  } finally {
    existing.close();
  }
  if (existsSync(`${path}-wal`)) {
    throw new CopyRefusedError(
      `the target ${path} is open in another process; stop it before replacing the file`,
    );
  }
}

/** The partial file migrated to the source's schema version; the migrations applied. */
async function migratePartial(job: Job, partial: string): Promise<string[]> {
  const last = job.plan.files.at(-1);
  const scratch = await openStore(`sqlite:${partial}`);
  try {
    return last ? (await migrateUp(scratch, { to: last.name })).applied : [];
  } finally {
    await scratch.close();
  }
}

/** Writes one table's rows into the partial file, committing every 100,000 rows. */
function sqliteTableSink(db: DatabaseSync) {
  return (shape: Job['shapes'][number]) => {
    const writer = new SqliteTableWriter(db, shape);
    db.exec('begin');
    let pending = 0;
    return {
      write: (rows: Parameters<SqliteTableWriter['write']>[0]) => {
        writer.write(rows);
        pending += rows.length;
        if (pending >= 100_000) {
          db.exec('commit; begin');
          pending = 0;
        }
      },
      finish: async () => db.exec('commit'),
    };
  };
}

/** Copies every table into the partial file and verifies it by reading it back. */
async function fillPartial(job: Job, partial: string, kinds: Kinds) {
  const db = new Sqlite(partial);
  try {
    // The file is not in place yet: a crash loses nothing, and fsync before the rename covers durability.
    db.exec('pragma synchronous = off');
    db.exec('pragma foreign_keys = off');
    const targetShapes = new Map(sqliteShapes(db, kinds).map((s) => [s.name, s]));
    for (const s of job.shapes) sameColumns(s, targetShapes.get(s.name), partial);
    const sums = await copyTables(
      job.source.side,
      job.shapes,
      job.totals,
      job.batch,
      sqliteTableSink(db),
      job.options.onProgress,
    );
    advanceSqliteCounters(db, job.source.counters);
    const orphans = db.prepare('pragma foreign_key_check').all();
    if (orphans.length > 0) {
      throw new Error(
        `the copied rows break ${orphans.length} foreign keys (first: ${orphans[0]!.table} rowid ${orphans[0]!.rowid} → ${orphans[0]!.parent}); the source is inconsistent, nothing was replaced`,
      );
    }
    const copyEnd = performance.now();
    const tables = await verifyJob(job, sqliteSide(db, kinds), sums, partial);
    db.exec('pragma wal_checkpoint(truncate)');
    return { tables, copyEnd };
  } finally {
    if (db.isTransaction) db.exec('rollback');
    db.close();
  }
}

async function copyIntoSqlite(job: Job, path: string, kinds: Kinds): Promise<CopyReport> {
  let unlock: () => void;
  try {
    unlock = await acquireFileLock(`${path}.copy-lock`, 1000);
  } catch {
    throw new CopyRefusedError(`another db copy into ${path} is running (lock file ${path}.copy-lock)`);
  }
  const partial = `${path}.copy-partial`;
  try {
    const replacing = existsSync(path);
    if (replacing) await refuseOccupiedTarget(job, path, kinds);
    // A partial file is only ever ours (we hold the lock): one left by a killed copy goes.
    removeSqliteFiles(partial);
    const migrated = await migratePartial(job, partial);
    const { tables, copyEnd } = await fillPartial(job, partial, kinds);
    fsyncPath(partial);
    let backupPath: string | null = null;
    if (replacing) {
      backupPath = `${path}.before-copy-${migrationStamp()}`;
      linkSync(path, backupPath);
    }
    renameSync(partial, path);
    fsyncPath(dirname(path));
    return report(job, tables, migrated, copyEnd, backupPath);
  } catch (error) {
    removeSqliteFiles(partial);
    throw error;
  } finally {
    unlock();
  }
}

function advanceSqliteCounters(db: DatabaseSync, counters: Map<string, number>): void {
  const exists = db.prepare(`select 1 from sqlite_schema where name = 'sqlite_sequence'`).get();
  if (!exists) return;
  for (const [table, counter] of counters) {
    const auto = db
      .prepare(
        `select 1 from sqlite_schema where type = 'table' and name = ? and lower(sql) like '%autoincrement%'`,
      )
      .get(table);
    if (!auto) continue;
    const row = db.prepare('select seq from sqlite_sequence where name = ?').get(table);
    if (row === undefined)
      db.prepare('insert into sqlite_sequence (name, seq) values (?, ?)').run(table, counter);
    else if (Number(row.seq) < counter)
      db.prepare('update sqlite_sequence set seq = ? where name = ?').run(counter, table);
  }
}

async function copyIntoPg(
  job: Job,
  to: Extract<DatabaseTarget, { dialect: 'postgresql' }>,
  kinds: Kinds,
): Promise<CopyReport> {
  const client = new pg.Client({ connectionString: to.url, application_name: 'tradestore db copy' });
  await client.connect();
  try {
    const occupied = await holdsData(pgSide(client, kinds));
    if (occupied && !job.options.replace) {
      throw new CopyRefusedError(
        `the target ${to.display} already holds data (table ${occupied}); pass --replace to replace it (backed up with pg_dump first)`,
      );
    }
    let backupPath: string | null = null;
    if (occupied && job.options.backup !== false) {
      const store = await openStore(to.url);
      try {
        const dir = job.options.backupDir ?? process.cwd();
        backupPath = (
          await backupDatabase(store, `${dir}/${to.database}.before-copy-${migrationStamp()}.dump`)
        ).path;
      } finally {
        await store.close();
      }
    }
    await client.query('begin');
    try {
      // Held to the commit: a concurrent `migrate up` on the target waits for the copy.
      await client.query('select pg_advisory_xact_lock($1)', [PG_LOCK_KEY]);
      const applied = await pgApplied(client as unknown as pg.PoolClient);
      const pending = checkTargetSchema(applied, job.plan.files, job.plan.version, to.display);
      if (occupied) {
        // Only the tables the copy fills: another application's table in the same schema is not ours to empty.
        const copied = new Set(job.shapes.map((s) => s.name));
        const existing = (await pgShapes(client, kinds))
          .filter((s) => copied.has(s.name))
          .map((s) => quoteIdent(s.name));
        if (existing.length > 0) await client.query(`truncate table ${existing.join(', ')}`);
      }
      const migrated: string[] = [];
      for (const file of pending) {
        await pgApplyStep(client, {
          name: file.name,
          checksum: file.checksum,
          sql: file.up,
          direction: 'up',
        });
        migrated.push(file.name);
      }
      const targetShapes = new Map((await pgShapes(client, kinds)).map((s) => [s.name, s]));
      for (const s of job.shapes) sameColumns(s, targetShapes.get(s.name), to.display);
      const restoreForeignKeys = await pgSuspendForeignKeys(client, [...targetShapes.keys()]);
      const sums = await copyTables(
        job.source.side,
        job.shapes,
        job.totals,
        job.batch,
        (shape) => new PgTableWriter(client, shape),
        job.options.onProgress,
      );
      await restoreForeignKeys();
      await pgAdvanceSequences(client, job.source.counters);
      const copyEnd = performance.now();
      const tables = await verifyJob(job, pgSide(client, kinds), sums, to.display);
      await client.query('commit');
      return report(job, tables, migrated, copyEnd, backupPath);
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    }
  } finally {
    await client.end();
  }
}
