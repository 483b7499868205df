/**
 * The events stream's wire shapes: the query of GET /events and GET /events/history, one event as
 * an SSE message's data and as a history row, and the `reset` message.
 */
import { z } from 'zod';
import { type EventTopic, eventMessage, eventTopics, type StoredEvent } from '../../events/topics.ts';
import { page, portfolioFilter, timeOut } from './common.ts';

/** A seq as a query value or a header: digits only (a coerced "" would read as 0). */
const seq = z
  .string()
  .regex(/^\d{1,15}$/, 'expected an event seq: a whole number, 0 or more')
  .transform(Number);

/** `fill,order`: each name one of the topics, repeated names once. */
const topicList = z
  .string()
  .max(200)
  .transform((text, ctx): EventTopic[] => {
    const names = [...new Set(text.split(',').map((name) => name.trim()))].filter((name) => name !== '');
    const unknown = names.filter((name) => !(eventTopics as readonly string[]).includes(name));
    if (names.length === 0 || unknown.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `${unknown.length > 0 ? `unknown topic ${unknown.map((n) => JSON.stringify(n.slice(0, 40))).join(', ')}` : 'no topic named'}: accepted: ${eventTopics.join(', ')} (comma-separated)`,
      });
      return z.NEVER;
    }
    return names as EventTopic[];
  })
  .optional()
  .meta({ description: `comma-separated topics (default every one): ${eventTopics.join(', ')}` });

const filters = {
  topics: topicList,
  ...portfolioFilter,
};

export const streamQuery = z.object({
  ...filters,
  after: seq.optional().meta({
    description:
      'deliver every event after this seq first, then live ones; the Last-Event-ID header wins over it (EventSource resends that on reconnect). Omitted: events committed from now on',
  }),
  access_token: z.string().max(4096).optional().meta({
    description:
      'an access token for clients that cannot send headers (browser EventSource); an API key is refused here. Prefer the Authorization header',
  }),
});

export const streamHeaders = z.object({
  // EventSource sends an empty one when the stream's last id was empty.
  'last-event-id': z
    .string()
    .regex(/^\d{0,15}$/, 'expected an event seq: a whole number, 0 or more')
    .transform((v) => (v === '' ? undefined : Number(v)))
    .optional()
    .meta({ description: 'the id (seq) of the last event the client received' }),
});

export const historyQuery = z.object({
  ...filters,
  after: seq.default(0).meta({ description: 'events after this seq (next_cursor of the previous page)' }),
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(1000)
    .default(100)
    .meta({ description: 'events per page (max 1000)' }),
});

const eventFields = {
  seq: z.number().int().meta({ description: 'position in the stream: monotonic, gap-free' }),
  topic: z.enum(eventTopics as [EventTopic, ...EventTopic[]]),
  occurred_at: timeOut,
  portfolio_id: z.number().int().nullable(),
};

export const historyEvent = z
  .object({
    ...eventFields,
    payload: z.record(z.string(), z.unknown()).meta({
      description: "what happened (`change`) and the row's fields, snake_case, decimals as strings",
    }),
  })
  .meta({ id: 'Event' });

export const historyPage = page(historyEvent).meta({
  description: 'oldest first; next_cursor is the seq to pass as `after` for the next page, null at the end',
});

/** One SSE message's `data`: the payload with where it sits in the stream. */
export const streamedEvent = z.object(eventFields).catchall(z.unknown()).meta({
  id: 'StreamedEvent',
  description:
    'each message is `id: <seq>`, `event: <topic>`, `data: <this JSON>` (the payload with seq, topic, occurred_at and portfolio_id added); `event: reset` with data {requested_after, oldest_seq} comes first when the requested seq was pruned; `: heartbeat` comments keep the connection alive',
});

export function historyOut(event: StoredEvent) {
  return {
    seq: event.seq,
    topic: event.topic,
    occurred_at: event.occurredAt.toISOString(),
    portfolio_id: event.portfolioId,
    payload: event.payload,
  };
}

/** An SSE message (`id`, `event`, one `data` line: JSON.stringify writes no newline). */
export function sseMessage(event: StoredEvent): string {
  return `id: ${event.seq}\nevent: ${event.topic}\ndata: ${JSON.stringify(eventMessage(event))}\n\n`;
}

export function sseReset(requestedAfter: number, oldestSeq: number): string {
  return `event: reset\ndata: ${JSON.stringify({ requested_after: requestedAfter, oldest_seq: oldestSeq })}\n\n`;
}
