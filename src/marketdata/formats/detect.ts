import { constants, gunzipSync } from 'node:zlib';
import { bareToken, firstJsonElement } from './json-rows.ts';
import { isGzip } from './source.ts';
import type { CandleFormat, TickFormat } from './types.ts';

/**
 * Format detection looks at content only (never the file name): the first non-blank character tells
 * JSON from CSV, and for CSV the first line tells a header (and which one) from headerless data.
 */

/** Decompresses the start of a gzip chunk without needing the rest of the stream. */
function textHead(firstChunk: Buffer | string): string {
  if (typeof firstChunk === 'string') return firstChunk.slice(0, 64 * 1024);
  let bytes = firstChunk;
  if (isGzip(bytes)) {
    try {
      bytes = gunzipSync(bytes, { finishFlush: constants.Z_SYNC_FLUSH });
    } catch {
      return '';
    }
  }
  return bytes.subarray(0, 64 * 1024).toString('utf8');
}

function firstLine(text: string): string {
  const start = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const end = text.indexOf('\n', start);
  return (end < 0 ? text.slice(start) : text.slice(start, end)).replace(/\r$/, '');
}

function firstNonBlank(text: string): string {
  const m = /[^\s\ufeff]/.exec(text);
  return m === null ? '' : m[0];
}

const NUMBER = /^\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*$/;

/** Header names compared without case, spaces, quotes or punctuation: `Adj Close` → `adjclose`. */
export function normalizeHeader(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]/g, '');
}

function splitCsvLine(line: string): string[] {
  return line.split(',').map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
}

/** A text value that is a word (`limit`, `buy`), not a number written as text or "NaN"/"Infinity". */
function isWord(value: unknown): boolean {
  return (
    typeof value === 'string' &&
    !NUMBER.test(value) &&
    !/^\s*[+-]?(?:nan|inf(?:inity)?)\s*$/i.test(value) &&
    bareToken(value) === null
  );
}

/**
 * Whether the first JSON row is a public trade `[ts, id, type, side, price, amount, cost]` rather than a
 * candle `[ts, o, h, l, c, v]`: trades carry a side or an order type (a word or null) where candles have
 * prices. Decided on the parsed row, so a quoted "NaN" price or a numeric trade id does not tip it.
 */
function isTradeRow(row: unknown): boolean {
  if (!Array.isArray(row)) return false;
  const side = row[3];
  if (side === 'buy' || side === 'sell') return true;
  if (isWord(row[2]) || isWord(row[1])) return true;
  return row.length >= 7 && row[2] === null && (side === null || isWord(side));
}

/** The first row of a JSON rows file, undefined when the head holds no complete row. */
function firstRow(text: string): unknown {
  return firstJsonElement(text.replace(/^\ufeff/, ''));
}

/**
 * The candle format of a file from its first bytes (gzip is looked through), or null when none fits.
 * JSON arrays are reported as `freqtrade` (ccxt writes the same shape and is read the same way).
 */
export function detectCandleFormat(firstChunk: Buffer | string): CandleFormat | null {
  const text = textHead(firstChunk);
  const lead = firstNonBlank(text);
  if (lead === '[') return isTradeRow(firstRow(text)) ? null : 'freqtrade';
  if (lead === '' || lead === '{') return null;
  const fields = splitCsvLine(firstLine(text));
  if (fields.every((f) => NUMBER.test(f))) return fields.length === 12 ? 'binance' : null;
  const names = fields.map(normalizeHeader);
  if (names.length === 12 && names[0] === 'opentime') return 'binance';
  const yahoo = ['date', 'open', 'high', 'low', 'close', 'adjclose', 'volume'];
  if (yahoo.every((n) => names.includes(n))) return 'yahoo';
  // A candle needs a time and five values: fewer header cells is not a candle CSV (or not CSV at all).
  return names.length >= 6 ? 'csv' : null;
}

/** The tick format of a file from its first bytes (gzip is looked through), or null when none fits. */
export function detectTickFormat(firstChunk: Buffer | string): TickFormat | null {
  const text = textHead(firstChunk);
  const lead = firstNonBlank(text);
  if (lead === '[') {
    const row = firstRow(text);
    return row !== undefined && row !== null && typeof row === 'object' && !isTradeRow(row)
      ? null
      : 'freqtrade-trades';
  }
  const fields = splitCsvLine(firstLine(text));
  if (fields.length === 3 && fields.every((f) => NUMBER.test(f))) return 'kraken';
  return null;
}
