/**
 * SQLite's analyst views: `<table>_numeric` for every table with exact-decimal columns, the same
 * columns with each decimal CAST to REAL. Decimals are TEXT on SQLite (lossless), so `ORDER BY pnl`
 * or `SUM(pnl)` in the sqlite3 shell would compare or add text; through the views they are numbers.
 * Approximate by design (a REAL has about 15-17 significant digits): for ad-hoc analysis only,
 * never for accounting. Read-only (SQLite views take no writes). PostgreSQL has numeric and needs none.
 *
 * They are derived objects: created by a SQLite-only migration, and kept by the runner across every
 * later migration step (dropped before it, derived again from the live table after it), because a
 * SQLite table rebuild (drop table, rename) or `drop column` fails while a view names the table.
 */
import type { MetadataStorage } from '@mikro-orm/core';
import type { DatabaseSync } from 'node:sqlite';
import { quoteIdent } from '../db/statements.ts';

export const ANALYST_VIEW_SUFFIX = '_numeric';

/**
 * `table → its decimal columns`, from the entities. The decimal type is loaded here, not at the top:
 * it brings MikroORM, which `db health` and other readers of the migration history never need.
 */
export async function decimalColumns(metadata: MetadataStorage): Promise<Map<string, Set<string>>> {
  const { DecimalType } = await import('../entities/types/decimal.ts');
  const out = new Map<string, Set<string>>();
  for (const meta of metadata.getAll().values()) {
    if (!meta.tableName) continue;
    const columns = meta.props
      .filter((p) => p.customType instanceof DecimalType && p.fieldNames?.length)
      .map((p) => p.fieldNames[0]!);
    if (columns.length > 0) out.set(meta.tableName, new Set(columns));
  }
  return out;
}

/** The view over `table` as it is now in `db`; null when the table (or every decimal column) is gone. */
export function analystViewSql(db: DatabaseSync, table: string, decimals: Set<string>): string | null {
  const columns = db
    .prepare(`pragma table_info(${quoteIdent(table)})`)
    .all()
    .map((c) => String(c.name));
  if (!columns.some((c) => decimals.has(c))) return null;
  const list = columns.map((c) =>
    decimals.has(c) ? `cast(${quoteIdent(c)} as real) as ${quoteIdent(c)}` : quoteIdent(c),
  );
  return `create view ${quoteIdent(`${table}${ANALYST_VIEW_SUFFIX}`)} as select ${list.join(', ')} from ${quoteIdent(table)}`;
}

/** Every analyst view for the tables present in `db`, as the migration that creates them writes them. */
export function analystViewsUp(db: DatabaseSync, decimals: Map<string, Set<string>>): string[] {
  return [...decimals]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([table, columns]) => analystViewSql(db, table, columns))
    .filter((sql): sql is string => sql !== null);
}

/**
 * Drops the analyst views a migration step does not name itself, and returns what derives them again
 * afterwards (for tables that still exist). Views the step names (the migration that creates or
 * drops them) are the step's own business.
 */
export function suspendAnalystViews(
  db: DatabaseSync,
  stepSql: string,
  decimals: Map<string, Set<string>>,
): () => void {
  const lower = stepSql.toLowerCase();
  const views = db
    .prepare(`select name from sqlite_schema where type = 'view' and name like ?`)
    .all(`%${ANALYST_VIEW_SUFFIX}`)
    .map((r) => String(r.name))
    .filter((v) => !lower.includes(v.toLowerCase()));
  for (const v of views) db.exec(`drop view ${quoteIdent(v)}`);
  return () => {
    for (const v of views) {
      const table = v.slice(0, -ANALYST_VIEW_SUFFIX.length);
      const sql = analystViewSql(db, table, decimals.get(table) ?? new Set());
      if (sql) db.exec(sql);
    }
  };
}
