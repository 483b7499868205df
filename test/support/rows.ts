/**
 * Every row of every table a database has (the version table included), to compare a database
 * row for row before and after a command. Reads the catalog, not the entities, so a database at an
 * older schema version compares too.
 */
import { openStore, type Store } from '../../src/db/store.ts';
import { quoteIdent } from '../../src/db/statements.ts';

export type Rows = Record<string, string[]>;

export async function allRows(store: Store): Promise<Rows> {
  const conn = store.em().getConnection();
  const tables = (
    (store.dialect === 'sqlite'
      ? await conn.execute(`select name from sqlite_schema where type = 'table' and name not like 'sqlite_%'`)
      : await conn.execute(
          `select c.relname as name from pg_class c join pg_namespace n on n.oid = c.relnamespace
            where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition`,
        )) as Array<{ name: string }>
  )
    .map((r) => r.name)
    .sort();
  const out: Rows = {};
  for (const table of tables) {
    const rows = (await conn.execute(`select * from ${quoteIdent(table)}`)) as Array<Record<string, unknown>>;
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

/** Opens the database at `url`, reads every row, closes it again. */
export async function rowsAt(url: string): Promise<Rows> {
  const store = await openStore(url, { mustExist: true });
  try {
    return await allRows(store);
  } finally {
    await store.close();
  }
}

/** Total rows across tables, to be sure a comparison is not of two empty databases. */
export function rowCount(rows: Rows): number {
  return Object.values(rows).reduce((n, r) => n + r.length, 0);
}
