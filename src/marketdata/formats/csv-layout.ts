import { normalizeHeader } from './detect.ts';
import { EXCERPT_LIMIT, excerpt } from './excerpt.ts';
import { parseTimeOfDay, parseWallDate } from './time.ts';
import type { CsvField } from './types.ts';

/** Where a CSV file keeps each candle field. Indices are 0-based; -1 means absent. */
export interface CsvLayout {
  /** epoch: numeric open time; text: one timestamp cell; split: separate date and time cells. */
  time: 'epoch' | 'text' | 'split';
  ts: number;
  date: number;
  timeOfDay: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  adjClose: number;
  /** Rows with fewer cells are rejected. */
  minFields: number;
  /** When > 0, rows must have exactly this many cells (binance klines). */
  exactFields: number;
}

function finish(layout: Omit<CsvLayout, 'minFields'>): CsvLayout {
  const used = [layout.ts, layout.date, layout.timeOfDay, layout.open, layout.high, layout.low, layout.close];
  used.push(layout.volume, layout.adjClose);
  return { ...layout, minFields: Math.max(...used) + 1 };
}

/** Binance kline CSV: open_time, open, high, low, close, volume, close_time, quote volume, trades, ... */
export const BINANCE_LAYOUT: CsvLayout = finish({
  time: 'epoch',
  ts: 0,
  date: -1,
  timeOfDay: -1,
  open: 1,
  high: 2,
  low: 3,
  close: 4,
  volume: 5,
  adjClose: -1,
  exactFields: 12,
});

/**
 * The header as a message shows it: quoted names until about 80 characters of the file are shown,
 * then how many columns there are (a binary or runaway header line must not fill the terminal).
 */
function columnList(names: string[]): string {
  const shown: string[] = [];
  let length = 0;
  for (const name of names) {
    const quoted = excerpt(name, 40);
    if (shown.length > 0 && length + quoted.length > EXCERPT_LIMIT) break;
    shown.push(quoted);
    length += quoted.length + 2;
  }
  return shown.length < names.length ? `${shown.join(', ')}, … (${names.length} columns)` : shown.join(', ');
}

/** Yahoo Finance: `Date,Open,High,Low,Close,Adj Close,Volume`, found by name so column order may vary. */
export function yahooLayout(fileName: string, header: string[], adjusted: boolean): CsvLayout {
  const names = header.map(normalizeHeader);
  const need = (name: string, shown: string): number => {
    const i = names.indexOf(name);
    if (i < 0) {
      throw new Error(`${fileName}: yahoo CSV has no "${shown}" column; header is ${columnList(header)}`);
    }
    return i;
  };
  return finish({
    time: 'text',
    ts: need('date', 'Date'),
    date: -1,
    timeOfDay: -1,
    open: need('open', 'Open'),
    high: need('high', 'High'),
    low: need('low', 'Low'),
    close: need('close', 'Close'),
    volume: need('volume', 'Volume'),
    adjClose: adjusted ? need('adjclose', 'Adj Close') : -1,
    exactFields: 0,
  });
}

// Header names (normalized) that generic CSV recognises without a map, in order of preference.
const SYNONYMS: Record<CsvField, string[]> = {
  ts: ['ts', 'timestamp', 'datetime', 'opentime', 'timeopen', 'unix', 'unixtime', 'epoch', 'dt'],
  date: ['date', 'day'],
  time: ['time'],
  open: ['open', 'o', 'openprice'],
  high: ['high', 'h', 'highprice'],
  low: ['low', 'l', 'lowprice'],
  close: ['close', 'c', 'closeprice', 'last'],
  volume: ['volume', 'vol', 'v', 'basevolume', 'volumebase'],
};

type ColumnMap = Partial<Record<CsvField, string>> | undefined;

/** A generic CSV header as the rows have it: the names, normalized too, and the user's column map. */
interface GenericHeader {
  fileName: string;
  names: string[];
  norm: string[];
  /** Rows carry an unnamed time column right after the date; `names` has a virtual `Time` there. */
  shifted: boolean;
  map: ColumnMap;
}

function readGenericHeader(
  fileName: string,
  header: string[],
  first: string[] | null,
  map: ColumnMap,
): GenericHeader {
  const names = header.map((h) => h.trim());
  const norm = names.map(normalizeHeader);
  const shifted =
    first !== null &&
    first.length === names.length + 1 &&
    !norm.includes('time') &&
    !Number.isNaN(parseWallDate((first[0] ?? '').trim())) &&
    !Number.isNaN(parseTimeOfDay((first[1] ?? '').trim()));
  if (!shifted) return { fileName, names, norm, shifted, map };
  const withTime = [names[0]!, 'Time', ...names.slice(1)];
  return { fileName, names: withTime, norm: withTime.map(normalizeHeader), shifted, map };
}

/** The column `map` names for a field: a header name (case-insensitive) or a 0-based column number. */
function mappedColumn(h: GenericHeader, field: CsvField, wanted: string): number {
  const lower = wanted.trim().toLowerCase();
  let i = h.names.findIndex((n) => n.toLowerCase() === lower);
  if (i < 0) i = h.norm.indexOf(normalizeHeader(wanted));
  if (i < 0 && /^\d+$/.test(wanted.trim())) i = Number(wanted.trim());
  if (i < 0) {
    throw new Error(
      `${h.fileName}: column ${excerpt(wanted, 40)} (option map.${field}) not found; header is ${columnList(h.names)}`,
    );
  }
  return i;
}

/** The first column whose header is a common name of the field (SYNONYMS), or -1. */
function commonNameColumn(h: GenericHeader, field: CsvField): number {
  for (const synonym of SYNONYMS[field]) {
    const i = h.norm.indexOf(synonym);
    if (i >= 0) return i;
  }
  return -1;
}

/** The column mapped for the field, or -1 when the map does not name it. */
function pickedColumn(h: GenericHeader, field: CsvField): number {
  const wanted = h.map?.[field];
  return wanted === undefined ? -1 : mappedColumn(h, field, wanted);
}

type TimeColumns = Pick<CsvLayout, 'time' | 'ts' | 'date' | 'timeOfDay'>;

/** Where the open time is: one timestamp cell, or a date cell and a time cell (`split`). */
function timeColumns(h: GenericHeader): TimeColumns {
  let time: CsvLayout['time'] = 'text';
  let ts = pickedColumn(h, 'ts');
  let date = pickedColumn(h, 'date');
  let timeOfDay = pickedColumn(h, 'time');
  const mapped = ts >= 0 || date >= 0;
  if (!mapped) {
    ts = commonNameColumn(h, 'ts');
    if (ts < 0) {
      date = commonNameColumn(h, 'date');
      timeOfDay = commonNameColumn(h, 'time');
    }
  }
  if (h.shifted && ts === 0 && timeOfDay < 0) {
    // The user mapped the date column as ts, but every row also carries the time next to it.
    date = 0;
    ts = -1;
  }
  if (h.shifted && date === 0 && timeOfDay < 0) timeOfDay = 1;
  if (ts < 0 && date >= 0 && timeOfDay >= 0) time = 'split';
  else if (ts < 0 && date >= 0) {
    ts = date;
    date = -1;
  } else if (ts < 0 && timeOfDay >= 0) {
    ts = timeOfDay;
    timeOfDay = -1;
  }
  if (ts < 0 && time !== 'split') {
    throw new Error(
      `${h.fileName}: no timestamp column found; set option map.ts (or map.date and map.time); ` +
        `header is ${columnList(h.names)}`,
    );
  }
  return { time, ts, date, timeOfDay };
}

/** A price or volume column: mapped, else found by a common name; a file without one is refused. */
function priceColumn(h: GenericHeader, field: CsvField): number {
  const i = pickedColumn(h, field);
  if (i >= 0) return i;
  const a = commonNameColumn(h, field);
  if (a < 0) {
    throw new Error(
      `${h.fileName}: no ${field} column found; set option map.${field}; header is ${columnList(h.names)}`,
    );
  }
  return a;
}

/**
 * Generic CSV with a header. `map` names header columns (case-insensitive) or 0-based column numbers
 * for our fields; fields not mapped are found by common header names. `first` is the first data row,
 * used to recognise files whose rows carry an unnamed time column right after the date (backtrader's
 * `Date,Open,...` header over `2006-01-02,09:01:00,...` rows): those get a virtual `Time` column.
 */
export function genericLayout(
  fileName: string,
  header: string[],
  first: string[] | null,
  map: ColumnMap,
): CsvLayout {
  const h = readGenericHeader(fileName, header, first, map);
  const { time, ts, date, timeOfDay } = timeColumns(h);
  return finish({
    time,
    ts,
    date: time === 'split' ? date : -1,
    timeOfDay: time === 'split' ? timeOfDay : -1,
    open: priceColumn(h, 'open'),
    high: priceColumn(h, 'high'),
    low: priceColumn(h, 'low'),
    close: priceColumn(h, 'close'),
    volume: priceColumn(h, 'volume'),
    adjClose: -1,
    exactFields: 0,
  });
}
