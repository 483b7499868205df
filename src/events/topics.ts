/**
 * What an event is: its topic, the stored row, the filter readers pass, and the one wire form of a
 * delivered event (the SSE `data:` and the Redis message), so every delivery path says the same.
 */
import { isoTime } from '../db/wire.ts';
import { EVENT_TOPICS, type EventTopicName } from '../entities/value-lists.ts';

export type EventTopic = EventTopicName;

/** The PostgreSQL NOTIFY channel the outbox's flush notifies (payload: the newest seq). */
export const NOTIFY_CHANNEL = 'tradestore_events';
export const eventTopics: readonly EventTopic[] = EVENT_TOPICS;

export interface StoredEvent {
  seq: number;
  occurredAt: Date;
  topic: EventTopic;
  portfolioId: number | null;
  /** snake_case, decimals as strings, times ISO-8601 UTC; `change` says what happened. */
  payload: Record<string, unknown>;
}

export interface EventFilter {
  /** undefined = every topic; an empty list matches nothing. */
  topics?: readonly EventTopic[];
  /** undefined = every portfolio; events with portfolioId null are always included. */
  portfolioIds?: readonly number[];
}

/** The payload with `seq`, `topic`, `occurred_at` and `portfolio_id` added: what subscribers receive. */
export function eventMessage(event: StoredEvent): Record<string, unknown> {
  return {
    ...event.payload,
    seq: event.seq,
    topic: event.topic,
    occurred_at: isoTime(event.occurredAt),
    portfolio_id: event.portfolioId,
  };
}
