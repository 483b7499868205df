/**
 * Reading a legacy file: a JSON array of objects or a CSV file with a header row. Each record keeps
 * where it came from (`index 3` in a JSON array, `line 5` of a CSV file) so every skip can name it.
 * JSON numbers keep their source text (parseJsonLossless): `50000.10` must not become a float
 * before it becomes a price.
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'csv-parse/sync';
import { JsonNumber, parseJsonLossless } from '../backtests/lossless-json.ts';
import { MalformedInputError } from '../input/errors.ts';

export interface SourceRecord {
  /** `index N` (JSON, 0-based) or `line N` (CSV, 1-based, the header is line 1). */
  at: string;
  /** Field values: strings (CSV), or JSON values with numbers as JsonNumber. */
  value: Record<string, unknown> | null;
  /** Why the record is unreadable as a record (not an object, wrong field count). */
  problem?: string;
}

/** The whole file is unreadable (not JSON, not an array, no header): nothing of it is imported. */
export class LegacyFileError extends MalformedInputError {
  override name = 'LegacyFileError';
}

export async function readRecords(path: string): Promise<SourceRecord[]> {
  const text = await readFile(path, 'utf8');
  return path.toLowerCase().endsWith('.csv') ? csvRecords(path, text) : jsonRecords(path, text);
}

function jsonRecords(path: string, text: string): SourceRecord[] {
  let parsed: unknown;
  try {
    parsed = parseJsonLossless(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new LegacyFileError(`${path}: not valid JSON (${(error as Error).message})`);
  }
  if (!Array.isArray(parsed)) throw new LegacyFileError(`${path}: expected a JSON array of objects`);
  return parsed.map((value, i) =>
    value !== null && typeof value === 'object' && !Array.isArray(value)
      ? { at: `index ${i}`, value: value as Record<string, unknown> }
      : { at: `index ${i}`, value: null, problem: 'not a JSON object' },
  );
}

function csvRecords(path: string, text: string): SourceRecord[] {
  let rows: Array<{ record: string[]; info: { lines: number } }>;
  try {
    rows = parse(text, {
      bom: true,
      relax_column_count: true,
      skip_empty_lines: true,
      info: true,
    }) as unknown as Array<{
      record: string[];
      info: { lines: number };
    }>;
  } catch (error) {
    throw new LegacyFileError(`${path}: not readable as CSV (${(error as Error).message})`);
  }
  const [header, ...body] = rows;
  if (!header) return [];
  const names = header.record.map((h) => h.trim());
  if (names.some((n) => n === '') || new Set(names).size !== names.length) {
    throw new LegacyFileError(`${path}: the header row needs unique, non-empty column names`);
  }
  return body.map(({ record, info }) => {
    const at = `line ${info.lines}`;
    if (record.length !== names.length) {
      return { at, value: null, problem: `${record.length} fields where the header has ${names.length}` };
    }
    return { at, value: Object.fromEntries(names.map((n, i) => [n, record[i]])) };
  });
}

/** A field's text: JSON numbers as written, strings trimmed; absent, null and '' are undefined. */
export function fieldText(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (value instanceof JsonNumber) return value.text;
  if (typeof value === 'string') {
    const t = value.trim();
    return t === '' ? undefined : t;
  }
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}
