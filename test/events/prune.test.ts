/**
 * `db prune` trims the outbox as a prefix of seq; seqs keep counting from where they were, and a
 * subscriber resuming from a pruned seq is told so (a reset) before it gets what is left.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inTransaction } from '../../src/db/transaction.ts';
import { recordEvent } from '../../src/events/outbox.ts';
import { eventBounds, readEvents } from '../../src/events/reading.ts';
import { subscribe } from '../../src/events/subscribe.ts';
import { prune } from '../../src/operations/retention.ts';
import { eachDialect } from '../support/dialects.ts';

const DAY = 86_400_000;

eachDialect('events retention', (ctx) => {
  const write = (n: number) =>
    inTransaction(ctx.store, async (tx) => {
      for (let i = 0; i < n; i++)
        recordEvent(tx, { topic: 'signal', portfolioId: null, payload: { change: 'recorded', i } });
    });

  test('prune removes events older than the window, keeps seq counting, and resumes with a reset', async () => {
    await write(3);
    const later = new Date(Date.now() + 8 * DAY);
    const dry = await prune(ctx.store, { now: later, dryRun: true });
    assert.deepEqual(
      dry.find((r) => r.table === 'events'),
      { table: 'events', rows: 3, detail: 'older than 7 days' },
    );
    assert.equal((await eventBounds(ctx.store)).oldestSeq, 1);
    // Within the window: nothing goes.
    assert.equal((await prune(ctx.store, {})).find((r) => r.table === 'events')!.rows, 0);
    assert.equal((await prune(ctx.store, { now: later })).find((r) => r.table === 'events')!.rows, 3);
    assert.deepEqual(await eventBounds(ctx.store), { oldestSeq: null, latestSeq: 3 });
    await write(2);
    assert.deepEqual(
      (await readEvents(ctx.store, { after: 0, limit: 10 })).map((e) => e.seq),
      [4, 5],
    );

    const abort = new AbortController();
    const seen: unknown[] = [];
    for await (const e of subscribe(ctx.store, { after: 1, signal: abort.signal })) {
      seen.push('reset' in e ? e : e.seq);
      if (seen.length === 3) abort.abort();
    }
    assert.deepEqual(seen, [{ reset: true, requestedAfter: 1, oldestSeq: 4 }, 4, 5]);
  });
});
