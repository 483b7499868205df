/**
 * `db restore`: replaces a database's content with a tradestore backup of the same dialect, or
 * refuses and changes nothing. A backup is accepted only when its version table lists migrations
 * this build has, with the same checksums, so the restored database is one `migrate up` can
 * continue. The current content is backed up first (`safetyBackup`).
 *
 * SQLite: the backup is copied into a temporary file beside the database, checked there
 * (`integrity_check`, version table) and renamed into place. PostgreSQL: the archive's table of
 * contents and version rows are read with `pg_restore` before anything is touched; then, in one
 * transaction, every tradestore object is dropped, the archive restored, and the version table
 * compared with the archive's.
 */
import { copyFileSync, existsSync, openSync, readSync, closeSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  BackupRefusedError,
  canonical,
  fsyncFile,
  installSqliteFile,
  pgArchiveContents,
  pgArchiveTable,
  pgRestoreInOneTransaction,
  refuseDatabaseFile,
  removeTemp,
  tempBeside,
} from '../db/backup.ts';
import { pgDropStatements } from '../db/reset.ts';
import { quoteIdent } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import type { Dialect } from '../db/url.ts';
import { createdObjects, readMigrations } from './files.ts';
import { HISTORY_TABLE, readApplied } from './history.ts';
import { safetyBackup } from './safety-backup.ts';

const { DatabaseSync } = process.getBuiltinModule('node:sqlite');

const SQLITE_HEADER = 'SQLite format 3\0';
const PG_ARCHIVE_HEADER = 'PGDMP';

export interface RestoreResult {
  restored: string;
  /** The backup's last applied migration. */
  version: string;
  migrations: number;
  /** Where the content before the restore was saved (null: the database held no rows). */
  safetyBackup: string | null;
  ms: number;
}

export interface RestoreOptions {
  /** Called with the safety backup's path as soon as it is written, before the content changes. */
  onSafetyBackup?: (path: string) => void;
}

function head(path: string, bytes: number): string {
  const fd = openSync(path, 'r');
  try {
    const buffer = Buffer.alloc(bytes);
    const n = readSync(fd, buffer, 0, bytes, 0);
    return buffer.subarray(0, n).toString('latin1');
  } finally {
    closeSync(fd);
  }
}

function refuse(path: string, reason: string): never {
  throw new BackupRefusedError(`refusing to restore ${path}: ${reason}; nothing was changed`);
}

/** The backup's version rows against this build's migrations; returns the last applied name. */
function checkVersions(
  path: string,
  dialect: Dialect,
  applied: Array<{ name: string; checksum: string }>,
): string {
  if (applied.length === 0) refuse(path, `its ${HISTORY_TABLE} table lists no applied migration`);
  const files = new Map(readMigrations(dialect).map((f) => [f.name, f]));
  for (const a of applied) {
    const file = files.get(a.name);
    if (!file)
      refuse(
        path,
        `it was made at migration ${a.name}, which this build of tradestore does not have (a newer tradestore's backup?)`,
      );
    if (file.checksum !== a.checksum.trim())
      refuse(
        path,
        `its migration ${a.name} has checksum ${a.checksum.slice(0, 12)}, this build's file ${file.checksum.slice(0, 12)}`,
      );
  }
  return applied
    .map((a) => a.name)
    .sort()
    .at(-1)!;
}

export async function restoreDatabase(
  store: Store,
  file: string,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const path = resolve(file);
  if (!existsSync(path)) throw new BackupRefusedError(`backup file ${path} does not exist`);
  const stat = statSync(path);
  if (stat.isDirectory()) refuse(path, 'it is a directory, not a backup file');
  if (stat.size === 0) refuse(path, 'it is empty (0 bytes)');
  const started = performance.now();
  const magic = head(path, 16);
  const result =
    store.dialect === 'sqlite'
      ? await restoreSqlite(store, path, magic, options)
      : await restorePostgres(store, path, magic, options);
  return { restored: path, ...result, ms: Math.round(performance.now() - started) };
}

type Restored = Omit<RestoreResult, 'restored' | 'ms'>;

async function restoreSqlite(
  store: Store,
  path: string,
  magic: string,
  options: RestoreOptions,
): Promise<Restored> {
  const target = store.target;
  if (target.dialect !== 'sqlite') throw new Error('unreachable');
  if (target.memory) refuse(path, 'an in-memory database has no file to restore into');
  if (magic.startsWith(PG_ARCHIVE_HEADER))
    refuse(path, 'it is a PostgreSQL dump and this database is SQLite');
  if (magic !== SQLITE_HEADER) refuse(path, 'it is not a SQLite database (no SQLite header)');
  refuseDatabaseFile(store, path, 'backup');
  if (existsSync(`${path}-wal`) && statSync(`${path}-wal`).size > 0)
    refuse(
      path,
      `${path}-wal exists beside it: it is a live database, not a finished backup (copy it with \`tradestore db backup\`)`,
    );

  // The candidate is a byte copy in the database's own folder: the backup file is never opened by
  // SQLite (which would grow -wal/-shm files beside it), and the final rename stays on one filesystem.
  const candidate = tempBeside(canonical(target.path), 'restore');
  try {
    copyFileSync(path, candidate);
    const db = new DatabaseSync(candidate);
    let version: string;
    let migrations: number;
    try {
      const problems = db.prepare('pragma integrity_check').all();
      if (problems.length !== 1 || problems[0]?.integrity_check !== 'ok')
        refuse(path, `integrity_check failed: ${String(problems[0]?.integrity_check)}`);
      const hasHistory = db
        .prepare(`select 1 from sqlite_schema where type = 'table' and name = ?`)
        .get(HISTORY_TABLE);
      if (!hasHistory) refuse(path, `it has no ${HISTORY_TABLE} table: not a tradestore backup`);
      const applied = db
        .prepare(`select name, checksum from ${HISTORY_TABLE} order by name`)
        .all()
        .map((r) => ({ name: String(r.name), checksum: String(r.checksum) }));
      version = checkVersions(path, 'sqlite', applied);
      migrations = applied.length;
      // Out of WAL mode, the candidate is one self-contained file to rename; the store's pragmas
      // put it back into WAL mode when it reopens.
      db.exec('pragma journal_mode = delete');
    } finally {
      db.close();
    }
    fsyncFile(candidate);
    const safety = await safetyBackup(store, 'restore');
    if (safety) options.onSafetyBackup?.(safety);
    await installSqliteFile(store, candidate);
    return { version, migrations, safetyBackup: safety };
  } finally {
    removeTemp(candidate);
  }
}

/** `TABLE public assets owner` → kind, schema and name of the entries that hold objects. */
const TOC_ENTRY =
  /^\d+; \d+ \d+ (TABLE|SEQUENCE|TYPE|DOMAIN|VIEW|MATERIALIZED VIEW|FOREIGN TABLE) (\S+) (\S+)(?: \S+)?$/;

async function restorePostgres(
  store: Store,
  path: string,
  magic: string,
  options: RestoreOptions,
): Promise<Restored> {
  if (magic === SQLITE_HEADER) refuse(path, 'it is a SQLite backup and this database is PostgreSQL');
  if (!magic.startsWith(PG_ARCHIVE_HEADER))
    refuse(path, 'it is not a pg_dump archive (`tradestore db backup` writes the custom format)');
  const entries = (await pgArchiveContents(path).catch((error: Error) => refuse(path, error.message)))
    .map((line) => TOC_ENTRY.exec(line))
    .filter((m) => m !== null)
    .map((m) => ({ kind: m[1]!, schema: m[2]!, name: m[3]! }));
  const history = entries.find((e) => e.kind === 'TABLE' && e.name === HISTORY_TABLE);
  if (!history) refuse(path, `it has no ${HISTORY_TABLE} table: not a tradestore backup`);

  const pool = await store.pgPool();
  const schema = String((await pool.query('select current_schema() as s')).rows[0]?.s);
  if (history.schema !== schema)
    refuse(path, `it holds schema ${history.schema} and this database uses schema ${schema}`);
  const rows = await pgArchiveTable(path, schema, HISTORY_TABLE);
  const applied = rows.map((r) => ({ name: String(r.name), checksum: String(r.checksum ?? '') }));
  const version = checkVersions(path, 'postgresql', applied);

  const files = readMigrations('postgresql');
  const known = new Set(files.map((f) => f.name));
  const unknown = (await readApplied(store)).filter((a) => !known.has(a.name));
  if (unknown.length > 0)
    refuse(
      path,
      `the database has migration ${unknown.at(-1)!.name}, which this build does not have, so it cannot tell that migration's tables apart; restore with the tradestore that applied it`,
    );

  // What goes: tradestore's own objects (every migration this build has, applied or not) and
  // whatever the archive brings back; other objects sharing the schema stay.
  const names = createdObjects(files);
  names.add(HISTORY_TABLE);
  for (const e of entries) if (e.schema === schema) names.add(e.name);
  const drops = await pgDropStatements(pool, names);

  const expected = applied
    .map((a) => `${a.name}:${a.checksum.trim()}`)
    .sort()
    .join(',');
  const before = [`set lock_timeout = '30s';`, ...drops.statements].join('\n');
  // Inside the same transaction: a restore whose version table differs from the archive's is
  // rolled back with everything else.
  const after = `do $verify$ begin
  if (select string_agg(name || ':' || trim(checksum), ',' order by name || ':' || trim(checksum)) from ${quoteIdent(schema)}.${HISTORY_TABLE}) is distinct from '${expected.replace(/'/g, "''")}' then
    raise exception 'the restored ${HISTORY_TABLE} does not match the archive';
  end if;
end $verify$;`;

  const safety = await safetyBackup(store, 'restore');
  if (safety) options.onSafetyBackup?.(safety);
  await pgRestoreInOneTransaction(store, path, before, after);
  return { version, migrations: applied.length, safetyBackup: safety };
}
