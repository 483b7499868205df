/**
 * Dropping a database's schema objects: every table for `db reset`, or a named set (tradestore's
 * own and the backup's) before a PostgreSQL restore. One builder serves both, so a restore drops
 * exactly what a reset would for the same names.
 */
import type { Pool, PoolClient } from 'pg';
import type { Store } from './store.ts';
import { sqliteTables } from './sqlite-connection.ts';
import { quoteIdent } from './statements.ts';

const PG_RELATION_KIND: Record<string, string> = {
  r: 'table',
  p: 'table',
  f: 'foreign table',
  v: 'view',
  m: 'materialized view',
  S: 'sequence',
};

/**
 * `drop … cascade` statements, schema-qualified, for the objects of the current schema named in
 * `names` (every table, view, sequence and enum/domain type when `names` is 'all'). Partitions go
 * with their parent; sequences owned by a dropped column go with it; an extension's objects stay
 * (they are the extension's to drop).
 */
export async function pgDropStatements(
  db: Pool | PoolClient,
  names: ReadonlySet<string> | 'all',
): Promise<{ schema: string; statements: string[]; tables: number }> {
  const schema = String((await db.query('select current_schema() as s')).rows[0]?.s);
  const relations = await db.query(
    `select c.relname, c.relkind from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p', 'f', 'v', 'm', 'S') and not c.relispartition
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype in ('a', 'i') and c.relkind = 'S')
        and not exists (select 1 from pg_depend d where d.objid = c.oid and d.deptype = 'e')
      order by c.relname`,
  );
  const types = await db.query(
    `select t.typname from pg_type t join pg_namespace n on n.oid = t.typnamespace
      where n.nspname = current_schema() and t.typtype in ('e', 'd')
        and not exists (select 1 from pg_depend d where d.objid = t.oid and d.deptype = 'e')
      order by t.typname`,
  );
  const wanted = (name: string) => names === 'all' || names.has(name);
  const q = (name: string) => `${quoteIdent(schema)}.${quoteIdent(name)}`;
  const statements: string[] = [];
  let tables = 0;
  for (const r of relations.rows) {
    const name = String(r.relname);
    if (!wanted(name)) continue;
    const kind = PG_RELATION_KIND[String(r.relkind)]!;
    if (kind === 'table') tables++;
    statements.push(`drop ${kind} if exists ${q(name)} cascade;`);
  }
  for (const t of types.rows) {
    const name = String(t.typname);
    if (wanted(name)) statements.push(`drop type if exists ${q(name)} cascade;`);
  }
  return { schema, statements, tables };
}

/** Drops every table (domain and migration history), leaving an empty database. */
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
    await client.query('begin');
    const { statements, tables } = await pgDropStatements(client, 'all');
    for (const statement of statements) await client.query(statement);
    await client.query('commit');
    return tables;
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    client.release();
  }
}
