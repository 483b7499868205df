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
 * read is cut after a second), so a server stops promptly with clients connected.
 */
import { once } from 'node:events';
import { PassThrough } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Store } from '../db/store.ts';
import { eventBounds } from '../events/reading.ts';
import { subscribe } from '../events/subscribe.ts';
import type { EventTopic, StoredEvent } from '../events/topics.ts';
import { STREAMING } from './route.ts';
import { sseMessage, sseReset } from './schemas/events.ts';

/** How stale the caller's visible portfolios may be when a portfolio's event is about to go out. */
export const ACCESS_CHECK_MS = 1000;
/** EventSource's reconnection delay, sent first. */
const RETRY_MS = 2000;
/** A stream ended by a closing server whose client does not read is cut after this. */
const CUT_AFTER_MS = 1000;

/** The streams of one app, ended together when it closes. */
export class OpenStreams {
  readonly #open = new Set<(reason: string) => void>();

  add(end: (reason: string) => void): () => void {
    this.#open.add(end);
    return () => this.#open.delete(end);
  }

  get size(): number {
    return this.#open.size;
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

/** Starts the stream and answers the request with it; the stream runs until the client leaves. */
export async function streamEvents(options: EventStreamOptions): Promise<typeof STREAMING> {
  const { store, request, reply, topics, portfolioId } = options;
  // "From now on" is fixed before the client sees the answer: a change it makes once it has the
  // headers is after this position, so it is delivered.
  const bounds = await eventBounds(store);
  let position = options.after ?? bounds.latestSeq;
  // A seq this database never handed out (a client of another database, or of this one before a
  // restore): the client's state is not this stream's, so it is reset like a pruned one.
  const ahead = position > bounds.latestSeq;
  if (ahead) position = (bounds.oldestSeq ?? bounds.latestSeq + 1) - 1;
  const out = new PassThrough();
  const stopped = new AbortController();
  let visible = options.visible;
  let round: AbortController | undefined;
  let checkedAt = Date.now();
  let checking: Promise<void> | undefined;

  const end = (reason: string) => {
    if (stopped.signal.aborted) return;
    stopped.abort(new Error(reason));
    round?.abort();
    if (!out.writableEnded && !out.destroyed) out.end(`: ${reason}\n\n`);
  };
  // Fastify destroys the stream when the client goes; a write racing that is not an error.
  out.on('error', () => {});
  const unregister = options.streams.add((reason) => {
    end(reason);
    // A client that stopped reading would hold the server's close: cut it.
    const cut = setTimeout(() => reply.raw.destroy(), CUT_AFTER_MS);
    cut.unref();
    reply.raw.once('close', () => clearTimeout(cut));
  });
  reply.raw.once('close', () => {
    unregister();
    end('client closed');
  });

  const check = (): Promise<void> =>
    (checking ??= options
      .checkAccess()
      .then((now) => {
        if (portfolioId !== undefined && !sees(now.visible, portfolioId))
          return end(`access to portfolio ${portfolioId} ended`);
        if (!sameSet(now.visible, visible)) {
          visible = now.visible;
          // Restart the subscription after the last seq written, filtered by the new set.
          round?.abort();
        }
      })
      .catch((error: unknown) => {
        request.log.info({ reason: (error as Error).message }, 'event stream: access ended');
        end('credentials no longer accepted');
      })
      .finally(() => {
        checkedAt = Date.now();
        checking = undefined;
      }));

  const heartbeat = setInterval(() => {
    // A client that is not reading gets no comment piled onto its buffer.
    if (!out.writableNeedDrain && !out.writableEnded) out.write(': heartbeat\n\n');
    void check();
  }, options.heartbeatMs);
  heartbeat.unref();
  stopped.signal.addEventListener('abort', () => clearInterval(heartbeat), { once: true });

  const write = async (text: string) => {
    if (out.write(text)) return;
    await once(out, 'drain', { signal: stopped.signal });
  };

  const run = async () => {
    while (!stopped.signal.aborted) {
      const current = new AbortController();
      round = current;
      const filter = portfolioId !== undefined ? [portfolioId] : visible;
      const events = subscribe(store, {
        after: position,
        signal: current.signal,
        ...(topics ? { topics } : {}),
        ...(filter ? { portfolioIds: filter } : {}),
      });
      try {
        for await (const item of events) {
          if (current.signal.aborted) break;
          if ('reset' in item) {
            await write(sseReset(item.requestedAfter, item.oldestSeq));
            continue;
          }
          const event: StoredEvent = item;
          if (event.portfolioId !== null) {
            if (Date.now() - checkedAt > ACCESS_CHECK_MS) await check();
            if (current.signal.aborted) break;
            if (!sees(portfolioId !== undefined ? [portfolioId] : visible, event.portfolioId)) {
              position = event.seq;
              continue;
            }
          }
          await write(sseMessage(event));
          position = event.seq;
        }
      } catch (error) {
        if (!current.signal.aborted) throw error;
      }
      // Ended without being asked to: the store is closing.
      if (!current.signal.aborted) return;
    }
  };

  reply
    .header('content-type', 'text/event-stream; charset=utf-8')
    .header('cache-control', 'no-cache, no-transform')
    // nginx would otherwise buffer the stream.
    .header('x-accel-buffering', 'no')
    // One stream per connection: when it ends (client gone, server closing) the socket goes too.
    .header('connection', 'close');
  // The first bytes send the headers: the client knows it is subscribed.
  out.write(`retry: ${RETRY_MS}\n\n`);
  if (ahead) out.write(sseReset(options.after!, position + 1));
  void run().then(
    () => end('stream ended'),
    (error: unknown) => {
      if (!stopped.signal.aborted) request.log.error({ err: error }, 'event stream failed');
      end('stream failed');
    },
  );
  void reply.send(out);
  return STREAMING;
}
