/**
 * Candles from stored ticks. Trades are read in (ts, id) order — id is the insertion order, so trades
 * of the same millisecond keep the order they were imported in — page by page with a keyset cursor,
 * folded in JS (CandleBuilder: the same bucket rules as everywhere else, including weeks and months)
 * and written through writeCandleBatch. Memory stays at one page of ticks and one batch of candles.
 */
import { prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import type { Timeframe } from '../entities/common.ts';
import { CandleBuilder } from './candle-builder.ts';
import { type OnConflict, writeCandleBatch } from './candle-writes.ts';
import { timeframeSchema } from './candles.ts';
import type { CandleRow } from './formats/types.ts';
import { bucketStart, nextBucketStart } from './timeframes.ts';

const TICK_PAGE = 50_000;
const CANDLE_BATCH = 50_000;
const MAX_TS = Number.MAX_SAFE_INTEGER;

export interface BuildFromTicksOptions {
  timeframe: Timeframe;
  /** Inclusive, epoch ms; rounded down to its bucket so no candle is built from part of its trades. */
  from?: number;
  /** Exclusive, epoch ms; rounded up to a bucket boundary for the same reason. */
  to?: number;
  /** `ignore` (default) keeps stored candles; `update` recomputes them (e.g. after more ticks arrived). */
  onConflict?: OnConflict;
  onProgress?: (done: { ticks: number; candles: number }) => void;
}

export interface BuildFromTicksSummary {
  timeframe: Timeframe;
  from: number;
  to: number;
  ticks: number;
  candles: number;
  inserted: number;
  updated: number;
  skipped: number;
  /** Open time of the first and last candle built (null when there were no ticks). */
  first: number | null;
  last: number | null;
  seconds: number;
}

interface TickPrice {
  ts: number;
  id: number;
  price: number;
  amount: number;
}

const PAGE_SQL = {
  // `ts >= last` lets the (asset_id, ts) index bound the scan; `ts > last or id > lastId` is the keyset.
  sqlite:
    'select ts, id, price, amount from ticks where asset_id = ? and ts >= ? and ts < ? and (ts > ? or id > ?) order by ts, id limit ?',
  postgresql:
    'select ts, id, price, amount from ticks where asset_id = $1 and ts >= $2 and ts < $3 and (ts > $2 or id > $4) order by ts, id limit $5',
};

async function tickPage(
  store: Store,
  assetId: number,
  afterTs: number,
  afterId: number,
  to: number,
): Promise<TickPrice[]> {
  if (store.dialect === 'sqlite') {
    // The read-only connection: reading pages never waits behind the candle writes of this build.
    return store.readSqlite(
      (db) =>
        prepared(db, PAGE_SQL.sqlite).all(
          assetId,
          afterTs,
          to,
          afterTs,
          afterId,
          TICK_PAGE,
        ) as unknown as TickPrice[],
    );
  }
  const r = await (
    await store.pgPool()
  ).query({
    text: PAGE_SQL.postgresql,
    values: [assetId, afterTs, to, afterId, TICK_PAGE],
    rowMode: 'array',
  });
  return r.rows.map((a: unknown[]) => ({
    ts: Number(a[0]),
    id: Number(a[1]),
    price: a[2] as number,
    amount: a[3] as number,
  }));
}

/** Aggregates an asset's ticks into candles of `timeframe` and stores them. */
export async function buildCandlesFromTicks(
  store: Store,
  assetId: number,
  options: BuildFromTicksOptions,
): Promise<BuildFromTicksSummary> {
  const started = performance.now();
  const timeframe = timeframeSchema.parse(options.timeframe);
  const onConflict = options.onConflict ?? 'ignore';
  const from = options.from === undefined ? 0 : bucketStart(options.from, timeframe);
  const to =
    options.to === undefined || options.to >= MAX_TS
      ? MAX_TS
      : bucketStart(options.to, timeframe) === options.to
        ? options.to
        : nextBucketStart(options.to, timeframe);
  const summary: BuildFromTicksSummary = {
    timeframe,
    from,
    to,
    ticks: 0,
    candles: 0,
    inserted: 0,
    updated: 0,
    skipped: 0,
    first: null,
    last: null,
    seconds: 0,
  };
  const builder = new CandleBuilder(timeframe);
  let pending: CandleRow[] = [];
  const flush = async () => {
    if (pending.length === 0) return;
    const c = await writeCandleBatch(store, assetId, timeframe, pending, onConflict);
    summary.inserted += c.inserted;
    summary.updated += c.updated;
    summary.skipped += c.skipped;
    summary.candles += pending.length;
    summary.first ??= pending[0]!.ts;
    summary.last = pending[pending.length - 1]!.ts;
    pending = [];
    options.onProgress?.({ ticks: summary.ticks, candles: summary.candles });
  };
  let afterTs = from;
  let afterId = -1;
  while (true) {
    const page = await tickPage(store, assetId, afterTs, afterId, to);
    for (const t of page) {
      const done = builder.add(t.ts, t.price, t.price, t.price, t.price, t.amount);
      if (done !== null) pending.push(done);
    }
    summary.ticks += page.length;
    if (pending.length >= CANDLE_BATCH) await flush();
    if (page.length < TICK_PAGE) break;
    const last = page[page.length - 1]!;
    afterTs = last.ts;
    afterId = last.id;
  }
  const tail = builder.finish();
  if (tail !== null) pending.push(tail);
  await flush();
  summary.seconds = Number(((performance.now() - started) / 1000).toFixed(3));
  return summary;
}
