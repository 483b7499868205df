/**
 * Streams woken by one commit share one read of the outbox (readBatchShared); each must still
 * receive exactly what its own filter selects, in order: the SQL filter's answer for the range.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { openStore } from '../../src/db/store.ts';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/events/outbox.ts';
import { eventBounds, readBatchShared, readEvents, type EventFilter } from '../../src/events/reading.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
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

/**
 * The generation rule, interleaved deterministically: a SQLite file's reader reads the counter
 * synchronously when a read starts, and a second connection commits synchronously between two
 * calls. (PostgreSQL offers no such interleaving: when the server runs a read's first query is not
 * the caller's to choose; the rule is the same code on both.)
 */
test('a read is shared within one wake-up generation, never by a caller of a later one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-fanout-'));
  const path = join(dir, 'events.db');
  const store = await openStore(`sqlite:${path}`);
  try {
    await migrateUp(store);
    await inTransaction(store, async (tx) => {
      recordEvent(tx, { topic: 'risk', portfolioId: null, payload: { change: 'first' } });
    });
    const other = new DatabaseSync(path);
    const q = { after: 0, limit: 100 };
    const started = readBatchShared(store, { ...q, generation: 1 });
    // Another process commits seq 2, and its wake-up makes generation 2.
    other.exec(`begin immediate;
      insert into event_counter (id, seq) values (1, 1)
        on conflict (id) do update set seq = event_counter.seq + excluded.seq;
      insert into events (seq, occurred_at, topic, portfolio_id, payload)
        values (2, ${Date.now()}, 'risk', null, '{"change":"second"}');
      commit`);
    other.close();
    const sameGeneration = readBatchShared(store, { ...q, generation: 1 });
    const later = readBatchShared(store, { ...q, generation: 2 });
    const seqs = async (p: typeof started) => (await p).events.map((e) => e.seq);
    assert.deepEqual(await seqs(started), [1]);
    // Joined the read in flight (it had taken its counter before the commit): shared.
    assert.deepEqual(await seqs(sameGeneration), [1]);
    // Woken by the commit: its own read, which sees it.
    assert.deepEqual(await seqs(later), [1, 2]);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
