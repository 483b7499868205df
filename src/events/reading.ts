/**
 * The outbox's read side: ranges of seq (the primary key), filtered by topic and portfolio, and the
 * stream's bounds. On a SQLite file the reads go through the store's read-only connection (the last
 * committed snapshot, never waiting for a writer); elsewhere through a `reading` Tx.
 */
import { int, intOrNull, json, time } from '../db/column-values.ts';
import { prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import { reading, type Row } from '../db/transaction.ts';
import type { EventFilter, EventTopic, StoredEvent } from './topics.ts';

export type { EventFilter, EventTopic, StoredEvent } from './topics.ts';
export { eventMessage, eventTopics } from './topics.ts';

async function query(store: Store, sql: string, params: readonly unknown[]): Promise<Row[]> {
  if (store.target.dialect === 'sqlite' && !store.target.memory) {
    return store.readSqlite((db) => prepared(db, sql).all(...(params as never[])) as Row[]);
  }
  return reading(store, (tx) => tx.all(sql, params));
}

function fromRow(row: Row): StoredEvent {
  return {
    seq: int(row.seq),
    occurredAt: time(row.occurred_at),
    topic: row.topic as EventTopic,
    portfolioId: intOrNull(row.portfolio_id),
    payload: json<Record<string, unknown>>(row.payload) ?? {},
  };
}

const sqlCache = new Map<string, string>();

/** One SQL text per dialect and filter shape: lists travel as one array (pg) or JSON (SQLite) parameter. */
function rangeSql(store: Store, filter: EventFilter): string {
  const pg = store.dialect === 'postgresql';
  const key = `${store.dialect}:${filter.topics !== undefined}:${filter.portfolioIds !== undefined}`;
  let sql = sqlCache.get(key);
  if (sql === undefined) {
    const list = (cast: string) => (pg ? `= any(?::${cast}[])` : 'in (select value from json_each(?))');
    const where = ['seq > ?', 'seq <= ?'];
    if (filter.topics !== undefined) where.push(`topic ${list('text')}`);
    if (filter.portfolioIds !== undefined)
      where.push(`(portfolio_id is null or portfolio_id ${list('int')})`);
    sql = `select seq, occurred_at, topic, portfolio_id, payload from events where ${where.join(' and ')} order by seq limit ?`;
    sqlCache.set(key, sql);
  }
  return sql;
}

function listParam(store: Store, values: readonly unknown[]): unknown {
  return store.dialect === 'postgresql' ? [...values] : JSON.stringify(values);
}

/** The last seq handed out (0 before the first event): one primary-key read (the SQLite poll's). */
export async function latestSeq(store: Store): Promise<number> {
  const [row] = await query(store, 'select seq from event_counter where id = 1', []);
  return row === undefined ? 0 : int(row.seq);
}

/**
 * A batch after `after`, and how far it looked: `scannedTo` is the seq up to which every event was
 * considered (a filtered reader may move its cursor there, skipping what did not match). The
 * counter is read first: every event up to it had committed by then, so the range read after it
 * misses none of them.
 */
export async function readBatch(
  store: Store,
  query_: EventFilter & { after: number; limit: number },
): Promise<{ events: StoredEvent[]; scannedTo: number }> {
  const high = await latestSeq(store);
  if (high <= query_.after) return { events: [], scannedTo: query_.after };
  const params: unknown[] = [query_.after, high];
  if (query_.topics !== undefined) params.push(listParam(store, query_.topics));
  if (query_.portfolioIds !== undefined) params.push(listParam(store, query_.portfolioIds));
  params.push(query_.limit);
  const events = (await query(store, rangeSql(store, query_), params)).map(fromRow);
  const full = events.length === query_.limit;
  return { events, scannedTo: full ? events[events.length - 1]!.seq : high };
}

/** The rows of one unfiltered range read, and the counter it read first. */
interface RangeRows {
  rows: Row[];
  high: number;
}

const inFlight = new WeakMap<Store, Map<string, Promise<RangeRows>>>();

/**
 * `readBatch` for subscribers woken together (one commit wakes every stream of a process, and
 * those that were caught up all ask for the range after the same seq): the first starts one
 * unfiltered read of the rows, the others that ask for the same range while it runs share it,
 * and each keeps only what its filter matches (the SQL filter's rule, `matches`) and parses only
 * that. 10 streams then cost one read per wake-up instead of 10.
 *
 * `generation` is the waker's count of wake-ups when the caller asks: a read is shared only
 * among callers of one generation. A read started before the latest wake-up may have taken its
 * counter before that wake-up's commit; a subscriber woken by that commit and joining it would
 * miss the commit's events until some later wake-up. A read of the current generation started
 * after every wake-up so far, so after every commit they announced.
 */
export async function readBatchShared(
  store: Store,
  q: EventFilter & { after: number; limit: number; generation: number },
): Promise<{ events: StoredEvent[]; scannedTo: number }> {
  let reads = inFlight.get(store);
  if (reads === undefined) inFlight.set(store, (reads = new Map()));
  const key = `${q.generation}:${q.after}:${q.limit}`;
  let read = reads.get(key);
  if (read === undefined) {
    const started = readRange(store, q.after, q.limit);
    read = started;
    reads.set(key, started);
    const forget = () => void (reads.get(key) === started && reads.delete(key));
    started.then(forget, forget);
  }
  const { rows, high } = await read;
  if (rows.length === 0) return { events: [], scannedTo: Math.max(q.after, high) };
  const events = rows.filter((row) => matches(q, row)).map(fromRow);
  const full = rows.length === q.limit;
  return { events, scannedTo: full ? int(rows[rows.length - 1]!.seq) : high };
}

async function readRange(store: Store, after: number, limit: number): Promise<RangeRows> {
  const high = await latestSeq(store);
  if (high <= after) return { rows: [], high };
  return { rows: await query(store, rangeSql(store, {}), [after, high, limit]), high };
}

/** The range read's WHERE for topics and portfolios, on a row: events of no portfolio always pass. */
function matches(filter: EventFilter, row: Row): boolean {
  if (filter.topics !== undefined && !filter.topics.includes(row.topic as EventTopic)) return false;
  if (filter.portfolioIds === undefined || row.portfolio_id === null || row.portfolio_id === undefined)
    return true;
  return filter.portfolioIds.includes(int(row.portfolio_id));
}

/** Up to `limit` events with seq > `after` matching the filter, oldest first. */
export async function readEvents(
  store: Store,
  q: EventFilter & { after: number; limit: number },
): Promise<StoredEvent[]> {
  return (await readBatch(store, q)).events;
}

/** The oldest seq still stored (null when none is) and the last one handed out (0 when none was). */
export async function eventBounds(store: Store): Promise<{ oldestSeq: number | null; latestSeq: number }> {
  const latest = await latestSeq(store);
  const [row] = await query(store, 'select min(seq) as oldest from events', []);
  return { oldestSeq: intOrNull(row?.oldest ?? null), latestSeq: latest };
}
