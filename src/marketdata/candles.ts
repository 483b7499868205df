/**
 * The candle library API: insert from arrays, iterables or async iterables (streamed in batches,
 * one transaction each), range reads, the latest candle. Reads go straight to prepared statements
 * (SQLite) or the pg pool, returning plain rows.
 */
import { z } from 'zod';
import { pgStatement, prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import { TIMEFRAMES, type Timeframe } from '../entities/value-lists.ts';
import { assertCandle, type OnConflict, type WriteCounts, writeCandleBatch } from './candle-writes.ts';
import type { CandleRow } from './formats/types.ts';

export type { OnConflict, WriteCounts } from './candle-writes.ts';
export type { CandleRow } from './formats/types.ts';

export const timeframeSchema = z.enum(TIMEFRAMES, {
  message: `accepted timeframes: ${TIMEFRAMES.join(', ')}`,
});

const insertOptions = z.object({
  onConflict: z.enum(['ignore', 'update']).default('ignore'),
  batchSize: z.number().int().min(1).max(1_000_000).optional(),
});

/**
 * Rows per transaction. PostgreSQL flushes its WAL at every commit, so it gets larger batches;
 * on SQLite (WAL, synchronous=NORMAL) a commit is cheap and smaller batches keep memory low.
 */
export const DEFAULT_BATCH = { sqlite: 50_000, postgresql: 200_000 } as const;

export type InsertCandlesOptions = z.input<typeof insertOptions> & {
  /** Called after each committed batch with the running totals. */
  onBatch?: (totals: WriteCounts & { rows: number }) => void;
};

/** Inserts candles for one asset and timeframe; memory stays at one batch whatever the input size. */
export async function insertCandles(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
  candles: Iterable<CandleRow> | AsyncIterable<CandleRow>,
  options: InsertCandlesOptions = {},
): Promise<WriteCounts> {
  timeframeSchema.parse(timeframe);
  const parsed = insertOptions.parse({
    onConflict: options.onConflict,
    batchSize: options.batchSize,
  });
  const { onConflict } = parsed;
  const batchSize = parsed.batchSize ?? DEFAULT_BATCH[store.dialect];
  const totals = { inserted: 0, updated: 0, skipped: 0, rows: 0 };
  let batch: CandleRow[] = [];
  const flush = async () => {
    const c = await writeCandleBatch(store, assetId, timeframe, batch, onConflict as OnConflict);
    totals.inserted += c.inserted;
    totals.updated += c.updated;
    totals.skipped += c.skipped;
    totals.rows += batch.length;
    batch = [];
    options.onBatch?.({ ...totals });
  };
  let index = 0;
  for await (const row of candles) {
    assertCandle(row, index++);
    batch.push(row);
    if (batch.length >= batchSize) await flush();
  }
  if (batch.length > 0) await flush();
  return { inserted: totals.inserted, updated: totals.updated, skipped: totals.skipped };
}

export interface RangeOptions {
  /** Inclusive lower bound, epoch ms. */
  from?: number;
  /** Exclusive upper bound, epoch ms. */
  to?: number;
  limit?: number;
  newestFirst?: boolean;
}

const MAX_TS = Number.MAX_SAFE_INTEGER;

export function rangeSql(dialect: Store['dialect'], options: RangeOptions): string {
  const p = dialect === 'sqlite' ? ['?', '?', '?', '?', '?'] : ['$1', '$2', '$3', '$4', '$5'];
  return `select ts, open, high, low, close, volume from candles where asset_id = ${p[0]} and timeframe = ${p[1]} and ts >= ${p[2]} and ts < ${p[3]} order by ts ${options.newestFirst ? 'desc' : 'asc'} limit ${p[4]}`;
}

/** Candles of one asset and timeframe in [from, to), oldest first unless `newestFirst`. */
export async function readCandles(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
  options: RangeOptions = {},
): Promise<CandleRow[]> {
  const params = [assetId, timeframe, options.from ?? 0, options.to ?? MAX_TS, options.limit ?? -1];
  const sql = rangeSql(store.dialect, options);
  if (store.dialect === 'sqlite') {
    return store.readSqlite((db) =>
      (prepared(db, sql, true).all(...params) as unknown as unknown[][]).map(toCandle),
    );
  }
  if (params[4] === -1) params[4] = MAX_TS;
  const r = await (await store.pgPool()).query({ ...pgStatement(sql), values: params, rowMode: 'array' });
  return r.rows.map(toCandle);
}

/** A `ts, open, high, low, close, volume` row as a candle (PostgreSQL sends bigint as text). */
export function toCandle(a: unknown[]): CandleRow {
  return {
    ts: Number(a[0]),
    open: a[1] as number,
    high: a[2] as number,
    low: a[3] as number,
    close: a[4] as number,
    volume: a[5] as number,
  };
}

const POINT_SQL = {
  sqlite:
    'select ts, open, high, low, close, volume from candles where asset_id = ? and timeframe = ? and ts = ?',
  postgresql:
    'select ts, open, high, low, close, volume from candles where asset_id = $1 and timeframe = $2 and ts = $3',
};

/** The candle at exactly `ts` (a point lookup on the primary key), or null. */
export async function candleAt(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
  ts: number,
): Promise<CandleRow | null> {
  if (store.dialect === 'sqlite') {
    const row = store.readSqlite((db) =>
      prepared(db, POINT_SQL.sqlite, true).get(assetId, timeframe, ts),
    ) as unknown;
    return row ? toCandle(row as unknown[]) : null;
  }
  const r = await (
    await store.pgPool()
  ).query({
    ...pgStatement(POINT_SQL.postgresql),
    values: [assetId, timeframe, ts],
    rowMode: 'array',
  });
  return r.rows[0] ? toCandle(r.rows[0]) : null;
}

export async function latestCandle(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
): Promise<CandleRow | null> {
  const [row] = await readCandles(store, assetId, timeframe, { newestFirst: true, limit: 1 });
  return row ?? null;
}

/**
 * The timeframes stored for an asset with their first and last candle time: two primary-key
 * probes per timeframe, so its cost does not grow with the number of candles.
 */
export async function candleCoverage(
  store: Store,
  assetId: number,
): Promise<Array<{ timeframe: Timeframe; firstTs: number; lastTs: number }>> {
  const found = [];
  for (const timeframe of TIMEFRAMES) {
    const [last] = await readCandles(store, assetId, timeframe, { newestFirst: true, limit: 1 });
    if (!last) continue;
    const [first] = await readCandles(store, assetId, timeframe, { limit: 1 });
    found.push({ timeframe, firstTs: first!.ts, lastTs: last.ts });
  }
  return found;
}
