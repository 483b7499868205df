import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/events/outbox.ts';
import { eventBounds, readEvents } from '../../src/events/reading.ts';
import { subscribe } from '../../src/events/subscribe.ts';
import { eachDialect } from '../support/dialects.ts';
import { Decimal } from 'decimal.js';

eachDialect('events outbox', (ctx) => {
  test('a committed write is read with gap-free seqs; a rolled-back one leaves nothing', async () => {
    const before = await eventBounds(ctx.store);
    assert.deepEqual(before, { oldestSeq: null, latestSeq: 0 });
    await inTransaction(ctx.store, async (tx) => {
      recordEvent(tx, {
        topic: 'fill',
        portfolioId: 7,
        payload: { change: 'recorded', fillPrice: new Decimal('1.50') },
      });
      recordEvent(tx, { topic: 'candles', portfolioId: null, payload: { change: 'ingested', count: 3 } });
    });
    await assert.rejects(
      inTransaction(ctx.store, async (tx) => {
        recordEvent(tx, { topic: 'order', portfolioId: 7, payload: { change: 'placed' } });
        throw new Error('refused');
      }),
      /refused/,
    );
    await inTransaction(ctx.store, async (tx) => {
      recordEvent(tx, { topic: 'order', portfolioId: 8, payload: { change: 'canceled' } });
    });
    const events = await readEvents(ctx.store, { after: 0, limit: 10 });
    assert.deepEqual(
      events.map((e) => [e.seq, e.topic, e.portfolioId, e.payload]),
      [
        [1, 'fill', 7, { change: 'recorded', fill_price: '1.5' }],
        [2, 'candles', null, { change: 'ingested', count: 3 }],
        [3, 'order', 8, { change: 'canceled' }],
      ],
    );
    assert.ok(events[0]!.occurredAt instanceof Date);
    assert.deepEqual(await eventBounds(ctx.store), { oldestSeq: 1, latestSeq: 3 });
    const mine = await readEvents(ctx.store, {
      after: 0,
      limit: 10,
      portfolioIds: [7],
      topics: ['fill', 'candles', 'order'],
    });
    assert.deepEqual(
      mine.map((e) => e.seq),
      [1, 2],
    );
    assert.deepEqual(await readEvents(ctx.store, { after: 0, limit: 10, topics: [] }), []);
    assert.deepEqual(
      (await readEvents(ctx.store, { after: 1, limit: 1 })).map((e) => e.seq),
      [2],
    );
  });

  test('a savepoint rolled back takes back its events; the transaction keeps the others', async () => {
    const { latestSeq } = await eventBounds(ctx.store);
    const note = (tx: Parameters<Parameters<typeof inTransaction>[1]>[0], n: number) =>
      recordEvent(tx, { topic: 'signal', portfolioId: null, payload: { change: 'recorded', n } });
    await inTransaction(ctx.store, async (tx) => {
      // The first event of the transaction inside a refused record: gone with it.
      await assert.rejects(
        tx.savepoint(async () => {
          note(tx, 1);
          throw new Error('refused record');
        }),
      );
      note(tx, 2);
      await tx.savepoint(async () => note(tx, 3));
      await assert.rejects(
        tx.savepoint(async () => {
          note(tx, 4);
          throw new Error('refused record');
        }),
      );
    });
    const events = await readEvents(ctx.store, { after: latestSeq, limit: 10 });
    assert.deepEqual(
      events.map((e) => [e.seq, e.payload.n]),
      [
        [latestSeq + 1, 2],
        [latestSeq + 2, 3],
      ],
    );
    // A transaction whose only events were taken back writes none and leaves seq alone.
    await inTransaction(ctx.store, async (tx) => {
      await assert.rejects(
        tx.savepoint(async () => {
          note(tx, 5);
          throw new Error('refused record');
        }),
      );
    });
    assert.equal((await eventBounds(ctx.store)).latestSeq, latestSeq + 2);
  });

  test('subscribe replays after a seq, then wakes on new commits, and ends on abort', async () => {
    const abort = new AbortController();
    const seen: number[] = [];
    const iterate = (async () => {
      for await (const e of subscribe(ctx.store, {
        after: 1,
        topics: ['order', 'fill'],
        signal: abort.signal,
      })) {
        assert.ok(!('reset' in e));
        seen.push(e.seq);
        if (seen.length === 2) abort.abort();
      }
    })();
    await new Promise((r) => setTimeout(r, 50));
    await inTransaction(ctx.store, async (tx) => {
      recordEvent(tx, { topic: 'fill', portfolioId: 1, payload: { change: 'recorded' } });
    });
    await iterate;
    assert.deepEqual(seen, [3, 6]);
  });
});
