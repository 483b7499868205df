/**
 * The outbox's write side. A service calls `recordEvent(tx, …)` next to its change; the events are
 * buffered on the transaction and written by one before-commit hook, so they commit or roll back
 * with the change, and the seq counter's row is locked only for the flush and the COMMIT.
 *
 * seq comes from the one-row `event_counter` (an upsert: no seed row needed), not a sequence: a
 * PostgreSQL sequence hands out numbers that a rollback loses (gaps) and that commit out of order,
 * while the counter row's lock makes the next writer wait for this COMMIT before it takes its seq,
 * so a smaller seq is always visible no later than a larger one. PostgreSQL does all of it in ONE
 * statement sent with the COMMIT (counter, insert of every buffered event, and `pg_notify` with
 * the newest seq, which PostgreSQL delivers at COMMIT). SQLite serialises writers anyway: the
 * counter upsert and one cached multi-row insert.
 */
import { sqlLiteral } from '../db/held-back.ts';
import type { Tx } from '../db/transaction.ts';
import type { Store } from '../db/store.ts';
import { isoTime, wireJson, wireJsonAfter } from '../db/wire.ts';
import { kickRedisPublisher } from './redis-publisher.ts';
import { wakeSubscribers } from './subscribe.ts';
import { type EventTopic, NOTIFY_CHANNEL } from './topics.ts';

export interface NewEvent {
  topic: EventTopic;
  portfolioId: number | null;
  /** A view or plain object; stored in the wire form (snake_case, decimals as strings). */
  payload: Record<string, unknown>;
}

export interface PendingEvent {
  occurredAt: Date;
  topic: EventTopic;
  portfolioId: number | null;
  payload: string;
}

const pending = new WeakMap<Tx, PendingEvent[]>();

/** After a commit that wrote events: this process's subscribers read at once, Redis is published to. */
function committed(store: Store, newestSeq: number, count: number): void {
  wakeSubscribers(store);
  if (store.redisUrl !== null) kickRedisPublisher(store, newestSeq - count);
}

const withoutOutbox = new WeakSet<Store>();

/**
 * Benchmarks only (bench/outbox.ts measures what the outbox costs the trading chain, against the
 * same chain without it, in one run): `store` records no events. Not in the package's API.
 */
export function disableOutboxForBenchmark(store: Store): void {
  withoutOutbox.add(store);
}

/** Buffers `event` on `tx`; it is written in the same transaction, right before COMMIT. */
export function recordEvent(tx: Tx, event: NewEvent): void {
  // Converted now: the view objects are the caller's and may change after this call.
  buffer(tx, event.topic, event.portfolioId, wireJson(event.payload));
}

function buffer(tx: Tx, topic: EventTopic, portfolioId: number | null, payload: string): void {
  if (withoutOutbox.has(tx.store)) return;
  let list = pending.get(tx);
  if (list === undefined) {
    const events: PendingEvent[] = [];
    list = events;
    pending.set(tx, events);
    // A savepoint rolled back (a refused record of an import) takes its events back too.
    tx.keepsBuffer({ size: () => events.length, truncate: (n) => void events.splice(n) });
    let newest = 0;
    if (tx.dialect === 'postgresql')
      tx.withCommit(
        () => (events.length > 0 ? pgFlush(events) : null),
        (rows) => void (newest = Number(rows[0]!.seq)),
      );
    else
      tx.beforeCommit(async (t) => {
        if (events.length > 0) newest = await sqliteFlush(t, events);
      });
    tx.afterCommit(() => {
      if (events.length > 0) committed(tx.store, newest, events.length);
    });
  }
  list.push({ occurredAt: new Date(), topic, portfolioId, payload });
}

/**
 * The PostgreSQL flush, sent with the COMMIT in one round trip (`Tx.withCommit`), so the counter
 * row's lock is held from this statement to the end of the COMMIT on the server, never across a
 * round trip to this process (with 8 bots on one database, that wait was the outbox's cost).
 * A simple-protocol query has no parameters: the values are literals, the payloads through
 * `sqlLiteral`, everything else ours (topics from one list, integers, ISO times). Exported for
 * bench/trading.ts's bare chain, which sends the same statement the same way.
 */
export function pgFlush(events: readonly PendingEvent[]): string {
  const n = events.length;
  const rows = events.map(
    (e, i) =>
      `(${i + 1}, '${isoTime(e.occurredAt)}', '${e.topic}', ${e.portfolioId ?? 'null'}, ${sqlLiteral(e.payload)})`,
  );
  return `with counter as (
  insert into event_counter (id, seq) values (1, ${n})
  on conflict (id) do update set seq = event_counter.seq + excluded.seq
  returning seq
), added as (
  insert into events (seq, occurred_at, topic, portfolio_id, payload)
  select counter.seq - ${n} + e.n, e.occurred_at::timestamptz, e.topic, e.portfolio_id::int, e.payload::jsonb
    from counter, (values ${rows.join(', ')}) as e(n, occurred_at, topic, portfolio_id, payload)
)
select counter.seq, pg_notify('${NOTIFY_CHANNEL}', counter.seq::text) from counter`;
}

const SQLITE_COUNTER = `insert into event_counter (id, seq) values (1, ?)
  on conflict (id) do update set seq = event_counter.seq + excluded.seq
  returning seq`;
/** Rows per SQLite insert: a chain's 8 events are one statement; larger flushes are chunked. */
const SQLITE_ROWS = 16;
const sqliteInserts: string[] = [];
function sqliteInsert(rows: number): string {
  return (sqliteInserts[rows] ??=
    `insert into events (seq, occurred_at, topic, portfolio_id, payload) values ${Array.from(
      { length: rows },
      () => '(?, ?, ?, ?, ?)',
    ).join(', ')}`);
}

/** Writes the buffered events on SQLite (in process: no round trip to save); returns the newest seq. */
async function sqliteFlush(tx: Tx, events: readonly PendingEvent[]): Promise<number> {
  const n = events.length;
  const row = await tx.get<{ seq: unknown }>(SQLITE_COUNTER, [n]);
  const newest = Number(row!.seq);
  const first = newest - n + 1;
  for (let from = 0; from < n; from += SQLITE_ROWS) {
    const chunk = events.slice(from, from + SQLITE_ROWS);
    const params: unknown[] = [];
    chunk.forEach((e, i) =>
      params.push(first + from + i, tx.time(e.occurredAt), e.topic, e.portfolioId, e.payload),
    );
    await tx.run(sqliteInsert(chunk.length), params);
  }
  return newest;
}

/**
 * `recordEvent` for a service's view: the payload is `{ change, ...view }` and the event's
 * portfolio is the view's (none when the view has no portfolio).
 */
export function recordChange<V extends object & { portfolioId?: number | null }>(
  tx: Tx,
  topic: EventTopic,
  change: string,
  view: V,
): void {
  if (withoutOutbox.has(tx.store)) return;
  // `change` goes first without copying the view into a new object (the trading chain writes 8
  // events per transaction: bench/outbox.ts); `change` is one of our own names, JSON-safe as is.
  buffer(tx, topic, view.portfolioId ?? null, wireJsonAfter(`{"change":"${change}"`, view));
}
