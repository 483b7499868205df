/**
 * Folds time-ordered trades or candles into candles of a timeframe, one bucket at a time: open = the
 * first, high = max, low = min, close = the last, volume = sum. Buckets follow timeframes.ts (UTC,
 * epoch-aligned up to days, weeks from Monday, calendar months). Only the bucket being built is held.
 */
import type { CandleRow } from './formats/types.ts';
import { bucketStart, nextBucketStart, type Timeframe as Period, parseTimeframe } from './timeframes.ts';

export class CandleBuilder {
  private readonly period: Period;
  private current: CandleRow | null = null;
  private currentEnd = Number.NEGATIVE_INFINITY;

  constructor(timeframe: string) {
    this.period = parseTimeframe(timeframe);
  }

  /**
   * Adds one input in time order; returns the finished candle when `ts` opens a new bucket, else null.
   * For a trade pass its price four times and its amount as volume.
   */
  add(ts: number, open: number, high: number, low: number, close: number, volume: number): CandleRow | null {
    const c = this.current;
    if (c !== null && ts < this.currentEnd && ts >= c.ts) {
      if (high > c.high) c.high = high;
      if (low < c.low) c.low = low;
      c.close = close;
      c.volume += volume;
      return null;
    }
    if (c !== null && ts < c.ts) {
      throw new Error(`CandleBuilder: input not in time order (${ts} after bucket ${c.ts})`);
    }
    const start = bucketStart(ts, this.period);
    this.current = { ts: start, open, high, low, close, volume };
    this.currentEnd = nextBucketStart(start, this.period);
    return c;
  }

  /** The last, possibly still open, bucket (null when nothing was added). */
  finish(): CandleRow | null {
    const c = this.current;
    this.current = null;
    return c;
  }
}

/**
 * Why `from` candles cannot be folded into `to` candles, or null when every `from` bucket lies inside
 * one `to` bucket (e.g. 1m → 1h, 1h → 1w, 1d → 1M, 1w → 2w; not 3d → 1w, 1w → 1M, 1h → 1m).
 */
export function resampleProblem(from: string, to: string): string | null {
  const a = parseTimeframe(from);
  const b = parseTimeframe(to);
  const DAY = 86_400_000;
  let fits: boolean;
  if (a.ms !== undefined && b.ms !== undefined) fits = b.ms % a.ms === 0;
  // Week and month buckets start at midnight UTC: a fixed bucket fits when it divides a day.
  else if (a.ms !== undefined) fits = DAY % a.ms === 0;
  else if (a.unit === 'w') fits = b.unit === 'w' && b.count % a.count === 0;
  else fits = b.unit === 'M' && b.count % a.count === 0;
  return fits
    ? null
    : `cannot resample ${from} candles to ${to}: a ${from} candle would straddle two ${to} buckets`;
}
