/**
 * Candle timeframes as exchanges name them (`1m`, `4h`, `1d`, `1w`, `1M`). Seconds to days are fixed
 * lengths aligned to the Unix epoch (what ccxt and exchanges do: a 4h bucket starts at 00:00, 04:00, …
 * UTC). Weeks and months are calendar units in UTC: weeks start on Monday (the epoch was a Thursday,
 * so epoch alignment would be wrong) and months are calendar months of varying length.
 */

export type TimeframeUnit = 's' | 'm' | 'h' | 'd' | 'w' | 'M';

export interface Timeframe {
  /** The text it was parsed from, e.g. `15m`. */
  text: string;
  count: number;
  unit: TimeframeUnit;
  /** Bucket length in ms when buckets are fixed-length and epoch-aligned (s/m/h/d); absent for w and M. */
  ms?: number;
}

const UNIT_MS: Record<'s' | 'm' | 'h' | 'd', number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
const DAY_MS = 86_400_000;
/** 1970-01-05, the first Monday after the epoch: the origin of week buckets. */
const FIRST_MONDAY_MS = 4 * DAY_MS;
const WEEK_MS = 7 * DAY_MS;

/** Parses `<count><unit>`; `m` is minutes and `M` months, as in ccxt. Throws on anything else. */
export function parseTimeframe(text: string): Timeframe {
  const match = /^([1-9]\d{0,4})([smhdwM])$/.exec(text);
  if (match === null) {
    throw new Error(
      `invalid timeframe "${text}": expected a count and a unit, e.g. 1m, 15m, 1h, 4h, 1d, 1w, 1M`,
    );
  }
  const count = Number(match[1]);
  const unit = match[2] as TimeframeUnit;
  if (unit === 'w' || unit === 'M') return { text, count, unit };
  return { text, count, unit, ms: count * UNIT_MS[unit] };
}

function asTimeframe(timeframe: string | Timeframe): Timeframe {
  return typeof timeframe === 'string' ? parseTimeframe(timeframe) : timeframe;
}

function floorTo(value: number, size: number): number {
  return Math.floor(value / size) * size;
}

/** Start (epoch ms UTC) of the bucket containing `ts`. Multi-month buckets align to January (3M: quarters). */
export function bucketStart(ts: number, timeframe: string | Timeframe): number {
  const tf = asTimeframe(timeframe);
  if (tf.ms !== undefined) return floorTo(ts, tf.ms);
  if (tf.unit === 'w') return FIRST_MONDAY_MS + floorTo(ts - FIRST_MONDAY_MS, tf.count * WEEK_MS);
  const date = new Date(ts);
  const months = date.getUTCFullYear() * 12 + date.getUTCMonth();
  const start = floorTo(months, tf.count);
  return Date.UTC(Math.floor(start / 12), start % 12, 1);
}

/** Start of the bucket after the one containing `ts` (its exclusive end). */
export function nextBucketStart(ts: number, timeframe: string | Timeframe): number {
  const tf = asTimeframe(timeframe);
  const start = bucketStart(ts, tf);
  if (tf.ms !== undefined) return start + tf.ms;
  if (tf.unit === 'w') return start + tf.count * WEEK_MS;
  const date = new Date(start);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + tf.count, 1);
}
