/**
 * The candle write path, the hottest in tradestore. SQLite: multi-row prepared inserts on the raw
 * `node:sqlite` handle inside one `BEGIN IMMEDIATE` per batch. PostgreSQL: COPY into a temporary
 * staging table, then one `INSERT … SELECT … ON CONFLICT` per batch. Never the unit of work.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { pgStatement, prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import type { Timeframe } from '../entities/common.ts';
import { MalformedInputError } from '../input/errors.ts';
import { binaryCandles } from './copy-binary.ts';
import type { CandleRow } from './formats/types.ts';
import { inWriteSession, type WriteSession } from './write-session.ts';
import { recordEvent } from '../events/outbox.ts';

export type OnConflict = 'ignore' | 'update';

export interface WriteCounts {
  inserted: number;
  updated: number;
  skipped: number;
}

/** A candle handed to the library that no table row could hold (a caller's value, refused). */
export class CandleValueError extends MalformedInputError {
  override name = 'CandleValueError';
}

/** Rows per multi-row statement: 8 parameters each, well under SQLite's 32,766-parameter limit. */
const ROWS_PER_STATEMENT = 200;
const COLUMNS = '(asset_id, timeframe, ts, open, high, low, close, volume)';
const CHANGED =
  'candles.open is not excluded.open or candles.high is not excluded.high or candles.low is not excluded.low or candles.close is not excluded.close or candles.volume is not excluded.volume';
const SET =
  'open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume';

/** Cheap structural checks on library input; file importers reject bad rows before this. */
export function assertCandle(row: CandleRow, index: number): void {
  if (!Number.isSafeInteger(row.ts))
    throw new CandleValueError(`candle ${index}: ts ${row.ts} is not an integer epoch ms`);
  for (const k of ['open', 'high', 'low', 'close', 'volume'] as const) {
    if (typeof row[k] !== 'number' || !Number.isFinite(row[k])) {
      throw new CandleValueError(`candle ${index} (ts ${row.ts}): ${k} ${row[k]} is not a finite number`);
    }
  }
}

const values = (n: number) => Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
const ignoreSql = (n: number) => `insert into candles ${COLUMNS} values ${values(n)} on conflict do nothing`;
const upsertSql = (n: number) =>
  `insert into candles ${COLUMNS} values ${values(n)} on conflict (asset_id, timeframe, ts) do update set ${SET} where ${CHANGED}`;
const SQL = {
  ignore: ignoreSql(ROWS_PER_STATEMENT),
  ignoreOne: ignoreSql(1),
  upsert: upsertSql(ROWS_PER_STATEMENT),
  upsertOne: upsertSql(1),
};

/** Runs `full` over chunks of ROWS_PER_STATEMENT rows and `one` over the rest; returns rows changed. */
function runChunks(
  full: StatementSync,
  one: StatementSync,
  assetId: number,
  timeframe: string,
  rows: readonly CandleRow[],
): number {
  let changes = 0;
  const params: Array<number | string> = new Array(ROWS_PER_STATEMENT * 8);
  let i = 0;
  for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
    for (let j = 0; j < ROWS_PER_STATEMENT; j++) {
      const r = rows[i + j]!;
      const o = j * 8;
      params[o] = assetId;
      params[o + 1] = timeframe;
      params[o + 2] = r.ts;
      params[o + 3] = r.open;
      params[o + 4] = r.high;
      params[o + 5] = r.low;
      params[o + 6] = r.close;
      params[o + 7] = r.volume;
    }
    changes += Number(full.run(...params).changes);
  }
  for (; i < rows.length; i++) {
    const r = rows[i]!;
    changes += Number(one.run(assetId, timeframe, r.ts, r.open, r.high, r.low, r.close, r.volume).changes);
  }
  return changes;
}

const COUNT_SQL =
  'select count(*) as n from candles where asset_id = ? and timeframe = ? and ts between ? and ?';

/** Writes on SQLite inside the caller's transaction. */
function writeSqlite(
  db: DatabaseSync,
  assetId: number,
  timeframe: string,
  rows: readonly CandleRow[],
  onConflict: OnConflict,
): WriteCounts {
  if (onConflict === 'ignore') {
    const inserted = runChunks(
      prepared(db, SQL.ignore),
      prepared(db, SQL.ignoreOne),
      assetId,
      timeframe,
      rows,
    );
    return { inserted, updated: 0, skipped: rows.length - inserted };
  }
  // One pass: `changes` counts inserts plus real updates (unchanged rows are filtered by the
  // upsert's WHERE), and the key-range count before and after tells the inserts apart.
  let lo = rows[0]!.ts;
  let hi = lo;
  for (const r of rows) {
    if (r.ts < lo) lo = r.ts;
    if (r.ts > hi) hi = r.ts;
  }
  const count = prepared(db, COUNT_SQL);
  const before = Number(count.get(assetId, timeframe, lo, hi)?.n);
  const changes = runChunks(prepared(db, SQL.upsert), prepared(db, SQL.upsertOne), assetId, timeframe, rows);
  const inserted = Number(count.get(assetId, timeframe, lo, hi)?.n) - before;
  const updated = changes - inserted;
  return { inserted, updated, skipped: rows.length - inserted - updated };
}

function strictlyAscending(rows: readonly CandleRow[]): boolean {
  for (let i = 1; i < rows.length; i++) if (rows[i]!.ts <= rows[i - 1]!.ts) return false;
  return true;
}

async function copyInto(client: PoolClient, sql: string, chunks: Iterable<Buffer>): Promise<void> {
  await pipeline(Readable.from(chunks), client.query(copyFrom(`${sql} with (format binary)`)));
}

/**
 * Backfills mostly land where nothing is stored yet: then the batch is copied straight into
 * `candles` (one write instead of staging + insert, which is what keeps pace with `psql \copy`).
 * A row that appeared meanwhile makes COPY fail on the key; the savepoint takes it back and the
 * batch goes the staging way.
 */
async function copyDirect(
  client: PoolClient,
  assetId: number,
  timeframe: string,
  rows: readonly CandleRow[],
): Promise<boolean> {
  if (!strictlyAscending(rows)) return false;
  const stored = await client.query({
    ...pgStatement(
      'select exists(select 1 from candles where asset_id = $1 and timeframe = $2 and ts between $3 and $4) as stored',
    ),
    values: [assetId, timeframe, rows[0]!.ts, rows.at(-1)!.ts],
  });
  if (stored.rows[0]?.stored) return false;
  await client.query('savepoint candles_direct');
  try {
    await copyInto(client, `copy candles ${COLUMNS} from stdin`, binaryCandles(rows, { assetId, timeframe }));
    await client.query('release savepoint candles_direct');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await client.query('rollback to savepoint candles_direct');
    return false;
  }
}

/** Writes on PostgreSQL inside the caller's transaction. */
async function writePg(
  client: PoolClient,
  assetId: number,
  timeframe: string,
  rows: readonly CandleRow[],
  onConflict: OnConflict,
): Promise<WriteCounts> {
  await ensurePartitions(client, rows);
  if (await copyDirect(client, assetId, timeframe, rows))
    return { inserted: rows.length, updated: 0, skipped: 0 };
  await client.query(
    'create temp table if not exists candles_staging (ts bigint, open float8, high float8, low float8, close float8, volume float8) on commit delete rows',
  );
  await copyInto(
    client,
    'copy candles_staging (ts, open, high, low, close, volume) from stdin',
    binaryCandles(rows),
  );
  // distinct on (ts): a batch that repeats a ts must not hit "ON CONFLICT cannot affect a row twice".
  const source = strictlyAscending(rows)
    ? 'select $1::int, $2::varchar, ts, open, high, low, close, volume from candles_staging'
    : 'select distinct on (ts) $1::int, $2::varchar, ts, open, high, low, close, volume from candles_staging order by ts';
  let counts: WriteCounts;
  if (onConflict === 'ignore') {
    const r = await client.query(`insert into candles ${COLUMNS} ${source} on conflict do nothing`, [
      assetId,
      timeframe,
    ]);
    counts = { inserted: r.rowCount ?? 0, updated: 0, skipped: rows.length - (r.rowCount ?? 0) };
  } else {
    const r = await client.query(
      `with w as (insert into candles ${COLUMNS} ${source}
         on conflict (asset_id, timeframe, ts) do update set ${SET}
         where (candles.open, candles.high, candles.low, candles.close, candles.volume)
               is distinct from (excluded.open, excluded.high, excluded.low, excluded.close, excluded.volume)
         returning (xmax = 0) as inserted)
       select count(*) filter (where inserted)::int as i, count(*) filter (where not inserted)::int as u from w`,
      [assetId, timeframe],
    );
    const i = Number(r.rows[0]?.i ?? 0);
    const u = Number(r.rows[0]?.u ?? 0);
    counts = { inserted: i, updated: u, skipped: rows.length - i - u };
  }
  // Several batches may share one transaction (a strict import): empty the staging table now.
  await client.query('truncate candles_staging');
  return counts;
}

/**
 * Creates the monthly partitions a batch needs when `candles` is partitioned (PostgreSQL), inside
 * the batch's transaction: DDL is transactional there, so a rolled-back batch takes its new
 * partitions with it. A plain table is left alone, so the same code serves both layouts.
 */
async function ensurePartitions(client: PoolClient, rows: readonly CandleRow[]): Promise<void> {
  const partitioned = await client.query(
    `select 1 from pg_partitioned_table pt join pg_class c on c.oid = pt.partrelid
      where c.relname = 'candles' and c.relnamespace = current_schema()::regnamespace`,
  );
  if (partitioned.rowCount === 0) return;
  const months = new Set<number>();
  for (const r of rows) {
    const d = new Date(r.ts);
    months.add(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  }
  for (const from of months) {
    const d = new Date(from);
    const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
    const name = `candles_y${d.getUTCFullYear()}m${String(d.getUTCMonth() + 1).padStart(2, '0')}`;
    await client.query(
      `create table if not exists ${name} partition of candles for values from (${from}) to (${to})`,
    );
  }
}

/** Writes one batch inside a session's open transaction (no commit): many batches may share it. */
export async function writeCandlesInSession(
  session: WriteSession,
  assetId: number,
  timeframe: Timeframe,
  rows: readonly CandleRow[],
  onConflict: OnConflict = 'ignore',
): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, skipped: 0 };
  const counts =
    session.dialect === 'sqlite'
      ? writeSqlite(session.db, assetId, timeframe, rows, onConflict)
      : await writePg(session.client, assetId, timeframe, rows, onConflict);
  await recordIngested(session, assetId, timeframe, rows, counts);
  return counts;
}

/** The batch's `candles` event (none when it changed nothing), in the batch's transaction. */
async function recordIngested(
  session: WriteSession,
  assetId: number,
  timeframe: Timeframe,
  rows: readonly CandleRow[],
  counts: WriteCounts,
): Promise<void> {
  const count = counts.inserted + counts.updated;
  if (count === 0) return;
  let first = rows[0]!.ts;
  let last = first;
  for (const r of rows) {
    if (r.ts < first) first = r.ts;
    if (r.ts > last) last = r.ts;
  }
  const asset = await session.tx.get<{ symbol: unknown; venue: unknown }>(
    'select symbol, venue from assets where id = ?',
    [assetId],
  );
  recordEvent(session.tx, {
    topic: 'candles',
    portfolioId: null,
    payload: {
      change: 'ingested',
      asset_id: assetId,
      symbol: asset?.symbol ?? null,
      venue: asset?.venue ?? null,
      timeframe,
      count,
      first_ts: first,
      last_ts: last,
    },
  });
}

/** Writes one batch as one transaction and returns what happened to its rows. */
export async function writeCandleBatch(
  store: Store,
  assetId: number,
  timeframe: Timeframe,
  rows: readonly CandleRow[],
  onConflict: OnConflict = 'ignore',
): Promise<WriteCounts> {
  if (rows.length === 0) return { inserted: 0, updated: 0, skipped: 0 };
  return inWriteSession(store, (session) =>
    writeCandlesInSession(session, assetId, timeframe, rows, onConflict),
  );
}
