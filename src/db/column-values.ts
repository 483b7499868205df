/**
 * How raw (Kysely / prepared-statement) writes spell values the ORM would convert: MikroORM stores
 * datetimes as epoch milliseconds and booleans as 0/1 on SQLite, timestamptz and boolean on
 * PostgreSQL. Hot paths that skip the ORM must write the same representation.
 */
import type { Dialect } from './url.ts';

export function timestampValue(dialect: Dialect, at: Date | number = Date.now()): number | Date {
  const ms = typeof at === 'number' ? at : at.getTime();
  return dialect === 'sqlite' ? ms : new Date(ms);
}

export function booleanValue(dialect: Dialect, value: boolean): number | boolean {
  return dialect === 'sqlite' ? (value ? 1 : 0) : value;
}

/** A datetime column read back raw, as a Date. */
export function readTimestamp(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value;
  return new Date(
    typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : (value as number | string),
  );
}
