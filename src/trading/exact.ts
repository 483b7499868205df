/**
 * The one precision rule of the trading core:
 *   - addition, subtraction and multiplication are exact (never rounded);
 *   - every division is rounded once, to DIVISION_SCALE (18) decimal places, half-even.
 *
 * Callers may hand us Decimals built with any global `Decimal.set(...)` (the default precision is
 * 20 significant digits, which silently rounds e.g. 12345.12345678 × 45678.87654321). So every
 * input is re-wrapped in `Exact`, a private clone whose precision is high enough that +, −, × of
 * any realistic money value can never reach it. Values we return are `Exact` instances: they are
 * ordinary `Decimal`s (`instanceof Decimal` holds) that also print in plain notation, never
 * `1e-8`, so `toString()` is safe to persist into NUMERIC/TEXT columns.
 */
import { Decimal } from 'decimal.js';

/** Decimal places kept by every division (average prices, released cost, fee splits, ratios). */
export const DIVISION_SCALE = 18;

export const Exact = Decimal.clone({
  precision: 1000,
  rounding: Decimal.ROUND_HALF_EVEN,
  toExpNeg: -9e15,
  toExpPos: 9e15,
});

const SCALE_FACTOR = new Exact(10).pow(DIVISION_SCALE);

export const ZERO = new Exact(0);

/** Re-wraps a caller's Decimal (or literal) without rounding; rejects NaN and ±Infinity. */
export function exact(value: Decimal.Value, what = 'value'): Decimal {
  const d = new Exact(value);
  if (!d.isFinite()) throw new RangeError(`${what} must be a finite decimal, got ${d.toString()}`);
  return d;
}

/**
 * a / b rounded half-even to DIVISION_SCALE places, computed without double rounding: the
 * quotient is truncated to an integer number of 1e-18 units exactly, and the exact remainder
 * decides the last unit. (Dividing at finite precision and then rounding again could misround a
 * quotient that sits a hair above a half.)
 */
export function divideRounded(a: Decimal, b: Decimal): Decimal {
  const divisor = new Exact(b);
  if (divisor.isZero()) throw new RangeError('division by zero');
  const scaled = new Exact(a).times(SCALE_FACTOR);
  let units = scaled.divToInt(divisor);
  const remainderTwice = scaled.minus(units.times(divisor)).abs().times(2);
  const cmp = remainderTwice.cmp(divisor.abs());
  if (cmp > 0 || (cmp === 0 && !units.mod(2).isZero())) {
    // Round away from zero, in the direction of the true quotient.
    units = scaled.isNegative() !== divisor.isNegative() ? units.minus(1) : units.plus(1);
  }
  return units.div(SCALE_FACTOR);
}
