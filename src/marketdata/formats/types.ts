/** One OHLCV candle. `ts` is the candle's open time in epoch ms UTC; prices and volume are float64. */
export interface CandleRow {
  ts: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
}

/** One public trade. `tradeId` is kept as text because exchanges use ids beyond 2^53 and non-numeric ids. */
export interface TickRow {
  ts: number;
  tradeId: string | null;
  side: 'buy' | 'sell' | null;
  price: number;
  amount: number;
}

/**
 * A row the reader refused. `line` is the 1-based line in text (CSV) files and the 1-based element
 * index in JSON files; `position` spells out which (`file.csv:line 17` / `file.json:row 17`).
 */
export interface Reject {
  file: string;
  line: number;
  position: string;
  reason: string;
  raw?: string;
}

export type { TimeUnit } from './time-rules.ts';
import type { TimeUnit } from './time-rules.ts';

/** What every reader accepts about times: the file's epoch unit and the instants it may hold. */
export interface TimeReadOptions {
  /** Unit of epoch numbers. Default: the format's own (freqtrade ms, Kraken s), else the first time's size. */
  timeUnit?: TimeUnit;
  /** Earliest accepted instant, epoch ms (default 1970-01-01); earlier rows are rejected. */
  minTime?: number;
  /** Accepted instants end before this, epoch ms (default 2200-01-01). */
  maxTime?: number;
}

export type CandleFormat = 'freqtrade' | 'ccxt' | 'binance' | 'yahoo' | 'csv';
export type TickFormat = 'freqtrade-trades' | 'kraken';

/** Our fields that a generic CSV `map` may point at header names (or 0-based column numbers). */
export type CsvField = 'ts' | 'date' | 'time' | 'open' | 'high' | 'low' | 'close' | 'volume';

export interface CandleReadOptions extends TimeReadOptions {
  /** `auto` (default) looks at the content (first bytes / header line), never the file name. */
  format?: CandleFormat | 'auto';
  /** Named in rejects and errors; `-` for stdin. */
  fileName: string;
  /** yahoo: scale open/high/low/close by `Adj Close / Close` (volume left as traded). */
  adjusted?: boolean;
  /** generic csv: our field → header name (or 0-based column number), e.g. `{ ts: 'Date', open: 'Open' }`. */
  map?: Partial<Record<CsvField, string>>;
  /** IANA zone for naive date/times in CSV files; default UTC. Epoch numbers and explicit offsets ignore it. */
  tz?: string;
  /**
   * The candles' timeframe (`1m`, `1h`, `1d`, ...): a candle whose ts is not the start of its bucket is
   * rejected, or moved there with `align: 'floor'`. Without it ts is not checked against a boundary.
   */
  timeframe?: string;
  align?: 'reject' | 'floor';
  /** Rows per yielded batch; default 5000. */
  batchSize?: number;
}

export interface TickReadOptions extends TimeReadOptions {
  format?: TickFormat | 'auto';
  fileName: string;
  batchSize?: number;
}

/** Counters shared by candle and tick batches. `linesRead`/`bytesRead` are cumulative for the file. */
export interface BatchProgress {
  /** Lines (CSV) or JSON elements consumed so far. */
  linesRead: number;
  /** Bytes taken from the input so far: compressed bytes for gzip, so it can drive a progress bar. */
  bytesRead: number;
  /** Accepted rows so far whose ts is lower than the previous accepted row's: a quality note, not a reject. */
  unsortedRows: number;
}

/** Rows and rejects since the previous batch. */
export interface CandleBatch extends BatchProgress {
  format: CandleFormat;
  rows: CandleRow[];
  rejects: Reject[];
}

export interface TickBatch extends BatchProgress {
  format: TickFormat;
  rows: TickRow[];
  rejects: Reject[];
}

/** Where an input comes from: a file path (gzip detected by magic bytes) or an open stream (stdin). */
export type MarketDataInput = NodeJS.ReadableStream | AsyncIterable<Buffer | string> | string;
