/** The copy a migration takes of a non-empty SQLite file before changing it, kept beside the file. */
import { backupDatabase } from '../db/backup.ts';
import { sqliteTables } from '../db/sqlite-dialect.ts';
import { quoteIdent } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import { migrationStamp } from './files.ts';
import { HISTORY_TABLE } from './history.ts';

async function hasRows(store: Store): Promise<boolean> {
  return store.withSqlite((db) => {
    return sqliteTables(db).some(
      (t) =>
        t !== HISTORY_TABLE &&
        db.prepare(`select exists(select 1 from ${quoteIdent(t)}) as x`).get()?.x === 1,
    );
  });
}

/** Backs up a SQLite file that holds data; returns the path, or null when there was nothing to keep. */
export async function backupBeforeMigrate(store: Store): Promise<string | null> {
  const target = store.target;
  if (target.dialect !== 'sqlite' || target.memory || !(await hasRows(store))) return null;
  const { path } = await backupDatabase(store, `${target.path}.pre-migrate-${migrationStamp()}.bak`);
  return path;
}
