/** The copy a migration takes of a non-empty SQLite file before changing it, kept beside the file. */
import { backupDatabase } from '../db/backup.ts';
import type { Store } from '../db/store.ts';
import { migrationStamp } from './files.ts';

async function hasRows(store: Store): Promise<boolean> {
  return store.withSqlite((db) => {
    const tables = db
      .prepare(
        `select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and name <> 'tradestore_migrations'`,
      )
      .all();
    return tables.some(
      (t) =>
        db.prepare(`select exists(select 1 from "${String(t.name).replaceAll('"', '""')}") as x`).get()?.x ===
        1,
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
