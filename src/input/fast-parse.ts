/**
 * A fast path for the hottest input schema (actOnSignal's, a bot's every call): the common case
 * of plain values parsed by hand into exactly what the zod schema outputs, and everything else
 * (a missing or unknown field, a string date, a bigint, an out-of-range value, ...) left to zod,
 * which then accepts it or refuses it with its own message. So the fast path can only ever accept
 * what zod accepts, with the same output; test/input/fast-parse.property.test.ts checks that
 * against the zod schema on generated inputs. zod costs ~20 µs per chain here, the whole
 * bare chain on SQLite in memory ~100 µs.
 */
import { Decimal } from 'decimal.js';
import { Exact } from '../trading/exact.ts';

/** "Not the common case": the caller hands the input to zod. */
export const ZOD = Symbol('zod decides');
export type FastField<T> = (value: unknown) => T | typeof ZOD;

/** z.number().int().positive() */
export const fastId: FastField<number> = (v) =>
  typeof v === 'number' && Number.isSafeInteger(v) && v > 0 ? v : ZOD;

/** z.number().min(lo).max(hi) */
export const fastNumber =
  (lo: number, hi: number): FastField<number> =>
  (v) =>
    typeof v === 'number' && v >= lo && v <= hi ? v : ZOD;

export const fastBoolean: FastField<boolean> = (v) => (typeof v === 'boolean' ? v : ZOD);

/** z.string().min(min).max(max), trimmed first with `trim` (as `.trim()` does before the checks). */
export const fastText =
  (min: number, max: number, trim = false): FastField<string> =>
  (v) => {
    if (typeof v !== 'string') return ZOD;
    const s = trim ? v.trim() : v;
    return s.length >= min && s.length <= max ? s : ZOD;
  };

export const fastEnum = <T extends string>(values: readonly T[]): FastField<T> => {
  const allowed = new Set<string>(values);
  return (v) => (typeof v === 'string' && allowed.has(v) ? (v as T) : ZOD);
};

/**
 * src/input/fields.ts `exactDecimal(scale)` (a Decimal, a trimmed string or a safe integer, into
 * an `Exact` with at most `scale` fractional digits), with its `> 0` / `>= 0` refinement.
 */
export const fastDecimal =
  (scale: number, sign: 'positive' | 'nonNegative' | 'any'): FastField<Decimal> =>
  (v) => {
    let value: Decimal.Value;
    if (Decimal.isDecimal(v)) value = v as Decimal;
    else if (typeof v === 'string') value = v.trim();
    else if (typeof v === 'number' && Number.isSafeInteger(v)) value = v;
    else return ZOD;
    let d: Decimal;
    try {
      d = new Exact(value);
    } catch {
      return ZOD;
    }
    if (!d.isFinite() || d.decimalPlaces() > scale) return ZOD;
    if (sign === 'positive' ? !d.gt(0) : sign === 'nonNegative' ? !d.gte(0) : false) return ZOD;
    return d;
  };

/** src/input/fields.ts `when` for a Date or epoch milliseconds (ISO strings: zod). */
export const fastWhen: FastField<Date> = (v) => {
  const d =
    v instanceof Date
      ? new Date(v.getTime())
      : typeof v === 'number' && Number.isSafeInteger(v)
        ? new Date(v)
        : null;
  return d === null || Number.isNaN(d.getTime()) ? ZOD : d;
};

const isPlain = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;

/** z.record(z.string(), z.unknown()) of a plain object with ordinary keys: a shallow copy. */
export const fastJsonObject: FastField<Record<string, unknown>> = (v) => {
  if (!isPlain(v)) return ZOD;
  const keys = Object.keys(v);
  if (Object.getOwnPropertyNames(v).length !== keys.length || Object.getOwnPropertySymbols(v).length > 0)
    return ZOD;
  const out: Record<string, unknown> = {};
  for (const k of keys) {
    if (k === '__proto__') return ZOD;
    out[k] = v[k];
  }
  return out;
};

/**
 * z.object(shape).strict() of a plain object whose every given field is defined: each field
 * parsed in the shape's order, `defaults` filled in for absent ones (as `.default()` does), absent
 * optional fields left out. Anything else (an unknown or undefined field, a field the fast parser
 * does not take): ZOD.
 */
export function fastObject<T>(
  shape: Record<string, FastField<unknown>>,
  defaults: Record<string, () => unknown> = {},
): FastField<T> {
  const fields = Object.entries(shape);
  return (v) => {
    if (!isPlain(v)) return ZOD;
    for (const key in v) if (!Object.hasOwn(shape, key) || v[key] === undefined) return ZOD;
    const out: Record<string, unknown> = {};
    for (const [key, parse] of fields) {
      const given = v[key];
      if (given === undefined) {
        const fallback = defaults[key];
        if (fallback) out[key] = fallback();
        continue;
      }
      const parsed = parse(given);
      if (parsed === ZOD) return ZOD;
      out[key] = parsed;
    }
    return out as T;
  };
}
