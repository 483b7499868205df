/**
 * The stream across processes: concurrent writer processes get
 * gap-free seqs that a live subscriber sees in order without a hole (a seq seen before a smaller one
 * committed would leave that one behind its cursor), and a CLI process's commit wakes a subscriber
 * here (PostgreSQL NOTIFY, the SQLite poll).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { test } from 'node:test';
import { eventBounds } from '../../src/events/reading.ts';
import { type EventReset, subscribe } from '../../src/events/subscribe.ts';
import type { StoredEvent } from '../../src/events/topics.ts';
import { spawnCandleImport } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

const WRITER = resolve(import.meta.dirname, '../support/event-writer.ts');

/** Collects what `subscribe` yields until `done(seen)` holds. */
function watch(
  iterator: AsyncIterableIterator<StoredEvent | EventReset>,
  done: (seen: Array<StoredEvent | EventReset>) => boolean,
) {
  const seen: Array<StoredEvent | EventReset> = [];
  const finished = (async () => {
    for await (const e of iterator) {
      seen.push(e);
      if (done(seen)) break;
    }
    return seen;
  })();
  return finished;
}

eachDialect('events across connections and processes', (ctx) => {
  test('concurrent writer processes: gap-free, and a live subscriber sees every seq in order', async () => {
    const { latestSeq: start } = await eventBounds(ctx.store);
    const writers = 3;
    const perWriter = 15;
    const total = writers * perWriter * 2;
    const abort = new AbortController();
    const live = watch(subscribe(ctx.store, { signal: abort.signal }), (seen) => seen.length === total);
    try {
      const codes = await Promise.all(
        Array.from(
          { length: writers },
          (_, w) =>
            new Promise<number | null>((resolve, reject) => {
              const child = spawn(process.execPath, [WRITER, ctx.url, String(w), String(perWriter)], {
                stdio: ['ignore', 'ignore', 'inherit'],
              });
              child.on('error', reject);
              child.on('exit', resolve);
            }),
        ),
      );
      assert.deepEqual(codes, Array(writers).fill(0));
      const seen = (await live) as StoredEvent[];
      assert.deepEqual(
        seen.map((e) => e.seq),
        Array.from({ length: total }, (_, k) => start + k + 1),
      );
      // A transaction's events are adjacent: taken in one flush.
      for (let k = 0; k < seen.length; k += 2) {
        assert.deepEqual([seen[k]!.payload.n, seen[k + 1]!.payload.n], [0, 1]);
        assert.equal(seen[k]!.payload.i, seen[k + 1]!.payload.i);
        assert.equal(seen[k]!.payload.w, seen[k + 1]!.payload.w);
      }
    } finally {
      abort.abort();
    }
  });

  test("another process's commit (a CLI import) wakes a subscriber here", async () => {
    const abort = new AbortController();
    const symbol = `PROC${ctx.dialect}`;
    const live = watch(subscribe(ctx.store, { topics: ['candles'], signal: abort.signal }), (seen) =>
      seen.some((e) => 'payload' in e && e.payload.symbol === symbol),
    );
    const r = await spawnCandleImport(ctx.url, { symbol, venue: 'proc', times: [1_700_000_040_000] });
    assert.equal(r.code, 0, r.stderr);
    const seen = (await live) as StoredEvent[];
    const event = seen.find((e) => e.payload.symbol === symbol)!;
    assert.equal(event.topic, 'candles');
    assert.equal(event.payload.count, 1);
    abort.abort();
  });
});
