import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Store } from '../../src/db/store.ts';
import { Strategy } from '../../src/entities/all-tables.ts';
import type { IngestionTaskStatus } from '../../src/entities/strategy-tables.ts';
import {
  completeIngestionTask,
  failIngestionTask,
  getIngestionTask,
  listIngestionTasks,
  queueIngestionTask,
  reportIngestionProgress,
  retryIngestionTask,
  startIngestionTask,
} from '../../src/research/ingestion.ts';
import { IllegalTransitionError } from '../../src/input/errors.ts';
import { INGESTION_TASK_TRANSITIONS } from '../../src/trading/transitions.ts';
import { eachDialect } from '../support/dialects.ts';

/** A task brought to `status` along the allowed path. */
async function taskIn(store: Store, status: IngestionTaskStatus): Promise<number> {
  const { id } = await queueIngestionTask(store, {
    sourceType: 'pdf',
    sourceRef: `s3://docs/${status}-${Math.random()}.pdf`,
  });
  if (status === 'queued') return id;
  await startIngestionTask(store, id);
  if (status === 'done') await completeIngestionTask(store, id);
  if (status === 'failed') await failIngestionTask(store, id, 'boom');
  return id;
}

const steps: Record<IngestionTaskStatus, (store: Store, id: number) => Promise<unknown>> = {
  queued: (s, id) => retryIngestionTask(s, id),
  running: (s, id) => startIngestionTask(s, id),
  done: (s, id) => completeIngestionTask(s, id),
  failed: (s, id) => failIngestionTask(s, id, 'x'),
};

eachDialect('ingestion tasks', (ctx) => {
  test('queued → running (progress) → done, with the produced strategy', async () => {
    const em = ctx.store.em();
    const strategy = em.create(Strategy, { name: 'from-pdf' });
    await em.flush();
    const queued = await queueIngestionTask(ctx.store, {
      sourceType: 'youtube',
      sourceRef: 'https://youtu.be/abc',
    });
    assert.equal(queued.status, 'queued');
    assert.equal(queued.progress, 0);
    const running = await startIngestionTask(ctx.store, queued.id);
    assert.equal(running.status, 'running');
    assert.ok(running.startedAt);
    assert.equal((await reportIngestionProgress(ctx.store, queued.id, 0.4)).progress, 0.4);
    const done = await completeIngestionTask(ctx.store, queued.id, { strategyId: strategy.id });
    assert.equal(done.status, 'done');
    assert.equal(done.progress, 1);
    assert.equal(done.strategyId, strategy.id);
    assert.ok(done.finishedAt);
  });

  test('failure keeps the error text; retry re-queues it cleanly', async () => {
    const id = await taskIn(ctx.store, 'running');
    const failed = await failIngestionTask(ctx.store, id, 'PDF has no text layer');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.error, 'PDF has no text layer');
    const again = await retryIngestionTask(ctx.store, id);
    assert.deepEqual([again.status, again.error, again.progress, again.startedAt], ['queued', null, 0, null]);
  });

  test('every illegal transition is a clear error and changes nothing', async () => {
    const statuses = Object.keys(INGESTION_TASK_TRANSITIONS) as IngestionTaskStatus[];
    let checked = 0;
    for (const from of statuses) {
      for (const to of statuses) {
        if (INGESTION_TASK_TRANSITIONS[from].includes(to)) continue;
        const id = await taskIn(ctx.store, from);
        const before = await getIngestionTask(ctx.store, id);
        await assert.rejects(steps[to](ctx.store, id), (error: Error) => {
          assert.ok(error instanceof IllegalTransitionError, `${from} → ${to}: ${error.message}`);
          assert.match(error.message, new RegExp(`ingestion task ${id}`));
          return true;
        });
        assert.deepEqual(await getIngestionTask(ctx.store, id), before, `${from} → ${to} changed the task`);
        checked++;
      }
    }
    assert.equal(checked, 16 - 4);
  });

  test('progress only while running and within [0, 1]', async () => {
    const queued = await taskIn(ctx.store, 'queued');
    await assert.rejects(
      reportIngestionProgress(ctx.store, queued, 0.5),
      /progress is reported only while running/,
    );
    const running = await taskIn(ctx.store, 'running');
    await assert.rejects(
      reportIngestionProgress(ctx.store, running, 1.2),
      /reportIngestionProgress: progress:/,
    );
    await assert.rejects(failIngestionTask(ctx.store, running, ''), /failIngestionTask: error:/);
    await assert.rejects(
      queueIngestionTask(ctx.store, { sourceType: 'fax' as never, sourceRef: 'x' }),
      /sourceType:/,
    );
  });

  test('two workers racing to start a task: exactly one wins', async () => {
    const id = await taskIn(ctx.store, 'queued');
    const results = await Promise.allSettled([
      startIngestionTask(ctx.store, id),
      startIngestionTask(ctx.store, id),
    ]);
    assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    assert.ok((await listIngestionTasks(ctx.store, { status: 'running' })).some((t) => t.id === id));
  });
});
