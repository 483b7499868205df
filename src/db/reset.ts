/** Drops every table (domain and migration history) and view, leaving an empty database. */
import type { Store } from './store.ts';
import { sqliteTables } from './sqlite-dialect.ts';
import { quoteIdent } from './statements.ts';

export async function dropAllTables(store: Store): Promise<number> {
  if (store.dialect === 'sqlite') {
    return store.withSqlite((db) => {
      const tables = sqliteTables(db);
      db.exec('pragma foreign_keys = off');
      db.exec('begin immediate');
      try {
        const views = db.prepare(`select name from sqlite_schema where type = 'view'`).all();
        for (const v of views) db.exec(`drop view if exists ${quoteIdent(String(v.name))}`);
        for (const t of tables) db.exec(`drop table if exists ${quoteIdent(t)}`);
        db.exec('commit');
      } catch (error) {
        db.exec('rollback');
        throw error;
      } finally {
        db.exec('pragma foreign_keys = on');
      }
      return tables.length;
    });
  }
  const client = await (await store.pgPool()).connect();
  try {
    const { rows } = await client.query(
      `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
        where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition`,
    );
    await client.query('begin');
    for (const r of rows) await client.query(`drop table if exists ${quoteIdent(String(r.relname))} cascade`);
    // Native enum types belong to the dropped tables' schema too.
    const types = await client.query(
      `select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
        where n.nspname = current_schema() and t.typtype = 'e'`,
    );
    for (const t of types.rows)
      await client.query(`drop type if exists ${quoteIdent(String(t.typname))} cascade`);
    await client.query('commit');
    return rows.length;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
