/**
 * Data quality: missing intervals (gaps) in stored candles, and a report of rows that break OHLC
 * rules, both for stored data (counted in SQL) and for an input sequence before it is stored.
 */
import { prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import type { Timeframe as TimeframeName } from '../entities/common.ts';
import type { CandleRow } from './formats/types.ts';
import { bucketStart, nextBucketStart, parseTimeframe } from './timeframes.ts';

export interface Gap {
  /** First missing bucket (epoch ms). */
  from: number;
  /** Exclusive end: the next candle present. */
  to: number;
  missing: number;
}

/** Missing intervals between the first and last stored candle in the range. */
export async function findGaps(
  store: Store,
  assetId: number,
  timeframe: TimeframeName,
  range: { from?: number; to?: number } = {},
): Promise<Gap[]> {
  const tf = parseTimeframe(timeframe);
  // Fixed-length buckets: the database finds them. Weeks and months: anything over a week apart
  // is a candidate, checked against calendar buckets below.
  const minimum = tf.ms ?? 7 * 86_400_000;
  const p = store.dialect === 'sqlite' ? ['?', '?', '?', '?', '?'] : ['$1', '$2', '$3', '$4', '$5'];
  const sql = `select ts, next_ts from (
      select ts, lead(ts) over (order by ts) as next_ts from candles
       where asset_id = ${p[0]} and timeframe = ${p[1]} and ts >= ${p[2]} and ts < ${p[3]}) w
     where next_ts - ts > ${p[4]} order by ts`;
  const params = [assetId, timeframe, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER, minimum];
  const pairs: Array<{ ts: number; next_ts: number }> =
    store.dialect === 'sqlite'
      ? store.readSqlite(
          (db) => prepared(db, sql).all(...params) as unknown as Array<{ ts: number; next_ts: number }>,
        )
      : (await (await store.pgPool()).query(sql, params)).rows.map((r) => ({
          ts: Number(r.ts),
          next_ts: Number(r.next_ts),
        }));
  const gaps: Gap[] = [];
  for (const { ts, next_ts } of pairs) {
    const from = nextBucketStart(ts, tf);
    if (from >= next_ts) continue;
    let missing = 0;
    if (tf.ms !== undefined) missing = Math.round((next_ts - from) / tf.ms);
    else for (let b = from; b < next_ts; b = nextBucketStart(b, tf)) missing++;
    gaps.push({ from, to: next_ts, missing });
  }
  return gaps;
}

export interface QualityReport {
  rows: number;
  duplicates: number;
  highBelowLow: number;
  openOutsideRange: number;
  closeOutsideRange: number;
  negativeVolume: number;
  /** Rows whose ts is not the start of its timeframe bucket. */
  misaligned: number;
  /** Rows that came after a later ts (input only; stored rows are always in key order). */
  unsorted: number;
  gaps: number;
  missingCandles: number;
}

/** Quality of an input sequence before it is stored (one pass, a set of seen ts). */
export function inputQuality(rows: Iterable<CandleRow>, timeframe: string): QualityReport {
  const tf = parseTimeframe(timeframe);
  const seen = new Set<number>();
  const r: QualityReport = {
    rows: 0,
    duplicates: 0,
    highBelowLow: 0,
    openOutsideRange: 0,
    closeOutsideRange: 0,
    negativeVolume: 0,
    misaligned: 0,
    unsorted: 0,
    gaps: 0,
    missingCandles: 0,
  };
  let previous = Number.NEGATIVE_INFINITY;
  for (const c of rows) {
    r.rows++;
    if (seen.has(c.ts)) r.duplicates++;
    seen.add(c.ts);
    if (c.ts < previous) r.unsorted++;
    previous = Math.max(previous, c.ts);
    if (c.high < c.low) r.highBelowLow++;
    if (c.open < c.low || c.open > c.high) r.openOutsideRange++;
    if (c.close < c.low || c.close > c.high) r.closeOutsideRange++;
    if (c.volume < 0) r.negativeVolume++;
    if (bucketStart(c.ts, tf) !== c.ts) r.misaligned++;
  }
  const sorted = [...seen].sort((a, b) => a - b);
  for (let i = 1; i < sorted.length; i++) {
    const expected = nextBucketStart(sorted[i - 1]!, tf);
    if (sorted[i]! > expected) {
      r.gaps++;
      r.missingCandles += tf.ms ? Math.round((sorted[i]! - expected) / tf.ms) : 1;
    }
  }
  return r;
}

/** The same report over stored candles, counted by the database. */
export async function storedQuality(
  store: Store,
  assetId: number,
  timeframe: TimeframeName,
  range: { from?: number; to?: number } = {},
): Promise<QualityReport> {
  const tf = parseTimeframe(timeframe);
  const p = store.dialect === 'sqlite' ? ['?', '?', '?', '?'] : ['$1', '$2', '$3', '$4'];
  const aligned = tf.ms !== undefined ? `ts % ${tf.ms} <> 0` : '0 = 1';
  const sql = `select count(*) as rows,
      sum(case when high < low then 1 else 0 end) as high_below_low,
      sum(case when open < low or open > high then 1 else 0 end) as open_outside,
      sum(case when close < low or close > high then 1 else 0 end) as close_outside,
      sum(case when volume < 0 then 1 else 0 end) as negative_volume,
      sum(case when ${aligned} then 1 else 0 end) as misaligned
    from candles where asset_id = ${p[0]} and timeframe = ${p[1]} and ts >= ${p[2]} and ts < ${p[3]}`;
  const params = [assetId, timeframe, range.from ?? 0, range.to ?? Number.MAX_SAFE_INTEGER];
  const row: Record<string, unknown> =
    store.dialect === 'sqlite'
      ? (store.readSqlite((db) => prepared(db, sql).get(...params)) ?? {})
      : ((await (await store.pgPool()).query(sql, params)).rows[0] ?? {});
  const gaps = await findGaps(store, assetId, timeframe, range);
  return {
    rows: Number(row.rows ?? 0),
    duplicates: 0,
    highBelowLow: Number(row.high_below_low ?? 0),
    openOutsideRange: Number(row.open_outside ?? 0),
    closeOutsideRange: Number(row.close_outside ?? 0),
    negativeVolume: Number(row.negative_volume ?? 0),
    misaligned: Number(row.misaligned ?? 0),
    unsorted: 0,
    gaps: gaps.length,
    missingCandles: gaps.reduce((a, g) => a + g.missing, 0),
  };
}
