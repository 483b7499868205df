/**
 * Live events: one EventSource on `/events` for the whole app (the contract: `id:` is the event's
 * seq, `event:` its topic). EventSource cannot send headers, so the access token goes in
 * `?access_token=`. The browser reconnects by itself with Last-Event-ID; when the server refuses
 * (an expired token: EventSource then closes for good) a new one is opened with a fresh token and
 * `?after=<last seq seen>`, so nothing is missed and nothing is polled. An `event: reset` (the seq
 * asked for was pruned) tells every page to reload what it shows.
 */
import { EVENT_TOPICS as TOPICS, type EventTopicName as Topic } from '../../src/entities/value-lists.ts';
import { accessToken } from './api.ts';

// The server's own list (a value list that imports nothing), so a new topic reaches the app too.
export { TOPICS, type Topic };

export interface LiveEvent {
  seq: number;
  topic: Topic;
  portfolio_id: number | null;
  occurred_at: string;
  change?: string;
  [field: string]: unknown;
}

type Handler = (event: LiveEvent) => void;
const handlers = new Map<Topic | 'reset', Set<Handler>>();
let source: EventSource | null = null;
let lastSeq: number | null = null;
let retryMs = 1000;
let stopped = true;
const stateListeners = new Set<(state: string) => void>();
let state = 'off';

function setState(next: string): void {
  state = next;
  for (const fn of stateListeners) fn(next);
}

/** 'connecting' | 'live' | 'reconnecting' | 'off', for the header's indicator. */
export function onLiveState(fn: (state: string) => void): () => void {
  stateListeners.add(fn);
  fn(state);
  return () => stateListeners.delete(fn);
}

/** Calls `fn` for each event of `topic` (or 'reset') until the returned function is called. */
export function on(topic: Topic | 'reset', fn: Handler): () => void {
  let set = handlers.get(topic);
  if (!set) handlers.set(topic, (set = new Set()));
  set.add(fn);
  return () => set.delete(fn);
}

function dispatch(topic: Topic | 'reset', event: LiveEvent): void {
  for (const fn of handlers.get(topic) ?? []) {
    try {
      fn(event);
    } catch (error) {
      console.error(error);
    }
  }
}

async function open(): Promise<void> {
  if (stopped) return;
  const token = await accessToken();
  if (!token || stopped) return setState('off');
  const query = new URLSearchParams({ access_token: token });
  if (lastSeq !== null) query.set('after', String(lastSeq));
  setState(lastSeq === null ? 'connecting' : 'reconnecting');
  const es = new EventSource(`/events?${query}`);
  source = es;
  es.onopen = () => {
    retryMs = 1000;
    setState('live');
  };
  es.onerror = () => {
    if (es.readyState === EventSource.CLOSED) {
      // Refused (401 after the token expired, a restart): open a new one with a fresh token.
      source = null;
      setState('reconnecting');
      setTimeout(() => void open(), retryMs);
      retryMs = Math.min(retryMs * 2, 30_000);
    } else setState('reconnecting');
  };
  for (const topic of TOPICS)
    es.addEventListener(topic, (e) => {
      const m = e as MessageEvent<string>;
      const seq = Number(m.lastEventId);
      if (Number.isFinite(seq) && seq > 0) {
        if (lastSeq !== null && seq <= lastSeq) return;
        lastSeq = seq;
      }
      let data: LiveEvent;
      try {
        data = JSON.parse(m.data) as LiveEvent;
      } catch {
        return;
      }
      dispatch(topic, { ...data, topic, seq: Number.isFinite(seq) ? seq : data.seq });
    });
  es.addEventListener('reset', (e) => {
    const m = e as MessageEvent<string>;
    dispatch('reset', { ...(JSON.parse(m.data || '{}') as object), topic: 'signal', seq: 0 } as LiveEvent);
  });
}

export function startLive(): void {
  if (!stopped) return;
  stopped = false;
  void open();
}

export function stopLive(): void {
  stopped = true;
  source?.close();
  source = null;
  lastSeq = null;
  setState('off');
}
