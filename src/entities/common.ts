import { p } from '@mikro-orm/core';

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
