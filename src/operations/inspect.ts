/** Health, row counts and table/index sizes: what `db health`, `db counts` and `db stats` report. */
import { statSync } from 'node:fs';
import { redact } from '../config/secrets.ts';
import { migrationState } from '../migrate/runner.ts';
import type { Store } from '../db/store.ts';

export interface Health {
  status: 'healthy' | 'unhealthy';
  dialect: Store['dialect'];
  database: string;
  size_bytes: number | null;
  schema_version: string | null;
  pending_migrations: number;
  latency_ms: number;
  error?: string;
}

function fileSize(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return 0;
  }
}

export async function health(store: Store): Promise<Health> {
  const started = performance.now();
  try {
    // Below the ORM and Kysely: on SQLite the health check then loads neither.
    if (store.dialect === 'sqlite') await store.withSqlite((db) => db.prepare('select 1').get());
    else await (await store.pgPool()).query('select 1');
    const latency = performance.now() - started;
    const state = await migrationState(store);
    let size: number | null = null;
    if (store.target.dialect === 'sqlite') {
      size = store.target.memory ? null : fileSize(store.target.path) + fileSize(`${store.target.path}-wal`);
    } else {
      const r = await (
        await store.pgPool()
      ).query('select pg_database_size(current_database())::bigint as n');
      size = Number(r.rows[0]?.n ?? 0);
    }
    return {
      status: 'healthy',
      dialect: store.dialect,
      database: store.target.display,
      size_bytes: size,
      schema_version: state.current,
      pending_migrations: state.pending.length,
      latency_ms: Math.round(latency * 1000) / 1000,
    };
  } catch (error) {
    return {
      status: 'unhealthy',
      dialect: store.dialect,
      database: store.target.display,
      size_bytes: null,
      schema_version: null,
      pending_migrations: 0,
      latency_ms: Math.round((performance.now() - started) * 1000) / 1000,
      // A driver's message can quote the connection string; /health is often public.
      error: redact((error as Error).message),
    };
  }
}

/** Entity tables in a stable order, with whether they carry the `test_mode` flag. */
export function domainTables(store: Store): Array<{ table: string; testMode: boolean }> {
  return [...store.orm.getMetadata().getAll().values()]
    .filter((m) => !m.embeddable && !m.virtual && m.tableName)
    .map((m) => ({ table: m.tableName, testMode: Boolean(m.properties['testMode']) }))
    .sort((a, b) => a.table.localeCompare(b.table));
}

async function existingTables(store: Store): Promise<Set<string>> {
  const rows =
    store.dialect === 'sqlite'
      ? await store.em().getConnection().execute(`select name from sqlite_schema where type = 'table'`)
      : await store
          .em()
          .getConnection()
          .execute(`select tablename as name from pg_tables where schemaname = current_schema()`);
  return new Set((rows as Array<{ name: string }>).map((r) => r.name));
}

export interface TableCount {
  table: string;
  rows: number;
  production: number | null;
  test: number | null;
}

export async function tableCounts(store: Store): Promise<TableCount[]> {
  const present = await existingTables(store);
  const conn = store.em().getConnection();
  const out: TableCount[] = [];
  for (const { table, testMode } of domainTables(store)) {
    if (!present.has(table)) continue;
    const sql = testMode
      ? `select count(*) as n, coalesce(sum(case when test_mode then 1 else 0 end), 0) as t from ${table}`
      : `select count(*) as n, 0 as t from ${table}`;
    const [row] = (await conn.execute(sql)) as Array<{ n: number | string; t: number | string }>;
    const rows = Number(row?.n ?? 0);
    const test = Number(row?.t ?? 0);
    out.push({ table, rows, production: testMode ? rows - test : null, test: testMode ? test : null });
  }
  return out;
}

export interface TableStats {
  table: string;
  rows: number;
  table_bytes: number | null;
  index_bytes: number | null;
  indexes: Array<{ name: string; bytes: number | null; scans: number | null }>;
}

export async function tableStats(store: Store): Promise<TableStats[]> {
  const counts = new Map((await tableCounts(store)).map((c) => [c.table, c.rows]));
  const conn = store.em().getConnection();
  const out: TableStats[] = [];
  if (store.dialect === 'sqlite') {
    // dbstat is compiled into node:sqlite's SQLite; it gives bytes per table and per index.
    const sizes = (await conn.execute(
      `select name, sum(pgsize) as bytes from dbstat group by name`,
    )) as Array<{ name: string; bytes: number }>;
    const size = new Map(sizes.map((s) => [s.name, Number(s.bytes)]));
    const idx = (await conn.execute(
      `select name, tbl_name from sqlite_schema where type = 'index'`,
    )) as Array<{ name: string; tbl_name: string }>;
    for (const [table, rows] of counts) {
      const indexes = idx
        .filter((i) => i.tbl_name === table)
        .map((i) => ({ name: i.name, bytes: size.get(i.name) ?? 0, scans: null }));
      out.push({
        table,
        rows,
        table_bytes: size.get(table) ?? 0,
        index_bytes: indexes.reduce((a, i) => a + (i.bytes ?? 0), 0),
        indexes,
      });
    }
    return out;
  }
  const idx = (await conn.execute(
    `select relname as table, indexrelname as name, pg_relation_size(indexrelid)::bigint as bytes, idx_scan::bigint as scans
       from pg_stat_user_indexes where schemaname = current_schema()`,
  )) as Array<{ table: string; name: string; bytes: string; scans: string }>;
  for (const [table, rows] of counts) {
    const [sizes] = (await conn.execute(
      `select pg_table_size(?::regclass)::bigint as t, pg_indexes_size(?::regclass)::bigint as i`,
      [table, table],
    )) as Array<{ t: string; i: string }>;
    out.push({
      table,
      rows,
      table_bytes: Number(sizes?.t ?? 0),
      index_bytes: Number(sizes?.i ?? 0),
      indexes: idx
        .filter((i) => i.table === table)
        .map((i) => ({ name: i.name, bytes: Number(i.bytes), scans: Number(i.scans) })),
    });
  }
  return out;
}
