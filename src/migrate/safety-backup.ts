/**
 * The copy taken of a database that holds data before a command changes it wholesale (`migrate
 * up`/`down`, `db restore`, `db reset`). A SQLite file is copied beside itself; a PostgreSQL
 * database is dumped into the current directory. A safety backup never replaces another one.
 */
import { join } from 'node:path';
import { backupDatabase, MissingToolError } from '../db/backup.ts';
import { sqliteTables } from '../db/sqlite-connection.ts';
import { quoteIdent } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import { migrationStamp } from './files.ts';
import { HISTORY_TABLE } from './history.ts';

/** True when any table other than the version table has a row. */
export async function hasRows(store: Store): Promise<boolean> {
  if (store.dialect === 'sqlite') {
    return store.withSqlite((db) =>
      sqliteTables(db).some(
        (t) =>
          t !== HISTORY_TABLE &&
          db.prepare(`select exists(select 1 from ${quoteIdent(t)}) as x`).get()?.x === 1,
      ),
    );
  }
  const pool = await store.pgPool();
  const { rows } = await pool.query(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> $1`,
    [HISTORY_TABLE],
  );
  for (const r of rows) {
    const found = await pool.query(`select exists(select 1 from ${quoteIdent(String(r.relname))}) as x`);
    if (found.rows[0]?.x === true) return true;
  }
  return false;
}

export type SafetyReason = 'migrate' | 'restore' | 'reset';

/** Backs up a database that holds data; returns the path, or null when there was nothing to keep. */
export async function safetyBackup(store: Store, reason: SafetyReason): Promise<string | null> {
  const target = store.target;
  if ((target.dialect === 'sqlite' && target.memory) || !(await hasRows(store))) return null;
  const base =
    target.dialect === 'sqlite'
      ? `${target.path}.pre-${reason}-${migrationStamp()}`
      : join(process.cwd(), `${target.database}.pre-${reason}-${migrationStamp()}`);
  const ext = target.dialect === 'sqlite' ? 'bak' : 'dump';
  for (let n = 1; ; n++) {
    const path = `${base}${n === 1 ? '' : `-${n}`}.${ext}`;
    try {
      return (await backupDatabase(store, path, { replace: false })).path;
    } catch (error) {
      if (error instanceof MissingToolError)
        throw new MissingToolError(
          `${error.message}; the safety backup before ${reason} needs it (or pass --no-backup)`,
        );
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || n >= 100) throw error;
    }
  }
}

/**
 * Before `migrate up`: SQLite files only, as it always was (an up migration adds; the runner's
 * row-count checks guard the rebuilds), so a PostgreSQL `up` does not need `pg_dump` installed.
 */
export async function backupBeforeMigrate(store: Store): Promise<string | null> {
  return store.dialect === 'sqlite' ? safetyBackup(store, 'migrate') : null;
}
