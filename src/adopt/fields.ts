/**
 * Field coercion for legacy records. Legacy files spell the same thing several ways (CSV text,
 * JSON numbers, `True`/`1`/`yes`, Python's `datetime.isoformat()` without an offset), so each reader
 * here accepts those spellings and refuses anything else with a `FieldError` naming the field.
 * Exact values stay text until the services' zod schemas turn them into decimals.
 */
import { Decimal } from 'decimal.js';
import { JsonNumber, parseJsonLossless, toPlainJson } from '../backtests/lossless-json.ts';
import { MalformedInputError } from '../input/errors.ts';
import { fieldText } from './files.ts';

/** One field of one record is unusable: the record is skipped with this reason. */
export class FieldError extends MalformedInputError {
  override name = 'FieldError';
}

export type Fields = Record<string, unknown>;

/** The first of `names` the record has a value for, and that name. */
export function pick(record: Fields, ...names: string[]): { name: string; value: unknown } | undefined {
  for (const name of names) {
    const value = record[name];
    if (value !== undefined && value !== null && !(typeof value === 'string' && value.trim() === '')) {
      return { name, value };
    }
  }
  return undefined;
}

export function text(record: Fields, ...names: string[]): string | undefined {
  const found = pick(record, ...names);
  if (!found) return undefined;
  if (typeof found.value === 'object' && !(found.value instanceof JsonNumber)) {
    throw new FieldError(`${found.name}: expected text`);
  }
  return fieldText(found.value);
}

export function requiredText(record: Fields, ...names: string[]): string {
  const value = text(record, ...names);
  if (value === undefined) throw new FieldError(`${names.join(' or ')}: missing`);
  return value;
}

/** A decimal as text (exact: never through a float). */
export function decimalText(record: Fields, ...names: string[]): string | undefined {
  const value = text(record, ...names);
  if (value === undefined) return undefined;
  let d: Decimal;
  try {
    d = new Decimal(value);
  } catch {
    throw new FieldError(`${names[0]}: "${value}" is not a number`);
  }
  if (!d.isFinite()) throw new FieldError(`${names[0]}: "${value}" is not a finite number`);
  return d.toFixed();
}

export function requiredDecimal(record: Fields, ...names: string[]): string {
  const value = decimalText(record, ...names);
  if (value === undefined) throw new FieldError(`${names.join(' or ')}: missing`);
  return value;
}

/** A float (confidences, ratios): these columns are double precision by design. */
export function float(record: Fields, ...names: string[]): number | undefined {
  const value = text(record, ...names);
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isFinite(n)) throw new FieldError(`${names[0]}: "${value}" is not a number`);
  return n;
}

export function integer(record: Fields, ...names: string[]): number | undefined {
  const n = float(record, ...names);
  if (n === undefined) return undefined;
  if (!Number.isSafeInteger(n)) throw new FieldError(`${names[0]}: "${n}" is not a whole number`);
  return n;
}

const TRUE = new Set(['true', '1', 'yes', 'y', 't', 'on']);
const FALSE = new Set(['false', '0', 'no', 'n', 'f', 'off']);

export function boolean(record: Fields, ...names: string[]): boolean | undefined {
  const found = pick(record, ...names);
  if (!found) return undefined;
  if (typeof found.value === 'boolean') return found.value;
  const t = fieldText(found.value)?.toLowerCase();
  if (t !== undefined && TRUE.has(t)) return true;
  if (t !== undefined && FALSE.has(t)) return false;
  throw new FieldError(`${found.name}: "${String(found.value)}" is not true or false`);
}

const NAIVE = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)$/;

/**
 * An instant. ISO-8601 with an offset as written; without one (Python's `utcnow().isoformat()`,
 * `2025-10-27 12:00:00`) it is UTC, as the legacy bots wrote it; a date alone is UTC midnight;
 * a number is epoch seconds below 1e11, else epoch milliseconds.
 */
export function instant(record: Fields, ...names: string[]): Date | undefined {
  const found = pick(record, ...names);
  if (!found) return undefined;
  const t = fieldText(found.value);
  if (t === undefined) throw new FieldError(`${found.name}: expected a time`);
  let d: Date;
  if (/^-?\d+(\.\d+)?$/.test(t)) {
    const n = Number(t);
    d = new Date(Math.abs(n) < 1e11 ? Math.round(n * 1000) : Math.round(n));
  } else {
    const naive = NAIVE.exec(t);
    // Fractions beyond milliseconds (Python writes microseconds) are cut, not rounded.
    const iso = naive ? `${naive[1]}T${naive[2]!.replace(/(\.\d{3})\d+$/, '$1')}Z` : t;
    d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00Z`) : new Date(iso);
    if (!naive && !/^\d{4}-\d{2}-\d{2}$/.test(t) && !/(Z|[+-]\d{2}:?\d{2})$/i.test(t)) {
      throw new FieldError(`${found.name}: "${t}" is not an ISO-8601 time`);
    }
  }
  if (Number.isNaN(d.getTime())) throw new FieldError(`${found.name}: "${t}" is not a valid time`);
  return d;
}

export function requiredInstant(record: Fields, ...names: string[]): Date {
  const d = instant(record, ...names);
  if (d === undefined) throw new FieldError(`${names.join(' or ')}: missing`);
  return d;
}

/** A JSON value: given as JSON (JSON files) or as JSON text (CSV cells); numbers become plain. */
export function jsonValue(record: Fields, ...names: string[]): unknown {
  const found = pick(record, ...names);
  if (!found) return undefined;
  if (typeof found.value === 'string') {
    try {
      return toPlainJson(parseJsonLossless(found.value));
    } catch {
      throw new FieldError(`${found.name}: not valid JSON`);
    }
  }
  return toPlainJson(found.value);
}

export function jsonObject(record: Fields, ...names: string[]): Record<string, unknown> | undefined {
  const value = jsonValue(record, ...names);
  if (value === undefined) return undefined;
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new FieldError(`${names[0]}: expected a JSON object`);
  }
  return value as Record<string, unknown>;
}

/** A list: a JSON array, or text separated by commas, semicolons or `|`. */
export function stringList(record: Fields, ...names: string[]): string[] | undefined {
  const found = pick(record, ...names);
  if (!found) return undefined;
  let value: unknown = found.value;
  if (typeof value === 'string' && value.trim().startsWith('[')) value = jsonValue(record, found.name);
  if (typeof value === 'string') {
    return value
      .split(/[,;|]/)
      .map((s) => s.trim())
      .filter((s) => s !== '');
  }
  if (Array.isArray(value) && value.every((v) => typeof v === 'string')) return value as string[];
  throw new FieldError(`${found.name}: expected a list of text`);
}
