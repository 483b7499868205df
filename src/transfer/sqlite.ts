/**
 * SQLite side of a copy: the live tables of a `DatabaseSync`, their rows as canonical values (read
 * through one read transaction, so every table comes from the same snapshot), and batched multi-row
 * inserts for a target being built.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { quoteIdent } from '../db/statements.ts';
import { HISTORY_TABLE } from '../migrate/history.ts';
import { type Canonical, type ColumnKind, fromSqlite, kindOfSqliteType, toSqlite } from './columns.ts';
import type { TableShape } from './tables.ts';

type Kinds = Map<string, Map<string, ColumnKind>>;

export function sqliteShapes(db: DatabaseSync, kinds: Kinds): TableShape[] {
  const names = db
    .prepare(
      `select name from sqlite_schema where type = 'table' and name not like 'sqlite_%' and name <> ? order by name`,
    )
    .all(HISTORY_TABLE)
    .map((r) => String(r.name));
  return names.map((name) => {
    const known = kinds.get(name);
    const columns = db
      .prepare(`pragma table_info(${quoteIdent(name)})`)
      .all()
      .map((c) => ({
        name: String(c.name),
        kind: known?.get(String(c.name)) ?? kindOfSqliteType(String(c.type ?? '')),
      }));
    const references = db
      .prepare(`pragma foreign_key_list(${quoteIdent(name)})`)
      .all()
      .map((fk) => String(fk.table))
      .filter((t) => t !== name);
    return { name, columns, references: [...new Set(references)] };
  });
}

export function sqliteCount(db: DatabaseSync, table: string): number {
  return Number(db.prepare(`select count(*) as n from ${quoteIdent(table)}`).get()?.n ?? 0);
}

/** The table's rows, `batch` at a time, as canonical values in the shape's column order. */
export async function* sqliteRows(
  db: DatabaseSync,
  shape: TableShape,
  batch: number,
): AsyncGenerator<Canonical[][]> {
  const stmt = db.prepare(
    `select ${shape.columns.map((c) => quoteIdent(c.name)).join(', ')} from ${quoteIdent(shape.name)}`,
  );
  stmt.setReturnArrays(true);
  const kinds = shape.columns.map((c) => c.kind);
  let rows: Canonical[][] = [];
  for (const raw of stmt.iterate() as Iterable<unknown[]>) {
    const row = new Array<Canonical>(kinds.length);
    for (let i = 0; i < kinds.length; i++) row[i] = fromSqlite(kinds[i]!, raw[i]);
    rows.push(row);
    if (rows.length >= batch) {
      yield rows;
      rows = [];
      // Let the progress bar (and a kill signal) through between batches.
      await new Promise((r) => setImmediate(r));
    }
  }
  if (rows.length > 0) yield rows;
}

/** AUTOINCREMENT counters (`sqlite_sequence`): the highest id ever handed out, per table. */
export function sqliteCounters(db: DatabaseSync): Map<string, number> {
  const exists = db.prepare(`select 1 from sqlite_schema where name = 'sqlite_sequence'`).get();
  if (!exists) return new Map();
  return new Map(
    db
      .prepare('select name, seq from sqlite_sequence')
      .all()
      .map((r) => [String(r.name), Number(r.seq)]),
  );
}

// SQLite's default limit on bound parameters is 32766; stay well under it.
const MAX_PARAMS = 30_000;
const MAX_ROWS_PER_STATEMENT = 500;

/** Inserts canonical rows into `shape`'s table with multi-row prepared statements. */
export class SqliteTableWriter {
  private readonly many: StatementSync;
  private readonly one: StatementSync;
  private readonly perStatement: number;
  private readonly kinds: ColumnKind[];

  constructor(db: DatabaseSync, shape: TableShape) {
    this.kinds = shape.columns.map((c) => c.kind);
    const width = this.kinds.length;
    this.perStatement = Math.max(1, Math.min(MAX_ROWS_PER_STATEMENT, Math.floor(MAX_PARAMS / width)));
    const tuple = `(${new Array(width).fill('?').join(', ')})`;
    const head = `insert into ${quoteIdent(shape.name)} (${shape.columns.map((c) => quoteIdent(c.name)).join(', ')}) values `;
    this.many = db.prepare(head + new Array(this.perStatement).fill(tuple).join(', '));
    this.one = db.prepare(head + tuple);
  }

  write(rows: Canonical[][]): void {
    const width = this.kinds.length;
    let i = 0;
    const params = new Array<string | number | null>(width * this.perStatement);
    for (; i + this.perStatement <= rows.length; i += this.perStatement) {
      for (let r = 0; r < this.perStatement; r++) {
        const row = rows[i + r]!;
        for (let c = 0; c < width; c++) params[r * width + c] = toSqlite(this.kinds[c]!, row[c]!);
      }
      this.many.run(...params);
    }
    for (; i < rows.length; i++) {
      const row = rows[i]!;
      this.one.run(...row.map((v, c) => toSqlite(this.kinds[c]!, v)));
    }
  }
}
