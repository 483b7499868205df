/**
 * Table descriptions for the services' hand-written SQL: one description per table gives the
 * insert column list, the parameters in the ORM's value encoding, and the row → view mapping, so a
 * column is named once here (and once in its entity, which owns the schema).
 *
 * A description maps each field of the view to a column kind; the column is the field's snake_case
 * name. SQL texts are built once per table (per set of columns for updates), so the hot path pays a
 * loop over the columns and nothing else.
 */
import type { Decimal } from 'decimal.js';
import {
  bool,
  dec,
  decimalParam,
  decOrNull,
  int,
  intOrNull,
  json,
  moneyParam,
  numOrNull,
  priceParam,
  str,
  strOrNull,
  time,
  timeOrNull,
} from './column-values.ts';
import type { Read, Row, Tx } from './transaction.ts';

/** How one column is read into its view field and written from it. */
export interface Column<T> {
  read(value: unknown): T;
  write(tx: Tx, value: T, label: string): unknown;
  /** Set by the database (the id): never inserted. */
  readonly generated?: boolean;
  /** The column's name when it is not the field's snake_case (`avg_rmultiple` for avgRMultiple). */
  readonly column?: string;
}

/** A column kind stored under another name than its field's snake_case. */
export function named<T>(column: string, kind: Column<T>): Column<T> {
  return { ...kind, column };
}

const orNull =
  <T>(write: (tx: Tx, value: T, label: string) => unknown) =>
  (tx: Tx, value: T | null, label: string) =>
    value === null || value === undefined ? null : write(tx, value, label);
const asIs = (_tx: Tx, value: unknown) => value;

/** The column kinds, named for what the value is. */
export const col = {
  id: (): Column<number> => ({ read: int, write: asIs, generated: true }),
  int: (): Column<number> => ({ read: int, write: asIs }),
  intOrNull: (): Column<number | null> => ({ read: intOrNull, write: asIs }),
  text: <T extends string = string>(): Column<T> => ({ read: (v) => str(v) as T, write: asIs }),
  textOrNull: <T extends string = string>(): Column<T | null> => ({
    read: (v) => strOrNull(v) as T | null,
    write: asIs,
  }),
  float: (): Column<number> => ({ read: Number, write: asIs }),
  floatOrNull: (): Column<number | null> => ({ read: numOrNull, write: asIs }),
  bool: (): Column<boolean> => ({ read: bool, write: (tx, v) => tx.bool(v) }),
  time: (): Column<Date> => ({ read: time, write: (tx, v) => tx.time(v) }),
  timeOrNull: (): Column<Date | null> => ({ read: timeOrNull, write: orNull((tx, v: Date) => tx.time(v)) }),
  json: <T>(): Column<T | null> => ({ read: (v) => json<T>(v), write: (tx, v) => tx.json(v) }),
  /**
   * A JSON array, read as [] where NULL; `emptyIsNull` for a nullable column where NULL means none
   * (an empty list is written as NULL).
   */
  list: <T>(options: { emptyIsNull?: boolean } = {}): Column<T[]> => ({
    read: (v) => json<T[]>(v) ?? [],
    write: (tx, v) => (options.emptyIsNull && v.length === 0 ? null : tx.json(v)),
  }),
  /** numeric(38,18): a price, quantity or size, refused (not rounded) when it does not fit. */
  decimal: (): Column<Decimal> => ({ read: dec, write: (_tx, v, label) => decimalParam(v, label) }),
  decimalOrNull: (): Column<Decimal | null> => ({
    read: decOrNull,
    write: orNull((_tx, v: Decimal, label) => decimalParam(v, label)),
  }),
  /** numeric(38,18) for a derived price (a division the core rounded to 18 places). */
  price: (): Column<Decimal> => ({ read: dec, write: (_tx, v, label) => priceParam(v, label) }),
  priceOrNull: (): Column<Decimal | null> => ({
    read: decOrNull,
    write: orNull((_tx, v: Decimal, label) => priceParam(v, label)),
  }),
  /** numeric(56,36): cash, balances, cost basis, P&L, fees. */
  money: (): Column<Decimal> => ({ read: dec, write: (_tx, v, label) => moneyParam(v, label) }),
  moneyOrNull: (): Column<Decimal | null> => ({
    read: decOrNull,
    write: orNull((_tx, v: Decimal, label) => moneyParam(v, label)),
  }),
};

export type Columns<V> = { [K in keyof V]-?: Column<V[K]> };

/** What an insert gives: every field but the generated id. */
export type NewRow<V> = Omit<V, 'id'>;

export interface Table<V> {
  readonly name: string;
  /** What a row is called in messages ("trade idea"). */
  readonly label: string;
  /** A raw row (`select *`) → the view. */
  fromRow(row: Row): V;
  /** Inserts one row (every column but the id) and returns it as a view with its new id. */
  insert(tx: Tx, values: NewRow<V>): Promise<V>;
  /** The same insert as a Read, for a caller that sends it with others (`Tx.readEach`). */
  inserting(tx: Tx, values: NewRow<V>): Read<V>;
  /**
   * Inserts many rows as multi-row statements (as many rows a statement as the parameter limit of
   * both databases allows); returns how many. Bulk writes (a backtest's trades) pay one round trip
   * a batch instead of one a row.
   */
  insertMany(tx: Tx, rows: ReadonlyArray<NewRow<V>>): Promise<number>;
  /**
   * The same insert `on conflict (target) do nothing` (any unique constraint when no target): null
   * when the row already existed.
   */
  insertUnlessExists(tx: Tx, values: NewRow<V>, target?: string): Promise<V | null>;
  /**
   * Inserts, or on a conflict over `target` updates every column but the `keep` fields; returns the
   * row as stored.
   */
  upsert(tx: Tx, values: NewRow<V>, target: string, keep: ReadonlyArray<keyof V & string>): Promise<V>;
  /** The same write without reading the row back (for values `fromRow` cannot read as returned). */
  put(tx: Tx, values: NewRow<V>, target: string, keep: ReadonlyArray<keyof V & string>): Promise<void>;
  /**
   * Sets the given fields of row `id`; returns the number of rows changed. `guard` is a further
   * condition (a compare-and-set: `['status = ?', 'queued']`), so a row that changed meanwhile is
   * not written. No changes: nothing is sent, 0.
   */
  update(
    tx: Tx,
    id: number,
    changes: Partial<NewRow<V>>,
    guard?: readonly [sql: string, ...params: unknown[]],
  ): Promise<number>;
  /**
   * The same update when the caller needs no count: sent through `Tx.later`, so on PostgreSQL it
   * rides with the transaction's next statement instead of taking its own round trip.
   */
  updateLater(tx: Tx, id: number, changes: Partial<NewRow<V>>): void;
  /** The column of a view field. */
  column(field: keyof V & string): string;
  /** Every column, in the description's order. */
  readonly columns: readonly string[];
}

/**
 * The row → view mapper as one object literal (compiled once per table, from the description's own
 * field and column names): every view has the same shape from its first property on, so the hot
 * path's property reads stay monomorphic, as with a hand-written mapper.
 */
function compileFromRow<V>(entries: ReadonlyArray<{ field: string; column: string; kind: Column<unknown> }>) {
  const readers = entries.map((e) => e.kind.read);
  const body = entries
    .map((e, i) => `${JSON.stringify(e.field)}: read[${i}](row[${JSON.stringify(e.column)}])`)
    .join(',\n');
  return new Function('read', `return (row) => ({\n${body}\n});`)(readers) as (row: Row) => V;
}

const sameValue = (a: unknown, b: unknown): boolean => {
  if (a instanceof Date && b instanceof Date) return a.getTime() === b.getTime();
  if (a !== null && b !== null && typeof a === 'object' && typeof b === 'object')
    return JSON.stringify(a) === JSON.stringify(b);
  return a === b;
};

/**
 * The fields of `wanted` that differ from `current` (dates by time, decimals and JSON by value),
 * with `updatedAt` stamped when anything does: what the unit of work would have written.
 */
export function changesOf<V extends object>(current: V, wanted: Partial<V>, now = new Date()): Partial<V> {
  const changes: Partial<V> = {};
  for (const key of Object.keys(wanted) as Array<keyof V>) {
    if (wanted[key] !== undefined && !sameValue(current[key], wanted[key])) changes[key] = wanted[key];
  }
  if (Object.keys(changes).length > 0 && 'updatedAt' in current)
    (changes as { updatedAt?: Date }).updatedAt = now;
  return changes;
}

export const snakeCase = (field: string): string => field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);

interface Entry {
  field: string;
  column: string;
  kind: Column<unknown>;
  label: string;
}

/** The insert's parameters as one array literal, compiled like fromRow. */
function compileParams<V>(inserted: readonly Entry[]) {
  const writers = inserted.map((e) => e.kind.write);
  const labels = inserted.map((e) => e.label);
  return new Function(
    'write',
    'label',
    `return (tx, v) => [${inserted.map((e, i) => `write[${i}](tx, v[${JSON.stringify(e.field)}], label[${i}])`).join(', ')}];`,
  )(writers, labels) as (tx: Tx, values: NewRow<V>) => unknown[];
}

/** SQLite's limit on a statement's parameters (PostgreSQL's is 65,535). */
const MAX_PARAMS = 32_766;

/**
 * `Table.insertMany`: full batches share one SQL text; what is left goes in power-of-two batches, so
 * a table has a dozen insert texts at most (each a prepared statement on every connection).
 */
function compileInsertMany<V>(
  name: string,
  inserted: readonly Entry[],
  paramsOf: (tx: Tx, values: NewRow<V>) => unknown[],
): Table<V>['insertMany'] {
  const batch = Math.floor(MAX_PARAMS / inserted.length);
  const row = `(${inserted.map(() => '?').join(', ')})`;
  const head = `insert into ${name} (${inserted.map((e) => `"${e.column}"`).join(', ')}) values `;
  const sqlFor = (n: number) => head + Array.from({ length: n }, () => row).join(', ');
  const texts = new Map<number, string>();
  return async (tx, rows) => {
    for (let i = 0; i < rows.length;) {
      const left = rows.length - i;
      const n = left >= batch ? batch : 2 ** Math.floor(Math.log2(left));
      let sql = texts.get(n);
      if (sql === undefined) texts.set(n, (sql = sqlFor(n)));
      await tx.run(
        sql,
        rows.slice(i, i + n).flatMap((r) => paramsOf(tx, r)),
      );
      i += n;
    }
    return rows.length;
  };
}

/** `Table.update` and `updateLater`: the SQL built once per set of fields (and guard). */
function compileUpdate<V>(name: string, byField: ReadonlyMap<string, Entry>) {
  const updateSql = new Map<string, string>();
  const statement = (
    tx: Tx,
    id: number,
    changes: Partial<NewRow<V>>,
    guard?: readonly [sql: string, ...params: unknown[]],
  ): [string, unknown[]] | null => {
    const fields = Object.keys(changes);
    if (fields.length === 0) return null;
    const [condition, ...guardParams] = guard ?? [];
    const key = `${fields.join(',')}|${condition ?? ''}`;
    let sql = updateSql.get(key);
    if (sql === undefined) {
      const set = fields.map((f) => `"${byField.get(f)!.column}" = ?`).join(', ');
      sql = `update ${name} set ${set} where id = ?${condition === undefined ? '' : ` and ${condition}`}`;
      updateSql.set(key, sql);
    }
    const c = changes as Record<string, unknown>;
    const params = fields.map((f) => {
      const e = byField.get(f)!;
      return e.kind.write(tx, c[f], e.label);
    });
    return [sql, [...params, id, ...guardParams]];
  };
  const update: Table<V>['update'] = async (tx, id, changes, guard) => {
    const s = statement(tx, id, changes, guard);
    return s === null ? 0 : tx.run(...s);
  };
  const updateLater: Table<V>['updateLater'] = (tx, id, changes) => {
    const s = statement(tx, id, changes);
    if (s !== null) tx.later(...s);
  };
  return { update, updateLater };
}

/**
 * Describes `name` for the view `V`. `label` prefixes the field in refusals of values that do not
 * fit their column ("position cost basis 1e40 has more than 20 integer digits").
 */
export function defineTable<V extends object>(name: string, label: string, columns: Columns<V>): Table<V> {
  const entries: Entry[] = (Object.keys(columns) as Array<keyof V & string>).map((field) => ({
    field,
    column: columns[field].column ?? snakeCase(field),
    kind: columns[field] as Column<unknown>,
    label: `${label} ${snakeCase(field).replace(/_/g, ' ')}`,
  }));
  const inserted = entries.filter((e) => !e.kind.generated);
  // Quoted: some columns are SQL keywords (strategy_performance."window").
  const insertSql = `insert into ${name} (${inserted.map((e) => `"${e.column}"`).join(', ')}) values (${inserted
    .map(() => '?')
    .join(', ')})`;
  const conflictSql = new Map<string, string>();
  const byField = new Map(entries.map((e) => [e.field as string, e]));
  const paramsOf = compileParams<V>(inserted);
  const upsertSql = (target: string, keep: readonly string[]) => {
    const set = inserted
      .filter((e) => !keep.includes(e.field))
      .map((e) => `"${e.column}" = excluded."${e.column}"`)
      .join(', ');
    return `${insertSql} on conflict ${target} do update set ${set}`;
  };

  return {
    name,
    label,
    fromRow: compileFromRow<V>(entries),
    async insert(tx, values) {
      const id = await tx.insert(insertSql, paramsOf(tx, values));
      return { ...values, id: id! } as unknown as V;
    },
    inserting(tx, values) {
      return {
        sql: insertSql,
        params: paramsOf(tx, values),
        insert: true,
        rows: ([row]) => ({ ...values, id: row!.id }) as unknown as V,
      };
    },
    insertMany: compileInsertMany<V>(name, inserted, paramsOf),
    async insertUnlessExists(tx, values, target) {
      const key = target ?? '';
      let sql = conflictSql.get(key);
      if (sql === undefined) {
        sql = `${insertSql} on conflict${target === undefined ? '' : ` (${target})`} do nothing`;
        conflictSql.set(key, sql);
      }
      const id = await tx.insert(sql, paramsOf(tx, values));
      return id === null ? null : ({ ...values, id } as unknown as V);
    },
    async upsert(tx, values, target, keep) {
      const row = await tx.get(`${upsertSql(target, keep)} returning *`, paramsOf(tx, values));
      return this.fromRow(row!);
    },
    async put(tx, values, target, keep) {
      await tx.run(upsertSql(target, keep), paramsOf(tx, values));
    },
    ...compileUpdate<V>(name, byField),
    column(field) {
      return byField.get(field)!.column;
    },
    columns: entries.map((e) => e.column),
  };
}
