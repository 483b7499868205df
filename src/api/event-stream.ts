/**
 * GET /events as Server-Sent Events: one subscription (src/events/subscribe.ts) per client, written
 * with backpressure (a client that reads slowly stops the reads from the outbox, nothing piles up
 * in memory), a `: heartbeat` comment every EVENTS_HEARTBEAT_SECONDS, and the caller's access
 * checked again while the stream is open:
 *
 * - before a portfolio's event is written, when the last check is more than ACCESS_CHECK_MS old,
 *   and at every heartbeat: the credential is authenticated again (a logged-out session, a deleted
 *   or expired key or token, a deactivated user end the stream) and the visible portfolios are read
 *   again through the one authorization rule. An event of a portfolio the caller no longer sees is
 *   never written; a stream that named that portfolio (`?portfolio_id=`) ends.
 * - when the visible set changed, the subscription restarts after the last seq written, with the
 *   new set as its filter: a portfolio shared meanwhile streams from there on, nothing twice.
 *
 * Every open stream is registered with its app: `app.close()` ends them (a client that does not
 * read is cut after a second), so a server stops promptly with clients connected. One user holds
 * at most EVENTS_MAX_STREAMS_PER_USER of them at once (429 beyond).
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../db/store.ts';
import { eventBounds } from '../events/reading.ts';
import { subscribe } from '../events/subscribe.ts';
import type { EventTopic, StoredEvent } from '../events/topics.ts';
import { ApiError } from './plugins/errors.ts';
import { STREAMING } from './route.ts';
import { sseMessage, sseReset } from './schemas/events.ts';

/** How stale the caller's visible portfolios may be when a portfolio's event is about to go out. */
export const ACCESS_CHECK_MS = 1000;
/** EventSource's reconnection delay, sent first. */
const RETRY_MS = 2000;
/** A stream ended by a closing server whose client does not read is cut after this. */
const CUT_AFTER_MS = 1000;

/** The streams of one app, ended together when it closes, counted per user. */
export class OpenStreams {
  readonly #open = new Set<(reason: string) => void>();
  readonly #perUser = new Map<number, number>();

  add(end: (reason: string) => void, userId: number): () => void {
    this.#open.add(end);
    this.#perUser.set(userId, this.openFor(userId) + 1);
    let removed = false;
    return () => {
      if (removed) return;
      removed = true;
      this.#open.delete(end);
      const left = this.openFor(userId) - 1;
      if (left > 0) this.#perUser.set(userId, left);
      else this.#perUser.delete(userId);
    };
  }

  get size(): number {
    return this.#open.size;
  }

  openFor(userId: number): number {
    return this.#perUser.get(userId) ?? 0;
  }

  endAll(reason: string): void {
    for (const end of [...this.#open]) end(reason);
  }
}

/** What the stream learns when it checks the caller again; throws when access has ended. */
export type AccessCheck = () => Promise<{ visible: readonly number[] | undefined }>;

export interface EventStreamOptions {
  store: Store;
  request: FastifyRequest;
  reply: FastifyReply;
  streams: OpenStreams;
  /** The caller, whose open streams count against `maxPerUser`. */
  userId: number;
  maxPerUser: number;
  heartbeatMs: number;
  /** From the Last-Event-ID header or `?after=`; undefined: from now on. */
  after: number | undefined;
  topics: readonly EventTopic[] | undefined;
  /** `?portfolio_id=` (authorized already); undefined: every visible portfolio. */
  portfolioId: number | undefined;
  /** Portfolio ids the caller sees now (undefined: every one). */
  visible: readonly number[] | undefined;
  checkAccess: AccessCheck;
}

const sees = (visible: readonly number[] | undefined, portfolioId: number) =>
  visible === undefined || visible.includes(portfolioId);

const sameSet = (a: readonly number[] | undefined, b: readonly number[] | undefined) =>
  a === undefined || b === undefined ? a === b : a.length === b.length && a.every((id) => b.includes(id));

/**
 * Where a stream starts: after the client's seq, or after the latest one ("from now on"). A seq this
 * database never handed out (a client of another database, or of this one before a restore): the
 * client's state is not this stream's, so it is reset like a pruned one (`ahead`).
 */
function startPosition(
  after: number | undefined,
  bounds: { oldestSeq: number | null; latestSeq: number },
): { position: number; ahead: boolean } {
  const position = after ?? bounds.latestSeq;
  const ahead = position > bounds.latestSeq;
  return { position: ahead ? (bounds.oldestSeq ?? bounds.latestSeq + 1) - 1 : position, ahead };
}

/** One client's stream: its place in the outbox, the portfolios the caller sees, how it ends. */
class EventStream {
  readonly out = new PassThrough();
  readonly #options: EventStreamOptions;
  readonly #stopped = new AbortController();
  /** The last seq written or passed over: a restarted subscription resumes after it. */
  #position: number;
  #visible: readonly number[] | undefined;
  /** The current subscription; aborting it restarts the subscription with the current filter. */
  #round: AbortController | undefined;
  #checkedAt = Date.now();
  #checking: Promise<void> | undefined;

  constructor(options: EventStreamOptions) {
    this.#options = options;
    this.#position = 0;
    this.#visible = options.visible;
    // Fastify destroys the stream when the client goes; a write racing that is not an error.
    this.out.on('error', () => {});
  }

  /** Where the stream starts (before `run`). */
  startAfter(position: number): void {
    this.#position = position;
  }

  get stopped(): boolean {
    return this.#stopped.signal.aborted;
  }

  end(reason: string): void {
    if (this.#stopped.signal.aborted) return;
    this.#stopped.abort(new Error(reason));
    this.#round?.abort();
    if (!this.out.writableEnded && !this.out.destroyed) this.out.end(`: ${reason}\n\n`);
  }

  /** Ends the stream when the client leaves or the app closes. */
  endWithClientOrApp(): void {
    const { reply, streams, userId } = this.#options;
    const unregister = streams.add((reason) => {
      this.end(reason);
      // A client that stopped reading would hold the server's close: cut it.
      const cut = setTimeout(() => reply.raw.destroy(), CUT_AFTER_MS);
      cut.unref();
      reply.raw.once('close', () => clearTimeout(cut));
    }, userId);
    reply.raw.once('close', () => {
      unregister();
      this.end('client closed');
    });
  }

  startHeartbeat(): void {
    const heartbeat = setInterval(() => {
      // A client that is not reading gets no comment piled onto its buffer.
      if (!this.out.writableNeedDrain && !this.out.writableEnded) this.out.write(': heartbeat\n\n');
      void this.#checkAccess();
    }, this.#options.heartbeatMs);
    heartbeat.unref();
    this.#stopped.signal.addEventListener('abort', () => clearInterval(heartbeat), { once: true });
  }

  /** Checks the caller again (one check at a time); a refused credential ends the stream. */
  #checkAccess(): Promise<void> {
    return (this.#checking ??= this.#options
      .checkAccess()
      .then((now) => this.#applyAccess(now.visible))
      .catch((error: unknown) => {
        this.#options.request.log.info({ reason: (error as Error).message }, 'event stream: access ended');
        this.end('credentials no longer accepted');
      })
      .finally(() => {
        this.#checkedAt = Date.now();
        this.#checking = undefined;
      }));
  }

  /** The named portfolio no longer visible ends the stream; a changed visible set restarts it. */
  #applyAccess(visible: readonly number[] | undefined): void {
    const { portfolioId } = this.#options;
    if (portfolioId !== undefined && !sees(visible, portfolioId)) {
      return this.end(`access to portfolio ${portfolioId} ended`);
    }
    if (!sameSet(visible, this.#visible)) {
      this.#visible = visible;
      // Restart the subscription after the last seq written, filtered by the new set.
      this.#round?.abort();
    }
  }

  /** The portfolios whose events go out: the named one, else every visible one. */
  #portfolioFilter(): readonly number[] | undefined {
    const { portfolioId } = this.#options;
    return portfolioId !== undefined ? [portfolioId] : this.#visible;
  }

  async #write(text: string): Promise<void> {
    if (this.out.write(text)) return;
    await once(this.out, 'drain', { signal: this.#stopped.signal });
  }

  /** Subscriptions one after another (each access change restarts one) until the stream ends. */
  async run(): Promise<void> {
    while (!this.#stopped.signal.aborted) {
      const current = new AbortController();
      this.#round = current;
      await this.#streamRound(current);
      // Ended without being asked to: the store is closing.
      if (!current.signal.aborted) return;
    }
  }

  async #streamRound(current: AbortController): Promise<void> {
    const { store, topics } = this.#options;
    const filter = this.#portfolioFilter();
    const events = subscribe(store, {
      after: this.#position,
      signal: current.signal,
      ...(topics ? { topics } : {}),
      ...(filter ? { portfolioIds: filter } : {}),
    });
    try {
      for await (const item of events) {
        if (current.signal.aborted) break;
        if ('reset' in item) {
          await this.#write(sseReset(item.requestedAfter, item.oldestSeq));
          continue;
        }
        if (!(await this.#deliver(item, current))) break;
      }
    } catch (error) {
      if (!current.signal.aborted) throw error;
    }
  }

  /**
   * Writes the event unless its portfolio is no longer visible (then it is passed over); false when
   * the access check before it aborted the round.
   */
  async #deliver(event: StoredEvent, current: AbortController): Promise<boolean> {
    if (event.portfolioId !== null) {
      if (Date.now() - this.#checkedAt > ACCESS_CHECK_MS) await this.#checkAccess();
      if (current.signal.aborted) return false;
      if (!sees(this.#portfolioFilter(), event.portfolioId)) {
        this.#position = event.seq;
        return true;
      }
    }
    await this.#write(sseMessage(event));
    this.#position = event.seq;
    return true;
  }
}

/** Starts the stream and answers the request with it; the stream runs until the client leaves. */
export async function streamEvents(options: EventStreamOptions): Promise<typeof STREAMING> {
  const { store, request, reply, streams, userId, maxPerUser } = options;
  const open = streams.openFor(userId);
  if (open >= maxPerUser)
    throw new ApiError(
      'rate_limited',
      `this user already has ${open} event streams open on this server, the most EVENTS_MAX_STREAMS_PER_USER allows: close one first`,
      { open, limit: maxPerUser },
    );
  const stream = new EventStream(options);
  // Counted from here, before any wait: concurrent requests cannot all pass the check.
  stream.endWithClientOrApp();
  // "From now on" is fixed before the client sees the answer: a change it makes once it has the
  // headers is after this position, so it is delivered.
  const { position, ahead } = startPosition(options.after, await eventBounds(store));
  stream.startAfter(position);
  stream.startHeartbeat();
  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    // nginx would otherwise buffer the stream.
    .header('x-accel-buffering', 'no')
    // One stream per connection: when it ends (client gone, server closing) the socket goes too.
    .header('connection', 'close');
  // The first bytes send the headers: the client knows it is subscribed.
  stream.out.write(`retry: ${RETRY_MS}\n\n`);
  if (ahead) stream.out.write(sseReset(options.after!, position + 1));
  void stream.run().then(
    () => stream.end('stream ended'),
    (error: unknown) => {
      if (!stream.stopped) request.log.error({ err: error }, 'event stream failed');
      stream.end('stream failed');
    },
  );
  void reply.send(stream.out);
  return STREAMING;
}
