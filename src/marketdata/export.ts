/**
 * Candle export to CSV (`ts,open,high,low,close,volume`) or JSON (an array of
 * `{"ts": <epoch ms>, "open", "high", "low", "close", "volume"}`), streamed: candles are read in pages of
 * 50,000 with the range reader and written with backpressure, so millions of rows never sit in memory
 * as one string. Both outputs import back (`tradestore import candles`) to the same rows.
 * `resample` goes through the SQL resampler (resample.ts) one window of buckets at a time.
 */
import type { Store } from '../db/store.ts';
import { writeText } from '../exports/output.ts';
import type { Timeframe } from '../entities/common.ts';
import { resampleProblem } from './candle-builder.ts';
import { readCandles, timeframeSchema } from './candles.ts';
import type { CandleRow } from './formats/types.ts';
import { resampleCandles } from './resample.ts';
import { bucketStart, nextBucketStart, parseTimeframe } from './timeframes.ts';

export type ExportFormat = 'csv' | 'json';

const PAGE = 50_000;
const RESAMPLE_WINDOW = 10_000;
const MAX_TS = Number.MAX_SAFE_INTEGER;

export interface ExportCandlesOptions {
  timeframe: Timeframe;
  /** Inclusive, epoch ms. With `resample`, rounded down to its bucket (no partial first candle). */
  from?: number;
  /** Exclusive, epoch ms. With `resample`, rounded up to a bucket boundary. */
  to?: number;
  /** A higher timeframe to fold the stored candles into (not only the stored enum, e.g. `2d`). */
  resample?: string;
  format: ExportFormat;
}

export interface ExportSummary {
  candles: number;
  first: number | null;
  last: number | null;
}

function csvLine(c: CandleRow): string {
  return `${c.ts},${c.open},${c.high},${c.low},${c.close},${c.volume}\n`;
}

function jsonItem(c: CandleRow): string {
  return `{"ts":${c.ts},"open":${c.open},"high":${c.high},"low":${c.low},"close":${c.close},"volume":${c.volume}}`;
}

/** Reads [from, to) page by page, oldest first. */
async function* candlePages(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
  from: number,
  to: number,
): AsyncGenerator<CandleRow[]> {
  let cursor = from;
  while (cursor < to) {
    const page = await readCandles(store, assetId, timeframe, { from: cursor, to, limit: PAGE });
    if (page.length > 0) yield page;
    if (page.length < PAGE) return;
    cursor = page[page.length - 1]!.ts + 1;
  }
}

/** `count` buckets of `timeframe` after the one starting at `start` (calendar-aware for weeks and months). */
function advance(start: number, timeframe: string, count: number): number {
  const tf = parseTimeframe(timeframe);
  if (tf.ms !== undefined) return start + count * tf.ms;
  let at = start;
  for (let i = 0; i < count; i++) at = nextBucketStart(at, tf);
  return at;
}

/**
 * The SQL resampler (resample.ts) over windows of RESAMPLE_WINDOW target buckets, so its in-memory
 * result stays bounded; each window starts at the bucket of the next stored candle, which skips
 * empty stretches (a range from 1970 costs nothing).
 */
async function* resampledPages(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
  target: string,
  from: number,
  to: number,
): AsyncGenerator<CandleRow[]> {
  let cursor = from;
  while (cursor < to) {
    const [next] = await readCandles(store, assetId, timeframe, { from: cursor, to, limit: 1 });
    if (next === undefined) return;
    const start = bucketStart(next.ts, target);
    const end = Math.min(to, advance(start, target, RESAMPLE_WINDOW));
    const page = await resampleCandles(store, assetId, timeframe, target, { from: start, to: end });
    if (page.length > 0) yield page;
    cursor = end;
  }
}

/** Writes the candles of one asset and timeframe to `out` (which it does not end). */
export async function exportCandles(
  store: Store,
  assetId: number,
  options: ExportCandlesOptions,
  out: NodeJS.WritableStream,
): Promise<ExportSummary> {
  const timeframe = timeframeSchema.parse(options.timeframe);
  let from = options.from ?? 0;
  let to = options.to ?? MAX_TS;
  if (options.resample !== undefined) {
    const problem = resampleProblem(timeframe, options.resample);
    if (problem !== null) throw new Error(problem);
    from = bucketStart(from, options.resample);
    if (to < MAX_TS && bucketStart(to, options.resample) !== to) to = nextBucketStart(to, options.resample);
  }
  const write = (text: string) => writeText(out, text);
  const pages =
    options.resample === undefined
      ? candlePages(store, assetId, timeframe, from, to)
      : resampledPages(store, assetId, timeframe, options.resample, from, to);
  const summary: ExportSummary = { candles: 0, first: null, last: null };
  if (options.format === 'csv') await write('ts,open,high,low,close,volume\n');
  else await write('[');
  for await (const page of pages) {
    let text = '';
    if (options.format === 'csv') {
      for (const c of page) text += csvLine(c);
    } else {
      for (let i = 0; i < page.length; i++) {
        text += `${summary.candles + i === 0 ? '\n' : ',\n'}${jsonItem(page[i]!)}`;
      }
    }
    summary.first ??= page[0]!.ts;
    summary.last = page[page.length - 1]!.ts;
    summary.candles += page.length;
    await write(text);
  }
  if (options.format === 'json') await write(summary.candles === 0 ? ']\n' : '\n]\n');
  return summary;
}
