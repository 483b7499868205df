import { cellNumber } from './candle-files.ts';
import { TimedRowCollector } from './collector.ts';
import { feedCsv } from './csv-records.ts';
import { detectCandleFormat, detectTickFormat } from './detect.ts';
import { excerpt, shortenQuoted } from './excerpt.ts';
import { bareToken, jsonRowBatches, valueExcerpt } from './json-rows.ts';
import { type ParsedTickOptions, parseTickOptions } from './options.ts';
import { type ByteSource, openSource } from './source.ts';
import { FileTimeRules } from './time-rules.ts';
import type {
  BatchProgress,
  MarketDataInput,
  TickBatch,
  TickFormat,
  TickReadOptions,
  TickRow,
} from './types.ts';

/**
 * Trade rules. Several trades can share a millisecond, so there is no duplicate-ts rule; ordering is
 * only counted (unsortedRows).
 */
class TickCollector extends TimedRowCollector<TickRow> {
  unsortedRows = 0;
  private previous = Number.NEGATIVE_INFINITY;

  constructor(options: ParsedTickOptions, unit: 'line' | 'row', format: TickFormat) {
    super(
      options.fileName,
      unit,
      new FileTimeRules({
        unit: options.timeUnit,
        // Both formats define their unit: freqtrade trades in epoch ms, Kraken's CSV in unix seconds.
        formatUnit: { unit: format === 'kraken' ? 's' : 'ms', format },
        minTime: options.minTime,
        maxTime: options.maxTime,
        positionWord: unit,
      }),
    );
  }

  accept(
    ts: number,
    tradeId: string | null,
    side: 'buy' | 'sell' | null,
    price: number,
    amount: number,
    line: number,
    source: unknown,
  ): void {
    let why: string | null;
    if (!Number.isFinite(ts)) {
      this.reject(line, `unparseable time ${ts}`, source);
    } else if ((why = this.time.outOfRange(ts)) !== null) {
      this.reject(line, why, source);
    } else if (!Number.isFinite(price)) {
      this.reject(line, 'price is not a number', source);
    } else if (!Number.isFinite(amount)) {
      this.reject(line, 'amount is not a number', source);
    } else if (price <= 0) {
      this.reject(line, `non-positive price ${price}`, source);
    } else if (amount <= 0) {
      this.reject(line, `non-positive amount ${amount}`, source);
    } else {
      // Sub-millisecond fractions (ms given with decimals) are cut: ts is whole epoch ms everywhere.
      const whole = Math.floor(ts);
      if (whole < this.previous) this.unsortedRows++;
      this.previous = whole;
      this.rows.push({ ts: whole, tradeId, side, price, amount });
    }
  }
}

/** Streams public trades in batches; errors and rejects as for readCandles. */
export async function* readTicks(
  input: MarketDataInput,
  opts: TickReadOptions,
): AsyncGenerator<TickBatch, void, undefined> {
  const options = parseTickOptions(opts);
  const source = await openSource(input, options.fileName);
  try {
    const format = options.format === 'auto' ? detectOrThrow(source, options.fileName) : options.format;
    if (format === 'freqtrade-trades') yield* readFreqtradeTrades(source, options);
    else yield* readKraken(source, options);
  } finally {
    await source.chunks.return(undefined);
  }
}

function detectOrThrow(source: ByteSource, fileName: string): TickFormat {
  const format = detectTickFormat(source.head);
  if (format !== null) return format;
  if (source.head.length === 0) throw new Error(`${fileName}: empty input, cannot detect the trades format`);
  const line = source.head.subarray(0, 200).toString('utf8').split('\n')[0]!.trim();
  const hint = detectCandleFormat(source.head) !== null ? ' (it looks like candles: read it as candles)' : '';
  throw new Error(
    `${fileName}: unknown trades format${hint}; first line ${excerpt(line)}; ` +
      'set option format to one of freqtrade-trades, kraken',
  );
}

function progressOf(collector: TickCollector, source: ByteSource, lines: () => number): () => BatchProgress {
  return () => ({ linesRead: lines(), bytesRead: source.bytesRead(), unsortedRows: collector.unsortedRows });
}

/** freqtrade `*-trades.json(.gz)`: `[[ts_ms, id, order_type, side, price, amount, cost], ...]`. */
async function* readFreqtradeTrades(
  source: ByteSource,
  options: ParsedTickOptions,
): AsyncGenerator<TickBatch> {
  const format: TickFormat = 'freqtrade-trades';
  const collector = new TickCollector(options, 'row', format);
  const batches = jsonRowBatches(
    source,
    options.fileName,
    options.batchSize,
    collector,
    (element, row) => addTrade(collector, element, row),
    () => collector.unsortedRows,
  );
  for await (const batch of batches) yield { ...batch, format };
}

function jsonNumber(value: unknown): number {
  if (typeof value === 'number') return value;
  if (typeof value === 'string') return cellNumber(value);
  return Number.NaN;
}

function addTrade(collector: TickCollector, element: unknown, row: number): void {
  if (!Array.isArray(element)) {
    collector.reject(row, 'row is not an array [ts, id, type, side, price, amount, cost]', element);
    return;
  }
  if (element.length < 6) {
    collector.reject(
      row,
      `expected 7 values [ts, id, type, side, price, amount, cost], got ${element.length}`,
      element,
    );
    return;
  }
  const t = jsonNumber(element[0]);
  if (!Number.isFinite(t)) {
    collector.reject(row, `unparseable time ${valueExcerpt(element[0])}`, element);
    return;
  }
  const ts = collector.epoch(t, row, element);
  if (Number.isNaN(ts)) return;
  const id = element[1];
  let tradeId: string | null;
  if (id === null || id === undefined || id === '') tradeId = null;
  else if (typeof id === 'string') tradeId = id;
  else if (typeof id === 'number') tradeId = String(id);
  else {
    collector.reject(row, `trade id is not a string or number (${typeof id})`, element);
    return;
  }
  const rawSide = element[3];
  let side: 'buy' | 'sell' | null;
  if (rawSide === 'buy' || rawSide === 'sell') side = rawSide;
  else if (rawSide === null || rawSide === undefined || rawSide === '') side = null;
  else {
    collector.reject(row, `unknown side ${valueExcerpt(rawSide)} (expected buy, sell or null)`, element);
    return;
  }
  const price = element[4];
  const amount = element[5];
  if (price === null) {
    collector.reject(row, 'price is null', element);
    return;
  }
  if (amount === null) {
    collector.reject(row, 'amount is null', element);
    return;
  }
  const barePrice = bareToken(price);
  const bare = barePrice ?? bareToken(amount);
  if (bare !== null) {
    collector.reject(row, `${barePrice !== null ? 'price' : 'amount'} is ${bare} (not a number)`, element);
    return;
  }
  collector.accept(ts, tradeId, side, jsonNumber(price), jsonNumber(amount), row, element);
}

/** Kraken trade history CSV: `unix_seconds,price,volume`, no header, no trade id or side. */
async function* readKraken(source: ByteSource, options: ParsedTickOptions): AsyncGenerator<TickBatch> {
  const format: TickFormat = 'kraken';
  const collector = new TickCollector(options, 'line', format);
  let lines = 0;
  const onRecord = (record: string[], line: number): void => {
    lines = line;
    // Exactly three: Kraken's OHLCVT files (7 columns) must not be read as trades.
    if (record.length !== 3) {
      collector.reject(line, `expected 3 fields (unix_seconds,price,volume), got ${record.length}`, record);
      return;
    }
    const t = cellNumber(record[0]!);
    if (!Number.isFinite(t)) {
      collector.reject(line, `unparseable time ${excerpt(record[0]!)}`, record);
      return;
    }
    const ts = collector.epoch(t, line, record);
    if (Number.isNaN(ts)) return;
    collector.accept(ts, null, null, cellNumber(record[1]!), cellNumber(record[2]!), line, record);
  };
  const onMalformed = (line: number, message: string): void => {
    lines = Math.max(lines, line);
    collector.reject(line, `malformed CSV: ${shortenQuoted(message)}`, undefined);
  };
  const progress = progressOf(collector, source, () => lines);
  for await (const _ of feedCsv(source.chunks, onRecord, onMalformed)) {
    for (const batch of collector.batches(options.batchSize, false, progress)) yield { ...batch, format };
  }
  for (const batch of collector.batches(options.batchSize, true, progress)) yield { ...batch, format };
}
