/**
 * A dialect-neutral fingerprint of a live schema: one line per table, column, index, foreign key
 * and check. Two databases have the same schema exactly when their fingerprints are equal, and the
 * set difference is a readable list of what differs.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Store } from '../db/store.ts';
import { quoteIdent } from '../db/statements.ts';
import { HISTORY_TABLE } from './history.ts';

const squash = (s: unknown) =>
  String(s ?? '')
    .replace(/\s+/g, ' ')
    .trim();

export async function schemaFingerprint(store: Store): Promise<Set<string>> {
  if (store.dialect === 'sqlite') return store.withSqlite((db) => sqliteFingerprint(db));
  return pgFingerprint(store);
}

/** Balanced-parenthesis bodies of every CHECK in a CREATE TABLE statement. */
function checksOf(sql: string): string[] {
  const out: string[] = [];
  const re = /\bcheck\s*\(/gi;
  for (let m = re.exec(sql); m; m = re.exec(sql)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < sql.length && depth > 0; i++) {
      if (sql[i] === '(') depth++;
      else if (sql[i] === ')') depth--;
    }
    out.push(
      squash(sql.slice(start, i - 1))
        .replace(/[`"]/g, '')
        .toLowerCase(),
    );
  }
  return out.sort();
}

function sqliteFingerprint(db: DatabaseSync): Set<string> {
  const facts = new Set<string>();
  const tables = db
    .prepare(
      `select name, sql from sqlite_schema where type = 'table' and name not like 'sqlite_%' and name <> ? order by name`,
    )
    .all(HISTORY_TABLE);
  for (const t of tables) {
    const table = String(t.name);
    const q = quoteIdent(table);
    facts.add(`table ${table}`);
    // The entity diff cannot see the storage layout (candles is WITHOUT ROWID), so this must.
    if (/\)\s*without\s+rowid\s*;?\s*$/i.test(String(t.sql))) facts.add(`table ${table}: without rowid`);
    for (const c of db.prepare(`pragma table_xinfo(${q})`).all()) {
      facts.add(
        `column ${table}.${c.name}: ${squash(c.type).toLowerCase()}${c.notnull ? ' not null' : ' null'}${c.dflt_value != null ? ` default ${squash(c.dflt_value)}` : ''}${c.pk ? ` pk${c.pk}` : ''}`,
      );
    }
    for (const ix of db.prepare(`pragma index_list(${q})`).all()) {
      const cols = db
        .prepare(`pragma index_xinfo(${quoteIdent(String(ix.name))})`)
        .all()
        .filter((c) => c.key)
        .map((c) => `${c.name ?? '<expr>'}${c.desc ? ' desc' : ''}`);
      const def = db
        .prepare(`select sql from sqlite_schema where type = 'index' and name = ?`)
        .get(String(ix.name));
      const where = def?.sql ? /\bwhere\b(.*)$/is.exec(String(def.sql))?.[1] : undefined;
      const name = String(ix.name).startsWith('sqlite_autoindex_') ? `(${ix.origin})` : String(ix.name);
      facts.add(
        `index ${table} ${name}: ${ix.unique ? 'unique ' : ''}(${cols.join(', ')})${where ? ` where ${squash(where).toLowerCase()}` : ''}`,
      );
    }
    for (const fk of db.prepare(`pragma foreign_key_list(${q})`).all()) {
      facts.add(
        `foreign key ${table}.${fk.from} -> ${fk.table}.${fk.to} on delete ${String(fk.on_delete).toLowerCase()} on update ${String(fk.on_update).toLowerCase()}`,
      );
    }
    for (const check of checksOf(String(t.sql))) facts.add(`check ${table}: ${check}`);
  }
  // Views (SQLite's analyst views) are part of what the migrations produce: one missing or
  // redefined by hand is drift.
  for (const v of db.prepare(`select name, sql from sqlite_schema where type = 'view' order by name`).all()) {
    facts.add(`view ${v.name}: ${squash(v.sql).replace(/[`"]/g, '').toLowerCase()}`);
  }
  return facts;
}

async function pgFingerprint(store: Store): Promise<Set<string>> {
  const facts = new Set<string>();
  const pool = await store.pgPool();
  // Partitions are created as data arrives; the parent table carries the schema.
  const tables = await pool.query(
    `select c.relname from pg_class c join pg_namespace n on n.oid = c.relnamespace
      where n.nspname = current_schema() and c.relkind in ('r', 'p') and not c.relispartition and c.relname <> $1`,
    [HISTORY_TABLE],
  );
  const names = tables.rows.map((r) => String(r.relname));
  for (const t of names) facts.add(`table ${t}`);
  const cols = await pool.query(
    `select table_name, column_name, data_type, character_maximum_length, numeric_precision, numeric_scale,
            is_nullable, column_default
       from information_schema.columns where table_schema = current_schema() and table_name = any($1)`,
    [names],
  );
  for (const c of cols.rows) {
    const size =
      c.character_maximum_length != null
        ? `(${c.character_maximum_length})`
        : c.data_type === 'numeric' && c.numeric_precision != null
          ? `(${c.numeric_precision},${c.numeric_scale})`
          : '';
    facts.add(
      `column ${c.table_name}.${c.column_name}: ${c.data_type}${size}${c.is_nullable === 'NO' ? ' not null' : ' null'}${c.column_default != null ? ` default ${squash(c.column_default)}` : ''}`,
    );
  }
  const indexes = await pool.query(
    `select tablename, indexname, indexdef from pg_indexes where schemaname = current_schema() and tablename = any($1)`,
    [names],
  );
  for (const ix of indexes.rows) {
    const def = squash(ix.indexdef).replace(/ ON (ONLY )?\S+\./, ' ON $1');
    facts.add(`index ${ix.tablename} ${ix.indexname}: ${def}`);
  }
  const constraints = await pool.query(
    `select cl.relname as table_name, co.conname, pg_get_constraintdef(co.oid) as def
       from pg_constraint co join pg_class cl on cl.oid = co.conrelid
      where co.connamespace = current_schema()::regnamespace and cl.relname = any($1) and co.contype in ('c', 'f', 'u', 'p', 'x')`,
    [names],
  );
  for (const c of constraints.rows) facts.add(`constraint ${c.table_name} ${c.conname}: ${squash(c.def)}`);
  return facts;
}

export interface SchemaDifference {
  /** In the live database only. */
  extra: string[];
  /** Expected (from the migrations) but missing or different in the live database. */
  missing: string[];
}

export function diffFingerprints(expected: Set<string>, live: Set<string>): SchemaDifference {
  return {
    extra: [...live].filter((f) => !expected.has(f)).sort(),
    missing: [...expected].filter((f) => !live.has(f)).sort(),
  };
}
