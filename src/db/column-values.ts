/**
 * How raw (Kysely / prepared-statement) writes spell values the ORM would convert: MikroORM stores
 * datetimes as epoch milliseconds and booleans as 0/1 on SQLite, timestamptz and boolean on
 * PostgreSQL. Hot paths that skip the ORM must write the same representation; the readers below
 * turn a raw row's values back into what the entity would hold.
 */
import { Decimal } from 'decimal.js';
import { DECIMAL_PRECISION, DECIMAL_SCALE, MONEY_PRECISION, MONEY_SCALE } from '../entities/types/decimal.ts';
import { TradingError } from '../input/errors.ts';
import { Exact } from '../trading/exact.ts';
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

// ---- values read back ------------------------------------------------------------------------

/**
 * Decimals read back are the core's `Exact` (high precision, plain notation), so arithmetic on them
 * is never rounded by decimal.js's default 20 significant digits.
 */
export function dec(value: unknown): Decimal {
  if (value === null || value === undefined) throw new TypeError('expected a decimal, got null');
  return new Exact(value as string);
}

export function decOrNull(value: unknown): Decimal | null {
  return value === null || value === undefined ? null : new Exact(value as string);
}

export function time(value: unknown): Date {
  const at = readTimestamp(value);
  if (at === null) throw new TypeError('expected a datetime, got null');
  return at;
}

export function timeOrNull(value: unknown): Date | null {
  return value === null || value === undefined ? null : time(value);
}

export function bool(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 't';
}

export function int(value: unknown): number {
  return Number(value);
}

export function intOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function str(value: unknown): string {
  return String(value);
}

export function strOrNull(value: unknown): string | null {
  return value === null || value === undefined ? null : String(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

export function json<T>(value: unknown): T | null {
  if (value === null || value === undefined) return null;
  return (typeof value === 'string' ? JSON.parse(value) : value) as T;
}

// ---- exact values written --------------------------------------------------------------------

function fit(value: Decimal, precision: number, scale: number, what: string): string {
  const d = value instanceof Exact ? value : new Exact(value);
  if (!d.isFinite()) throw new TradingError(`${what} must be a finite decimal`);
  if (d.isZero()) return '0';
  if (d.decimalPlaces() > scale) {
    throw new TradingError(`${what} ${d.toFixed()} has more than ${scale} fractional digits`);
  }
  // d.e is the exponent of the leading digit: |d| >= 1 has e + 1 integer digits.
  if (d.e + 1 > precision - scale) {
    throw new TradingError(`${what} ${d.toFixed()} has more than ${precision - scale} integer digits`);
  }
  return d.toFixed();
}

/** A price / quantity for a numeric(38,18) column, as its canonical string. */
export function decimalParam(value: Decimal, what = 'value'): string {
  return fit(value, DECIMAL_PRECISION, DECIMAL_SCALE, what);
}

export function decimalParamOrNull(value: Decimal | null | undefined, what = 'value'): string | null {
  return value === null || value === undefined ? null : decimalParam(value, what);
}

/** An amount for a numeric(56,36) money column. */
export function moneyParam(value: Decimal, what = 'amount'): string {
  return fit(value, MONEY_PRECISION, MONEY_SCALE, what);
}

export function moneyParamOrNull(value: Decimal | null | undefined, what = 'amount'): string | null {
  return value === null || value === undefined ? null : moneyParam(value, what);
}

/** A derived price (a division rounded to 18 places by the core) rounded to the column's scale. */
export function priceParam(value: Decimal, what = 'price'): string {
  return decimalParam(new Exact(value).toDecimalPlaces(DECIMAL_SCALE, Decimal.ROUND_HALF_EVEN), what);
}
