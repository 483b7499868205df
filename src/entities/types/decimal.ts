import { type EntityProperty, type Platform, p, Type } from '@mikro-orm/core';
import { SqlitePlatform } from '@mikro-orm/sql';
import { Decimal } from 'decimal.js';

/**
 * Exact decimals for money, prices, quantities, balances, fees and P&L.
 *
 * Two column shapes: `decimal()` = numeric(38,18) for prices, quantities, sizes and exact ratios;
 * `money()` = numeric(56,36) for amounts (see MONEY_SCALE). Both are overridable per column.
 *
 * - TypeScript value: a decimal.js `Decimal`, never a `number`.
 * - PostgreSQL: `numeric(precision, scale)`, sent and received as strings (the `pg` driver never
 *   turns numeric into a float).
 * - SQLite: `text` holding the canonical decimal string (`Decimal#toFixed()`: plain notation, no
 *   exponent, no trailing zeros, `-0` → `0`). A `numeric`/`decimal` column would get NUMERIC affinity
 *   and SQLite would silently turn `0.12345678901234567891` into a float.
 *   Consequence: on SQLite, `ORDER BY`, `<`/`>` and `SUM()` on these columns compare text, not numbers;
 *   equality works because the stored form is canonical. Do range maths in TypeScript (or CAST for
 *   approximate analytics), never in SQLite SQL.
 * - Writes that do not fit `numeric(precision, scale)` throw instead of being rounded (PostgreSQL would
 *   round extra fractional digits silently, SQLite would keep them): both databases hold the same value.
 * - Change detection compares by value, so `1.5` read back as `1.500000000000000000` is not dirty.
 */
export class DecimalType extends Type<Decimal | null | undefined, string | null | undefined> {
  /**
   * Typed as Decimal so entity properties infer as Decimal; at run time query parameters may also
   * arrive as decimal strings or bigints, which toDecimal accepts (and floats, which it refuses).
   */
  override convertToDatabaseValue(value: Decimal | null | undefined): string | null | undefined {
    if (value == null) {
      return value;
    }
    const decimal = toDecimal(value as Decimal | string | number | bigint);
    this.assertFits(decimal);
    return decimal.toFixed();
  }

  override convertToJSValue(value: string | number | null | undefined): Decimal | null | undefined {
    if (value == null) {
      return value;
    }
    return new Decimal(value);
  }

  override compareAsType(): string {
    return 'string';
  }

  override compareValues(a: string | null | undefined, b: string | null | undefined): boolean {
    if (a == null || b == null) {
      return a == null && b == null;
    }
    return new Decimal(a).eq(b);
  }

  override getColumnType(prop: EntityProperty, platform: Platform): string {
    if (platform instanceof SqlitePlatform) {
      return 'text';
    }
    const { precision, scale } = precisionOf(prop);
    return `numeric(${precision},${scale})`;
  }

  override get runtimeType(): string {
    return 'Decimal';
  }

  /** JSON/API form is the exact string; a JSON number would reintroduce float rounding. */
  override toJSON(value: Decimal | null | undefined): string | null | undefined {
    return value == null ? value : value.toFixed();
  }

  override fromJSON(value: unknown): Decimal {
    if (typeof value !== 'string') {
      throw new TypeError(`Expected a decimal string, got ${typeof value}`);
    }
    return toDecimal(value);
  }

  private assertFits(value: Decimal): void {
    const { precision, scale } = precisionOf(this.prop);
    const where = this.prop ? ` for ${this.meta?.className ?? '?'}.${this.prop.name}` : '';
    if (value.decimalPlaces() > scale) {
      throw new RangeError(`${value.toFixed()} has more than ${scale} fractional digits${where}`);
    }
    const integerDigits = value.abs().trunc().isZero() ? 0 : value.abs().trunc().toFixed().length;
    if (integerDigits > precision - scale) {
      throw new RangeError(`${value.toFixed()} has more than ${precision - scale} integer digits${where}`);
    }
  }
}

/** Default column shape: 20 integer digits and 18 fractional digits (wei-level crypto quantities). */
export const DECIMAL_PRECISION = 38;
export const DECIMAL_SCALE = 18;

/**
 * Money columns: 20 integer digits and 36 fractional digits. Amounts are built by multiplying a
 * quantity by a price (cost basis, cash, P&L, fees), and the exact product of two 18-place values has
 * 36 places; the trading core keeps those products exact, so the column must too.
 */
export const MONEY_PRECISION = 56;
export const MONEY_SCALE = 36;

function precisionOf(prop: Pick<EntityProperty, 'precision' | 'scale'> | undefined): {
  precision: number;
  scale: number;
} {
  return { precision: prop?.precision ?? DECIMAL_PRECISION, scale: prop?.scale ?? DECIMAL_SCALE };
}

/**
 * Accepts a `Decimal`, a decimal string or a bigint. Numbers are accepted only when they are safe
 * integers: a fractional JS number has already lost exactness before it reaches us.
 */
export function toDecimal(value: Decimal | string | number | bigint): Decimal {
  if (Decimal.isDecimal(value)) {
    assertFinite(value);
    return value;
  }
  if (typeof value === 'number' && !Number.isSafeInteger(value)) {
    throw new TypeError(`Refusing float ${value} as an exact decimal: pass a string or a Decimal`);
  }
  const decimal = new Decimal(typeof value === 'bigint' ? value.toString() : value);
  assertFinite(decimal);
  return decimal;
}

function assertFinite(value: Decimal): void {
  if (!value.isFinite()) {
    throw new RangeError(`${value.toString()} is not a finite decimal`);
  }
}

/**
 * Property builder for an exact decimal column. Precision and scale are always written into the
 * metadata so the schema diff compares `numeric(p,s)` against what PostgreSQL reports.
 */
export function decimal(precision = DECIMAL_PRECISION, scale = DECIMAL_SCALE) {
  return p.type(DecimalType).precision(precision).scale(scale);
}

/** Exact money amount (balances, cash, equity, cost basis, P&L, fees, exposure): numeric(56,36). */
export function money() {
  return decimal(MONEY_PRECISION, MONEY_SCALE);
}

export { Decimal };
