import { TimedRowCollector } from './collector.ts';
import { BINANCE_LAYOUT, type CsvLayout, genericLayout, yahooLayout } from './csv-layout.ts';
import { feedCsv } from './csv-records.ts';
import { bucketStart, parseTimeframe, type Timeframe } from '../timeframes.ts';
import { detectCandleFormat, detectTickFormat } from './detect.ts';
import { excerpt, shortenQuoted } from './excerpt.ts';
import { bareToken, jsonRowBatches, valueExcerpt } from './json-rows.ts';
import { TimestampLedger } from './ledger.ts';
import { type ParsedCandleOptions, parseCandleOptions } from './options.ts';
import { type ByteSource, openSource } from './source.ts';
import { parseDateAndTime, parseTimestamp, WallClock } from './time.ts';
import { FileTimeRules, showInstant } from './time-rules.ts';
import type {
  BatchProgress,
  CandleBatch,
  CandleFormat,
  CandleReadOptions,
  CandleRow,
  MarketDataInput,
} from './types.ts';

const FIELD_NAMES = ['ts', 'open', 'high', 'low', 'close', 'volume'] as const;

/** Candle rules shared by every format; the format readers only turn cells into numbers. */
class CandleCollector extends TimedRowCollector<CandleRow> {
  readonly ledger = new TimestampLedger();
  private readonly timeframe: Timeframe | null;
  private readonly floor: boolean;

  constructor(options: ParsedCandleOptions, unit: 'line' | 'row', format: CandleFormat) {
    super(
      options.fileName,
      unit,
      new FileTimeRules({
        unit: options.timeUnit,
        // freqtrade and ccxt define their times as epoch milliseconds; CSV files say nothing.
        formatUnit: format === 'freqtrade' || format === 'ccxt' ? { unit: 'ms', format } : undefined,
        minTime: options.minTime,
        maxTime: options.maxTime,
        positionWord: unit,
      }),
    );
    this.timeframe = options.timeframe === undefined ? null : parseTimeframe(options.timeframe);
    this.floor = options.align === 'floor';
  }

  /** Values are finite numbers here; `ts` is epoch ms already normalised. */
  accept(
    ts: number,
    open: number,
    high: number,
    low: number,
    close: number,
    volume: number,
    line: number,
    source: unknown,
  ): void {
    let why: string | null;
    if (!Number.isInteger(ts)) {
      this.reject(line, `unparseable time: ${ts} is not a whole epoch millisecond`, source);
      return;
    }
    if ((why = this.time.outOfRange(ts)) !== null) {
      this.reject(line, why, source);
      return;
    }
    if (this.timeframe !== null) {
      const ms = this.timeframe.ms;
      const start = ms !== undefined ? Math.floor(ts / ms) * ms : bucketStart(ts, this.timeframe);
      if (start !== ts) {
        if (!this.floor) {
          this.reject(
            line,
            `ts ${ts} (${showInstant(ts)}) is not on a ${this.timeframe.text} boundary: its candle opens at ` +
              `${showInstant(start)}; align floor (--align floor) moves it there`,
            source,
          );
          return;
        }
        ts = start;
      }
    }
    if (high < low) {
      this.reject(line, `high < low (high ${high}, low ${low})`, source);
    } else if (open < low || open > high) {
      this.reject(line, `open ${open} outside [low ${low}, high ${high}]`, source);
    } else if (close < low || close > high) {
      this.reject(line, `close ${close} outside [low ${low}, high ${high}]`, source);
    } else if (volume < 0) {
      this.reject(line, `negative volume ${volume}`, source);
    } else if (!this.ledger.admit(ts)) {
      this.reject(
        line,
        `duplicate ts ${ts} (${new Date(ts).toISOString()}) already read from this file`,
        source,
      );
    } else {
      this.rows.push({ ts, open, high, low, close, volume });
    }
  }
}

/**
 * Streams candles from a file or stream in batches (one DB transaction per batch is the intended use).
 * Bad rows become `rejects` and never stop the file; problems with the whole file (unknown format,
 * missing mapped column, corrupt gzip, invalid JSON, bad option) throw an Error naming the file. Such an
 * error can come after earlier batches were yielded, so a consumer wanting all-or-nothing should wrap
 * the whole file in one transaction or delete what it inserted.
 */
export async function* readCandles(
  input: MarketDataInput,
  opts: CandleReadOptions,
): AsyncGenerator<CandleBatch, void, undefined> {
  const options = parseCandleOptions(opts);
  const source = await openSource(input, options.fileName);
  try {
    const format = options.format === 'auto' ? detectOrThrow(source, options.fileName) : options.format;
    if (options.adjusted && format !== 'yahoo') {
      throw new Error(
        `${options.fileName}: option adjusted applies only to the yahoo format (it needs Adj Close), not ${format}`,
      );
    }
    if (format === 'freqtrade' || format === 'ccxt') yield* readJsonCandles(source, options, format);
    else yield* readCsvCandles(source, options, format);
  } finally {
    await source.chunks.return(undefined);
  }
}

function detectOrThrow(source: ByteSource, fileName: string): CandleFormat {
  const format = detectCandleFormat(source.head);
  if (format !== null) return format;
  if (source.head.length === 0) throw new Error(`${fileName}: empty input, cannot detect the candle format`);
  const line = source.head.subarray(0, 200).toString('utf8').split('\n')[0]!.trim();
  const hint =
    detectTickFormat(source.head) !== null ? ' (it looks like public trades: read it as ticks)' : '';
  throw new Error(
    `${fileName}: unknown candle format${hint}; first line ${excerpt(line)}; ` +
      'set option format to one of freqtrade, ccxt, binance, yahoo, csv',
  );
}

function progressOf(
  collector: CandleCollector,
  source: ByteSource,
  lines: () => number,
): () => BatchProgress {
  return () => ({
    linesRead: lines(),
    bytesRead: source.bytesRead(),
    unsortedRows: collector.ledger.unsortedRows,
  });
}

// ---------------------------------------------------------------- JSON (freqtrade, ccxt)

async function* readJsonCandles(
  source: ByteSource,
  options: ParsedCandleOptions,
  format: CandleFormat,
): AsyncGenerator<CandleBatch> {
  const collector = new CandleCollector(options, 'row', format);
  const batches = jsonRowBatches(
    source,
    options.fileName,
    options.batchSize,
    collector,
    (element, row) => addJsonCandle(collector, element, row),
    () => collector.ledger.unsortedRows,
  );
  for await (const batch of batches) yield { ...batch, format };
}

function addJsonCandle(collector: CandleCollector, element: unknown, row: number): void {
  // `tradestore export candles --format json` writes objects {ts, open, high, low, close, volume}:
  // read them as the array they stand for, so an export imports back.
  if (element !== null && typeof element === 'object' && !Array.isArray(element)) {
    const o = element as Record<string, unknown>;
    if (FIELD_NAMES.every((k) => k in o)) element = [o.ts, o.open, o.high, o.low, o.close, o.volume];
  }
  if (!Array.isArray(element)) {
    collector.reject(row, 'row is not an array [ts, open, high, low, close, volume]', element);
    return;
  }
  if (element.length < 6) {
    collector.reject(
      row,
      `expected 6 values [ts, open, high, low, close, volume], got ${element.length}`,
      element,
    );
    return;
  }
  const t = element[0];
  const o = element[1];
  const h = element[2];
  const l = element[3];
  const c = element[4];
  const v = element[5];
  // Hot path: JSON numbers are never NaN, but 1e999 parses to Infinity.
  if (
    typeof t === 'number' &&
    typeof o === 'number' &&
    typeof h === 'number' &&
    typeof l === 'number' &&
    typeof c === 'number' &&
    typeof v === 'number' &&
    Number.isFinite(t) &&
    Number.isFinite(o) &&
    Number.isFinite(h) &&
    Number.isFinite(l) &&
    Number.isFinite(c) &&
    Number.isFinite(v)
  ) {
    const ts = collector.epoch(t, row, element);
    if (!Number.isNaN(ts)) collector.accept(ts, o, h, l, c, v, row, element);
    return;
  }
  // Slow path: say which value is wrong; numeric strings and ISO time strings are tolerated.
  collector.time.at(row);
  const ts =
    typeof t === 'string' && bareToken(t) === null
      ? parseTimestamp(t, null, collector.time.epoch)
      : typeof t === 'number'
        ? collector.time.epoch(t)
        : Number.NaN;
  if (!Number.isFinite(ts)) {
    collector.reject(row, collector.time.problem ?? `unparseable time ${valueExcerpt(t)}`, element);
    return;
  }
  const values = [ts, 0, 0, 0, 0, 0];
  for (let i = 1; i < 6; i++) {
    const value = element[i];
    const n = typeof value === 'number' ? value : typeof value === 'string' ? cellNumber(value) : Number.NaN;
    if (!Number.isFinite(n)) {
      collector.reject(row, valueProblem(FIELD_NAMES[i]!, value), element);
      return;
    }
    values[i] = n;
  }
  collector.accept(ts, values[1]!, values[2]!, values[3]!, values[4]!, values[5]!, row, element);
}

function valueProblem(name: string, value: unknown): string {
  if (value === null || value === 'null') return `${name} is null`;
  if (value === undefined || value === '') return `${name} is empty`;
  if (typeof value === 'number') return `${name} is not finite (${value})`;
  const bare = bareToken(value);
  if (bare !== null) return `${name} is ${bare} (not a number)`;
  if (typeof value === 'string') return `${name} is not a number: ${excerpt(value, 40)}`;
  return `${name} is not a number (${typeof value})`;
}

// ---------------------------------------------------------------- CSV (binance, yahoo, generic)

/** A CSV cell → number; NaN for empty or blank cells (Number('') would be 0). */
export function cellNumber(text: string): number {
  if (text.length === 0) return Number.NaN;
  const n = +text;
  return n === 0 && text.trim().length === 0 ? Number.NaN : n;
}

async function* readCsvCandles(
  source: ByteSource,
  options: ParsedCandleOptions,
  format: CandleFormat,
): AsyncGenerator<CandleBatch> {
  const { fileName } = options;
  const collector = new CandleCollector(options, 'line', format);
  const clock = options.tz === undefined || options.tz === 'UTC' ? null : new WallClock(options.tz);
  let lines = 0;
  let header: string[] | null = null;
  let layout: CsvLayout | null = null;

  const onRecord = (record: string[], line: number): void => {
    lines = line;
    if (layout !== null) {
      addCsvCandle(collector, layout, record, line, clock);
      return;
    }
    if (format === 'binance') {
      layout = BINANCE_LAYOUT;
      // Newer Binance dumps start with an `open_time,...` header line; older ones have none.
      if (!/^\s*\d/.test(record[0] ?? '')) return;
      addCsvCandle(collector, layout, record, line, clock);
      return;
    }
    if (header === null) {
      header = record;
      if (format === 'yahoo') layout = yahooLayout(fileName, header, options.adjusted);
      return;
    }
    layout = genericLayout(fileName, header, record, options.map);
    addCsvCandle(collector, layout, record, line, clock);
  };
  const onMalformed = (line: number, message: string): void => {
    lines = Math.max(lines, line);
    collector.reject(line, `malformed CSV: ${shortenQuoted(message)}`, undefined);
  };
  const progress = progressOf(collector, source, () => lines);

  for await (const _ of feedCsv(source.chunks, onRecord, onMalformed)) {
    for (const batch of collector.batches(options.batchSize, false, progress)) yield { ...batch, format };
  }
  if (format !== 'binance') {
    if (header === null) throw new Error(`${fileName}: empty input, expected a ${format} CSV header line`);
    // Resolve the map even without data rows, so a wrong column name is reported for an empty file too.
    if (layout === null) genericLayout(fileName, header, null, options.map);
  }
  for (const batch of collector.batches(options.batchSize, true, progress)) yield { ...batch, format };
}

const CELL_NAMES: Record<string, string> = {
  open: 'open',
  high: 'high',
  low: 'low',
  close: 'close',
  volume: 'volume',
  adjClose: 'adj close',
};

function addCsvCandle(
  collector: CandleCollector,
  layout: CsvLayout,
  record: string[],
  line: number,
  clock: WallClock | null,
): void {
  if (layout.exactFields > 0 && record.length !== layout.exactFields) {
    collector.reject(line, `expected ${layout.exactFields} fields, got ${record.length}`, record);
    return;
  }
  if (record.length < layout.minFields) {
    collector.reject(line, `expected at least ${layout.minFields} fields, got ${record.length}`, record);
    return;
  }
  let ts: number;
  if (layout.time === 'epoch') {
    const cell = record[layout.ts]!;
    ts = cellNumber(cell);
    if (Number.isFinite(ts)) {
      ts = collector.epoch(ts, line, record);
      if (Number.isNaN(ts)) return;
    } else {
      collector.reject(line, timeProblem(cell), record);
      return;
    }
  } else if (layout.time === 'text') {
    const cell = record[layout.ts]!;
    collector.time.at(line);
    ts = parseTimestamp(cell, clock, collector.time.epoch);
    if (Number.isNaN(ts)) {
      collector.reject(line, collector.time.problem ?? timeProblem(cell), record);
      return;
    }
  } else {
    const date = record[layout.date]!;
    const time = record[layout.timeOfDay]!;
    ts = parseDateAndTime(date, time, clock);
    if (Number.isNaN(ts)) {
      collector.reject(line, timeProblem(`${date} ${time}`), record);
      return;
    }
  }
  const open = cellNumber(record[layout.open]!);
  const high = cellNumber(record[layout.high]!);
  const low = cellNumber(record[layout.low]!);
  const close = cellNumber(record[layout.close]!);
  const volume = cellNumber(record[layout.volume]!);
  if (!(
    Number.isFinite(open) &&
    Number.isFinite(high) &&
    Number.isFinite(low) &&
    Number.isFinite(close) &&
    Number.isFinite(volume)
  )) {
    collector.reject(line, cellProblem(layout, record), record);
    return;
  }
  if (layout.adjClose >= 0) {
    // Yahoo's Adj Close folds splits and dividends into the close; applying the same ratio to O/H/L
    // gives a consistent adjusted bar (multiplication by a positive factor keeps low <= open <= high).
    const adjClose = cellNumber(record[layout.adjClose]!);
    if (!Number.isFinite(adjClose)) {
      collector.reject(line, cellProblem(layout, record), record);
      return;
    }
    if (close <= 0 || adjClose <= 0) {
      collector.reject(line, `cannot adjust: close ${close}, adj close ${adjClose}`, record);
      return;
    }
    const f = adjClose / close;
    collector.accept(ts, open * f, high * f, low * f, close * f, volume, line, record);
    return;
  }
  collector.accept(ts, open, high, low, close, volume, line, record);
}

function timeProblem(cell: string): string {
  if (cell.trim().length === 0) return 'ts is empty';
  return `unparseable time ${excerpt(cell, 40)}`;
}

function cellProblem(layout: CsvLayout, record: string[]): string {
  for (const key of ['open', 'high', 'low', 'close', 'volume', 'adjClose'] as const) {
    const i = layout[key];
    if (i < 0) continue;
    const cell = record[i]!;
    if (!Number.isFinite(cellNumber(cell)))
      return valueProblem(CELL_NAMES[key]!, cell.trim() === '' ? '' : cell);
  }
  return 'not a number';
}
