/**
 * The tick (public trade) write path. Trades are immutable facts identified by (asset, trade id), so
 * every write is `on conflict do nothing`: re-importing a window inserts only what is new.
 * SQLite: multi-row prepared inserts on the raw handle. PostgreSQL: COPY into a temporary staging
 * table, then one `INSERT … SELECT … ON CONFLICT DO NOTHING`.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import { copyTextValue, inWriteSession, type WriteSession } from './write-session.ts';

/** A trade ready to store: unlike the reader's TickRow, the trade id is always present. */
export interface TickInsert {
  ts: number;
  tradeId: string;
  side: 'buy' | 'sell' | null;
  price: number;
  amount: number;
}

export interface TickWriteCounts {
  inserted: number;
  /** Trades already stored under the same trade id (or repeated within the batch). */
  skipped: number;
}

/** The column is varchar(128) on PostgreSQL; SQLite would take more, but both must hold the same data. */
export const MAX_TRADE_ID_LENGTH = 128;

/** 6 parameters a row: 1,200 per statement, far under SQLite's limit, big enough to amortise the call. */
const ROWS_PER_STATEMENT = 200;
const COLUMNS = '(asset_id, ts, trade_id, side, price, amount)';
const insertSql = (n: number) =>
  `insert into ticks ${COLUMNS} values ${Array.from({ length: n }, () => '(?, ?, ?, ?, ?, ?)').join(', ')} on conflict do nothing`;
const SQL = { many: insertSql(ROWS_PER_STATEMENT), one: insertSql(1) };

function writeSqlite(db: DatabaseSync, assetId: number, rows: readonly TickInsert[]): TickWriteCounts {
  const many: StatementSync = prepared(db, SQL.many);
  const one: StatementSync = prepared(db, SQL.one);
  const params: Array<number | string | null> = new Array(ROWS_PER_STATEMENT * 6);
  let inserted = 0;
  let i = 0;
  for (; i + ROWS_PER_STATEMENT <= rows.length; i += ROWS_PER_STATEMENT) {
    for (let j = 0; j < ROWS_PER_STATEMENT; j++) {
      const r = rows[i + j]!;
      const o = j * 6;
      params[o] = assetId;
      params[o + 1] = r.ts;
      params[o + 2] = r.tradeId;
      params[o + 3] = r.side;
      params[o + 4] = r.price;
      params[o + 5] = r.amount;
    }
    inserted += Number(many.run(...params).changes);
  }
  for (; i < rows.length; i++) {
    const r = rows[i]!;
    inserted += Number(one.run(assetId, r.ts, r.tradeId, r.side, r.price, r.amount).changes);
  }
  return { inserted, skipped: rows.length - inserted };
}

function copyText(rows: readonly TickInsert[], prefix = ''): string {
  let out = '';
  for (const r of rows) {
    out += `${prefix}${r.ts}\t${copyTextValue(r.tradeId)}\t${r.side ?? '\\N'}\t${r.price}\t${r.amount}\n`;
  }
  return out;
}

async function copyInto(client: PoolClient, sql: string, text: string): Promise<void> {
  await pipeline(Readable.from([text]), client.query(copyFrom(sql)));
}

/**
 * A first import lands where no trade is stored yet: then COPY straight into `ticks` (one write
 * instead of staging + insert). Only when the batch has no repeated trade id and
 * nothing is stored in its time range; a stored trade with the same id elsewhere makes COPY fail on
 * the unique key, the savepoint takes it back and the batch goes the staging way.
 */
async function copyDirect(
  client: PoolClient,
  assetId: number,
  rows: readonly TickInsert[],
): Promise<boolean> {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  const ids = new Set<string>();
  for (const r of rows) {
    if (r.ts < min) min = r.ts;
    if (r.ts > max) max = r.ts;
    ids.add(r.tradeId);
  }
  if (ids.size !== rows.length) return false;
  // (min, max]: trades sharing a millisecond are often split across two batches, so the previous
  // batch's last millisecond must not send this one the slow way; a real conflict there still fails COPY.
  const stored = await client.query(
    min < max
      ? 'select exists(select 1 from ticks where asset_id = $1 and ts > $2 and ts <= $3) as stored'
      : 'select exists(select 1 from ticks where asset_id = $1 and ts >= $2 and ts <= $3) as stored',
    [assetId, min, max],
  );
  if (stored.rows[0]?.stored) return false;
  await client.query('savepoint ticks_direct');
  try {
    await copyInto(client, `copy ticks ${COLUMNS} from stdin`, copyText(rows, `${assetId}\t`));
    await client.query('release savepoint ticks_direct');
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== '23505') throw error;
    await client.query('rollback to savepoint ticks_direct');
    return false;
  }
}

async function writePg(
  client: PoolClient,
  assetId: number,
  rows: readonly TickInsert[],
): Promise<TickWriteCounts> {
  if (await copyDirect(client, assetId, rows)) return { inserted: rows.length, skipped: 0 };
  await client.query(
    'create temp table if not exists ticks_staging (ts bigint, trade_id text, side text, price float8, amount float8) on commit delete rows',
  );
  await copyInto(client, 'copy ticks_staging (ts, trade_id, side, price, amount) from stdin', copyText(rows));
  // DO NOTHING (unlike DO UPDATE) accepts a trade id repeated within the same statement: the later copy is skipped.
  const r = await client.query(
    `insert into ticks ${COLUMNS} select $1::int, ts, trade_id, side, price, amount from ticks_staging on conflict do nothing`,
    [assetId],
  );
  // Emptied here, not only at commit: a strict import runs many batches in one transaction.
  await client.query('truncate ticks_staging');
  const inserted = r.rowCount ?? 0;
  return { inserted, skipped: rows.length - inserted };
}

/** Writes one batch of trades inside the session's open transaction (no commit). */
export async function writeTicksInSession(
  session: WriteSession,
  assetId: number,
  rows: readonly TickInsert[],
): Promise<TickWriteCounts> {
  if (rows.length === 0) return { inserted: 0, skipped: 0 };
  if (session.dialect === 'sqlite') return writeSqlite(session.db, assetId, rows);
  return writePg(session.client, assetId, rows);
}

/** Writes one batch of trades as one transaction. */
export async function writeTickBatch(
  store: Store,
  assetId: number,
  rows: readonly TickInsert[],
): Promise<TickWriteCounts> {
  if (rows.length === 0) return { inserted: 0, skipped: 0 };
  return inWriteSession(store, (session) => writeTicksInSession(session, assetId, rows));
}
