/**
 * Publishing the outbox to Redis (REDIS_URL, `openStore(url, { redisUrl })`): each event goes to
 * channel `tradestore:<topic>` as its delivered JSON (`eventMessage`: the payload plus `seq`,
 * `topic`, `occurred_at`, `portfolio_id`), after its commit, in seq order, once.
 *
 * Who publishes: every process with a Redis URL that commits events (a CLI command, a library
 * user, a `serve` process) publishes right after its commit, and `serve` also runs the publisher
 * for as long as it runs, woken by the outbox's waker, so it catches up on what other processes
 * could not publish (Redis was down then, a process exited first, one had no REDIS_URL). Any
 * number of publishers is safe: a publisher never pushes its own commit but tails the outbox from
 * the last seq published, which Redis itself keeps (key `tradestore:published_seq:<database>`),
 * and one Lua script publishes a batch only from that seq on, atomically, advancing it. Two
 * publishers therefore never send a seq twice nor out of order; a subscriber that missed some
 * (Redis pub/sub keeps nothing for the absent) sees the gap in `seq` and reads the outbox.
 *
 * Redis never blocks or fails a write: the commit only wakes the publisher (no await on Redis in a
 * transaction); commands fail fast while Redis is down (no offline queue) and the publisher retries
 * with a backoff from 100 ms to 5 s. Its timers do not keep a process alive, and a publisher that
 * has been idle for a second disconnects, so a short-lived process exits; what it did not publish
 * stays in the outbox for the next publisher.
 */
import { realpathSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Redis as RedisClient } from 'ioredis';
import type * as IoRedis from 'ioredis';
import type { Store } from '../db/store.ts';
import { eventBounds, readBatch } from './reading.ts';
import { listenForEvents } from './subscribe.ts';
import { eventMessage } from './topics.ts';

export const CHANNEL_PREFIX = 'tradestore:';
const BATCH = 200;
const MIN_BACKOFF_MS = 100;
const MAX_BACKOFF_MS = 5_000;
const IDLE_DISCONNECT_MS = 1_000;
const READY_TIMEOUT_MS = 2_000;
const CLOSE_DRAIN_MS = 1_000;

/**
 * KEYS[1]: the last seq published. ARGV[1]: the caller's own cursor (the start when the key is
 * missing: first use, or a Redis that lost its data); ARGV[2]: a floor (the seq before the first
 * event still stored when the ones before were pruned: they can never be published); then
 * (seq, channel, message) triples in seq order. Publishes exactly the triples that continue the
 * key's seq, stops at a gap, and returns the new last seq.
 */
const PUBLISH_LUA = `
local last = tonumber(redis.call('GET', KEYS[1]) or ARGV[1])
local floor = tonumber(ARGV[2])
if last < floor then last = floor end
for i = 3, #ARGV, 3 do
  local seq = tonumber(ARGV[i])
  if seq == last + 1 then
    redis.call('PUBLISH', ARGV[i + 1], ARGV[i + 2])
    last = seq
  elseif seq > last + 1 then
    break
  end
end
redis.call('SET', KEYS[1], last)
return last`;

/** The database as Redis's key names it: the same for every process on that database. */
function databaseKey(store: Store): string {
  const t = store.target;
  if (t.dialect === 'postgresql') return `postgresql:${t.host}:${t.port}/${t.database}`;
  if (t.memory) return `sqlite-memory:${randomUUID()}`;
  let path = t.path;
  try {
    path = realpathSync(t.path);
  } catch {
    // Not there (yet): the path as given.
  }
  return `sqlite:${path}`;
}

/** The Redis key holding the last seq published for this store's database. */
export function publishedSeqKey(store: Store): string {
  return `${CHANNEL_PREFIX}published_seq:${databaseKey(store)}`;
}

const require = createRequire(import.meta.url);

class Publisher {
  private redis: RedisClient | null = null;
  private idleTimer: NodeJS.Timeout | undefined;
  private sleepTimer: NodeJS.Timeout | undefined;
  private wakeSleep: (() => void) | null = null;
  private cursor: number | null = null;
  private dirty = false;
  private running: Promise<void> | null = null;
  private stopped = false;
  private backoff = MIN_BACKOFF_MS;
  private readonly key: string;
  private readonly store: Store;
  private readonly url: string;
  /** Where to start when Redis has no published seq yet (null: the newest seq now). */
  private readonly startAfter: number | null;
  private readonly keepConnected: boolean;

  constructor(store: Store, url: string, startAfter: number | null, keepConnected: boolean) {
    this.store = store;
    this.url = url;
    this.startAfter = startAfter;
    this.keepConnected = keepConnected;
    this.key = publishedSeqKey(store);
  }

  kick(): void {
    if (this.stopped) return;
    this.dirty = true;
    clearTimeout(this.idleTimer);
    this.wakeSleep?.();
    this.running ??= this.loop().finally(() => {
      this.running = null;
      if (this.dirty && !this.stopped) this.kick();
      else this.scheduleIdle();
    });
  }

  /**
   * Publishes what is pending (for at most CLOSE_DRAIN_MS, unless Redis already failed to answer),
   * then disconnects.
   */
  async stop(): Promise<void> {
    // Still connecting counts: a short CLI command closes its store right after its commit.
    const reachable = ['wait', 'connecting', 'connect', 'ready'].includes(this.redis?.status ?? 'end');
    if (this.running && reachable) {
      await Promise.race([this.running, new Promise((r) => setTimeout(r, CLOSE_DRAIN_MS).unref())]);
    }
    this.stopped = true;
    this.wakeSleep?.();
    clearTimeout(this.idleTimer);
    this.disconnect();
  }

  private async loop(): Promise<void> {
    while (this.dirty && !this.stopped) {
      this.dirty = false;
      try {
        await this.publishBatch();
        this.backoff = MIN_BACKOFF_MS;
      } catch {
        // Redis down or the database busy: the outbox keeps the events; try again later.
        this.dirty = true;
        await this.sleep(this.backoff);
        this.backoff = Math.min(this.backoff * 2, MAX_BACKOFF_MS);
      }
    }
  }

  private async publishBatch(): Promise<void> {
    const redis = await this.connected();
    if (this.cursor === null) {
      const stored = await redis.get(this.key);
      this.cursor =
        stored !== null ? Number(stored) : (this.startAfter ?? (await eventBounds(this.store)).latestSeq);
    }
    const cursor = this.cursor;
    const { events } = await readBatch(this.store, { after: cursor, limit: BATCH });
    if (events.length === 0) return;
    const floor = events[0]!.seq > cursor + 1 ? events[0]!.seq - 1 : 0;
    const args: string[] = [String(cursor), String(floor)];
    for (const e of events)
      args.push(String(e.seq), CHANNEL_PREFIX + e.topic, JSON.stringify(eventMessage(e)));
    const last = Number(await redis.eval(PUBLISH_LUA, 1, this.key, ...args));
    this.cursor = last;
    // Another publisher was behind or ahead, or there is more: read again from where Redis is.
    if (last !== events[events.length - 1]!.seq || events.length === BATCH) this.dirty = true;
  }

  private async connected(): Promise<RedisClient> {
    if (this.redis === null) {
      const { Redis } = require('ioredis') as typeof IoRedis;
      const redis = new Redis(this.url, {
        enableOfflineQueue: false,
        maxRetriesPerRequest: 1,
        connectTimeout: READY_TIMEOUT_MS,
        retryStrategy: (times) => Math.min(MIN_BACKOFF_MS * 2 ** times, MAX_BACKOFF_MS),
      });
      // Failures surface as failed commands, retried by the loop; the event would only be noise.
      redis.on('error', () => {});
      redis.on('ready', () => {
        if (this.dirty) this.kick();
      });
      this.redis = redis;
    }
    const redis = this.redis;
    if (redis.status !== 'ready') {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('Redis is not answering')), READY_TIMEOUT_MS);
        timer.unref();
        redis.once('ready', () => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return redis;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.wakeSleep = () => {
        clearTimeout(this.sleepTimer);
        this.wakeSleep = null;
        resolve();
      };
      this.sleepTimer = setTimeout(() => this.wakeSleep?.(), ms);
      this.sleepTimer.unref();
    });
  }

  private scheduleIdle(): void {
    if (this.keepConnected || this.stopped) return;
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => this.disconnect(), IDLE_DISCONNECT_MS);
    this.idleTimer.unref();
  }

  private disconnect(): void {
    const redis = this.redis;
    this.redis = null;
    redis?.disconnect();
  }
}

const publishers = new WeakMap<Store, Publisher>();

function publisherFor(store: Store, startAfter: number | null, keepConnected: boolean): Publisher {
  let publisher = publishers.get(store);
  if (publisher === undefined) {
    const created = new Publisher(store, store.redisUrl!, startAfter, keepConnected);
    publisher = created;
    publishers.set(store, created);
    store.onClose(() => created.stop());
  }
  return publisher;
}

/**
 * A commit that wrote events after `startAfter` wakes its store's publisher (never awaited: the
 * write is done). `startAfter` matters only when Redis has no published seq yet.
 */
export function kickRedisPublisher(store: Store, startAfter: number): void {
  publisherFor(store, startAfter, false).kick();
}

/**
 * Runs the publisher for the store's lifetime (`serve`): connected, and woken by every commit on
 * the database, this process's or another's. Returns a stop function (the store's close also
 * stops it). Does nothing without a Redis URL.
 */
export function runRedisPublisher(store: Store): () => void {
  if (store.redisUrl === null) return () => {};
  const publisher = publisherFor(store, null, true);
  const unlisten = listenForEvents(store, (closing) => {
    if (!closing) publisher.kick();
  });
  publisher.kick();
  return unlisten;
}
