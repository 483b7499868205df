/**
 * `subscribe(store, …)`: the outbox as an async iterator, resumable by seq, woken by writes from
 * any process.
 *
 * One waker per store, running only while someone is subscribed. PostgreSQL: one pooled
 * connection LISTENs on `tradestore_events` (the NOTIFY the outbox's flush sends, delivered at
 * COMMIT, payload = the newest seq). SQLite has no notification: the waker polls the counter row
 * every 150 ms (one primary-key read). Commits in this process wake subscribers at once either way.
 * The rows themselves are always read from the outbox, so a missed or coalesced wake-up (a
 * reconnect, two commits between polls) loses nothing: a woken subscriber reads everything after
 * its cursor.
 */
import type { PoolClient } from 'pg';
import type { Store } from '../db/store.ts';
import { eventBounds, latestSeq, readBatchShared } from './reading.ts';
import { type EventFilter, NOTIFY_CHANNEL, type StoredEvent } from './topics.ts';

export interface EventReset {
  reset: true;
  requestedAfter: number;
  oldestSeq: number;
}

export const SQLITE_POLL_MS = 150;
const BATCH = 500;
const RECONNECT_MS = 500;

/** Called on every wake-up; `closing` when the store closes (the subscription ends). */
type WakeListener = (closing: boolean) => void;

interface Waker {
  listeners: Set<WakeListener>;
  stop: (() => Promise<void>) | null;
  /** Wake-ups so far: subscribers share a read only within one (see `readBatchShared`). */
  generation: number;
}

const wakers = new WeakMap<Store, Waker>();

function wakeAll(waker: Waker, closing = false): void {
  waker.generation += 1;
  for (const listener of waker.listeners) listener(closing);
}

/** A commit in this process wrote events: its subscribers need not wait for the poll or NOTIFY. */
export function wakeSubscribers(store: Store): void {
  const waker = wakers.get(store);
  if (waker) wakeAll(waker);
}

function pollSqlite(store: Store, waker: Waker): () => Promise<void> {
  let last = -1;
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    latestSeq(store)
      .then((seq) => {
        if (seq !== last) {
          last = seq;
          wakeAll(waker);
        }
      })
      .catch(() => {})
      .finally(() => {
        busy = false;
      });
  }, SQLITE_POLL_MS);
  return async () => clearInterval(timer);
}

function listenPg(store: Store, waker: Waker): () => Promise<void> {
  let client: PoolClient | null = null;
  let stopped = false;
  let retry: NodeJS.Timeout | undefined;
  const onNotification = () => wakeAll(waker);
  // Back to the pool without our LISTEN and handlers; a broken connection is discarded instead.
  const giveBack = async (c: PoolClient, broken: boolean) => {
    c.off('notification', onNotification);
    c.off('error', onError);
    if (!broken) await c.query(`unlisten ${NOTIFY_CHANNEL}`).catch(() => (broken = true));
    c.release(broken || undefined);
  };
  const retryLater = () => {
    if (!stopped) retry = setTimeout(() => void connect(), RECONNECT_MS);
  };
  function onError() {
    const c = client;
    if (c === null) return;
    client = null;
    void giveBack(c, true);
    retryLater();
  }
  const connect = async () => {
    let c: PoolClient;
    try {
      c = await (await store.pgPool()).connect();
    } catch {
      return retryLater();
    }
    c.on('notification', onNotification);
    c.on('error', onError);
    try {
      await c.query(`listen ${NOTIFY_CHANNEL}`);
    } catch {
      await giveBack(c, true);
      return retryLater();
    }
    // Stopped while LISTEN was on its way: nobody else would give this client back.
    if (stopped) return giveBack(c, false);
    client = c;
    // Whatever committed while no connection listened is read now.
    wakeAll(waker);
  };
  void connect();
  return async () => {
    stopped = true;
    clearTimeout(retry);
    const c = client;
    client = null;
    if (c) await giveBack(c, false);
  };
}

/** Registers `listener` to be called on every wake-up; returns its removal. */
export function listenForEvents(store: Store, listener: WakeListener): () => void {
  let waker = wakers.get(store);
  if (waker === undefined) {
    const created: Waker = { listeners: new Set(), stop: null, generation: 0 };
    waker = created;
    wakers.set(store, created);
    store.onClose(async () => {
      const stop = created.stop;
      created.stop = null;
      wakeAll(created, true);
      created.listeners.clear();
      await stop?.();
    });
  }
  const w = waker;
  w.listeners.add(listener);
  if (w.stop === null) w.stop = store.dialect === 'postgresql' ? listenPg(store, w) : pollSqlite(store, w);
  return () => {
    w.listeners.delete(listener);
    if (w.listeners.size === 0 && w.stop !== null) {
      const stop = w.stop;
      w.stop = null;
      void stop();
    }
  };
}

/**
 * Events matching the filter, oldest first, then live ones as they commit, until `signal` aborts
 * (or the loop breaks, or the store closes). `after` omitted: only events committed from now on.
 * When events after `after` were already pruned, an EventReset comes first, then everything from
 * the oldest stored seq on.
 */
export async function* subscribe(
  store: Store,
  options: EventFilter & { after?: number; signal?: AbortSignal } = {},
): AsyncIterableIterator<StoredEvent | EventReset> {
  const { signal } = options;
  const filter: EventFilter = {
    ...(options.topics === undefined ? {} : { topics: options.topics }),
    ...(options.portfolioIds === undefined ? {} : { portfolioIds: options.portfolioIds }),
  };
  let dirty = true;
  let closed = false;
  let wake: (() => void) | null = null;
  const onAbort = () => {
    closed = true;
    wake?.();
  };
  const onWake = (closing: boolean) => {
    if (closing) return onAbort();
    dirty = true;
    wake?.();
  };
  if (signal?.aborted) return;
  signal?.addEventListener('abort', onAbort, { once: true });
  // Listening before the first read: a commit between the read and the wait still wakes us.
  const unlisten = listenForEvents(store, onWake);
  try {
    const bounds = await eventBounds(store);
    let cursor = options.after ?? bounds.latestSeq;
    if (cursor < bounds.latestSeq && (bounds.oldestSeq === null || cursor < bounds.oldestSeq - 1)) {
      const oldestSeq = bounds.oldestSeq ?? bounds.latestSeq + 1;
      yield { reset: true, requestedAfter: cursor, oldestSeq };
      cursor = oldestSeq - 1;
    }
    while (!closed) {
      if (!dirty) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        wake = null;
        continue;
      }
      dirty = false;
      const { events, scannedTo } = await readBatchShared(store, {
        ...filter,
        after: cursor,
        limit: BATCH,
        generation: wakers.get(store)?.generation ?? 0,
      });
      for (const event of events) {
        if (closed) return;
        yield event;
      }
      cursor = scannedTo;
      if (events.length === BATCH) dirty = true;
    }
  } finally {
    signal?.removeEventListener('abort', onAbort);
    unlisten();
  }
}
