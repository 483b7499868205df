/**
 * Streams woken by one commit share one read of the outbox (readBatchShared); each must still
 * receive exactly what its own filter selects, in order: the SQL filter's answer for the range.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/events/outbox.ts';
import { eventBounds, readEvents, type EventFilter } from '../../src/events/reading.ts';
import { subscribe } from '../../src/events/subscribe.ts';
import type { EventTopic } from '../../src/events/topics.ts';
import { eachDialect } from '../support/dialects.ts';

const FILTERS: EventFilter[] = [
  {},
  { topics: ['fill'] },
  { topics: ['order', 'fill'] },
  { portfolioIds: [1] },
  { portfolioIds: [2, 3] },
  { topics: ['order'], portfolioIds: [3] },
  { topics: [] },
  { portfolioIds: [] },
];
const TOPICS: EventTopic[] = ['fill', 'order', 'candles', 'risk'];

eachDialect('events: streams sharing one read', (ctx) => {
  test('8 streams with different filters each get exactly their events, in order', async () => {
    const { latestSeq: start } = await eventBounds(ctx.store);
    const abort = new AbortController();
    const streams = FILTERS.map((filter) => {
      const seen: number[] = [];
      const done = (async () => {
        for await (const e of subscribe(ctx.store, { ...filter, after: start, signal: abort.signal }))
          if ('seq' in e) seen.push(e.seq);
        return seen;
      })();
      return { filter, seen, done };
    });
    // 30 transactions of 1–4 events over 3 portfolios and none.
    for (let t = 0; t < 30; t++)
      await inTransaction(ctx.store, async (tx) => {
        for (let e = 0; e <= t % 4; e++)
          recordEvent(tx, {
            topic: TOPICS[(t + e) % TOPICS.length]!,
            portfolioId: (t + e) % 4 === 0 ? null : ((t + e) % 3) + 1,
            payload: { change: 'test', t, e },
          });
      });
    const { latestSeq: end } = await eventBounds(ctx.store);
    const expected = await Promise.all(
      FILTERS.map(async (filter) =>
        (await readEvents(ctx.store, { ...filter, after: start, limit: 1000 })).map((e) => e.seq),
      ),
    );
    // Every stream has read up to the end once its count is reached (or at once when it wants none).
    const deadline = Date.now() + 10_000;
    while (streams.some((s, i) => s.seen.length < expected[i]!.length) && Date.now() < deadline)
      await new Promise((resolve) => setTimeout(resolve, 20));
    abort.abort();
    await Promise.all(streams.map((s) => s.done));
    streams.forEach((s, i) => assert.deepEqual(s.seen, expected[i], `filter ${JSON.stringify(s.filter)}`));
    assert.ok(expected[0]!.length === end - start, 'the unfiltered stream saw every event');
    assert.ok(expected[1]!.length > 0 && expected[1]!.length < expected[0]!.length);
  });
});
