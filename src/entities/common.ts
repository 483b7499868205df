import { type EntitySchema, p, UnderscoreNamingStrategy } from '@mikro-orm/core';

export {
  DIRECTIONS,
  type Direction,
  SIDES,
  type Side,
  STRATEGY_SOURCE_TYPES,
  type StrategySourceType,
  TIMEFRAMES,
  type Timeframe,
} from './value-lists.ts';

/**
 * Provenance of every fact a bot writes: `test_mode` separates rehearsal data from production
 * (designs tagged test data after the fact; here it is set at write time), `bot_version` says which
 * build wrote the row. Functions, not shared objects: each entity needs its own builders.
 */
export function provenance() {
  return {
    testMode: p.boolean().default(false),
    botVersion: p.string().length(64).nullable(),
  };
}

/**
 * Row timestamps for mutable rows. Set by the ORM, not by a database default: PostgreSQL's
 * `current_timestamp` and SQLite's would be different representations (SQLite would store text,
 * while MikroORM stores epoch milliseconds there), so writers outside the ORM must set them.
 */
export function timestamps() {
  return {
    createdAt: p.datetime().onCreate(() => new Date()),
    updatedAt: p
      .datetime()
      .onCreate(() => new Date())
      .onUpdate(() => new Date()),
  };
}

/** `created_at` alone, for append-only rows. */
export function createdAt() {
  return p.datetime().onCreate(() => new Date());
}

/**
 * CHECK that a float column (a confidence, a probability) lies in [0, 1], null allowed.
 * The bounds are quoted literals on purpose: with bare `0`/`1` PostgreSQL stores
 * `(0)::double precision`, which MikroORM 7.2's introspection mangles into `0 precision`, so the
 * schema diff would report the check as changed forever. A quoted literal is stored as
 * `'0'::double precision`, which the comparator normalises back to this text. SQLite applies the
 * column's REAL affinity to the quoted literal, so it compares numerically there too.
 */
export function unitIntervalCheck(table: string, column: string) {
  return {
    name: `${table}_${column}_check`,
    expression: `${column} >= '0' and ${column} <= '1'`,
  };
}

/**
 * CHECK that an exact-decimal column is > 0 (or >= 0). Works on both databases: PostgreSQL compares
 * numerics; on SQLite the column holds canonical decimal text (see types/decimal.ts), and for
 * canonical strings text order against '0' is exactly the sign test (negatives start with '-',
 * zero is '0', positives start with 1-9 or '0.'). Non-canonical text such as '.5' is rejected there,
 * which is intended. Quoted for the same introspection reason as unitIntervalCheck.
 */
export function positiveDecimalCheck(table: string, column: string, allowZero = false) {
  return {
    name: `${table}_${column}_check`,
    expression: `${column} ${allowZero ? '>=' : '>'} '0'`,
  };
}

const naming = new UnderscoreNamingStrategy();

/**
 * The varchar length of a string property: the one limit the database (PostgreSQL's varchar, SQLite's
 * CHECK from `addLengthChecks`) and the services' input schemas all enforce.
 */
export function maxLength(schema: EntitySchema, property: string): number {
  const length = (schema.meta.properties as Record<string, { length?: number } | undefined>)[property]
    ?.length;
  if (length === undefined) throw new Error(`${schema.meta.className}.${property} has no declared length`);
  return length;
}

/**
 * Adds `CHECK (length(col) <= n)` for every string column with a declared length. PostgreSQL's
 * varchar(n) already refuses longer text, but SQLite ignores the length of a type, so without these a
 * 10 kB symbol is stored on one database and refused on the other. Named `<table>_<column>_length_check`;
 * the column is quoted because some are keywords (`window`, `key`).
 *
 * Skipped for tables with an expression index (strategy_performance): adding a CHECK on SQLite means
 * rebuilding the table, and MikroORM 7.2's rebuild crashes on expression indexes. Their string columns
 * are written only by services that validate them.
 */
export function addLengthChecks(schema: EntitySchema): void {
  const meta = schema.meta;
  const table = meta.tableName ?? meta.collection;
  const expressionIndex = [...meta.indexes, ...meta.uniques].some((i) => i.expression !== undefined);
  if (expressionIndex) return;
  for (const [name, prop] of Object.entries(
    meta.properties as Record<string, { length?: number; fieldName?: string; type?: unknown; kind?: string }>,
  )) {
    if (
      prop.length === undefined ||
      !String((prop.type as { name?: string })?.name ?? prop.type).includes('String')
    )
      continue;
    const column = prop.fieldName ?? naming.propertyToColumnName(name);
    const check = `${table}_${column}_length_check`;
    if (meta.checks.some((c) => c.name === check)) continue;
    meta.checks.push({ name: check, expression: `length("${column}") <= ${prop.length}` });
  }
}
