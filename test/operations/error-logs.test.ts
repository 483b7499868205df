import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  countErrorLogs,
  queryErrorLogs,
  recordErrorLog,
  recordErrorLogs,
} from '../../src/operations/error-logs.ts';
import { eachDialect } from '../support/dialects.ts';

const at = (minute: number) => new Date(Date.UTC(2025, 4, 1, 12, minute));

eachDialect('error logs', (ctx) => {
  test('records entries and queries by level, source and time, newest first', async () => {
    const entry = await recordErrorLog(ctx.store, {
      level: 'error',
      source: 'executor',
      message: 'order rejected',
      context: { orderId: 7, reason: 'insufficient margin' },
      stack: 'Error: order rejected\n    at place()',
      ts: at(1),
      botVersion: '1.4.2',
    });
    assert.ok(entry.id > 0);
    assert.deepEqual(entry.context, { orderId: 7, reason: 'insufficient margin' });
    assert.equal(
      await recordErrorLogs(ctx.store, [
        { level: 'info', source: 'poller', message: 'polled', ts: at(2) },
        { level: 'critical', source: 'executor', message: 'exchange down', ts: at(3) },
        { level: 'warning', source: 'poller', message: 'slow feed', ts: at(4) },
        { level: 'error', source: 'executor', message: 'rehearsal failure', ts: at(5), testMode: true },
      ]),
      4,
    );
    const executor = await queryErrorLogs(ctx.store, { source: 'executor' });
    assert.deepEqual(
      executor.map((e) => e.message),
      ['exchange down', 'order rejected'],
    );
    assert.deepEqual(
      (await queryErrorLogs(ctx.store, { minLevel: 'error' })).map((e) => e.level),
      ['critical', 'error'],
    );
    assert.deepEqual(
      (await queryErrorLogs(ctx.store, { levels: ['info', 'warning'] })).map((e) => e.message),
      ['slow feed', 'polled'],
    );
    assert.deepEqual(
      (await queryErrorLogs(ctx.store, { from: at(2), to: at(4) })).map((e) => e.message),
      ['exchange down', 'polled'],
    );
    assert.equal((await queryErrorLogs(ctx.store, { limit: 1 })).length, 1);
    const stored = (await queryErrorLogs(ctx.store, { source: 'executor', levels: ['error'] }))[0]!;
    assert.equal(stored.ts.getTime(), at(1).getTime());
    assert.equal(stored.stack, 'Error: order rejected\n    at place()');
    assert.equal(stored.botVersion, '1.4.2');
  });

  test('test-mode entries are hidden unless asked for; counts report both', async () => {
    const production = await queryErrorLogs(ctx.store, { source: 'executor' });
    assert.ok(production.every((e) => !e.testMode));
    const all = await queryErrorLogs(ctx.store, { source: 'executor', includeTest: true });
    assert.deepEqual(
      all.map((e) => [e.message, e.testMode]),
      [
        ['rehearsal failure', true],
        ['exchange down', false],
        ['order rejected', false],
      ],
    );
    assert.deepEqual(await countErrorLogs(ctx.store, { source: 'executor' }), { production: 2, test: 1 });
    assert.deepEqual(await countErrorLogs(ctx.store), { production: 4, test: 1 });
  });

  test('invalid input names the field; a bad batch writes nothing', async () => {
    await assert.rejects(
      recordErrorLog(ctx.store, { level: 'fatal' as never, source: 'x', message: 'm' }),
      /recordErrorLog: level:/,
    );
    await assert.rejects(recordErrorLog(ctx.store, { level: 'info', source: '', message: 'm' }), /source:/);
    await assert.rejects(
      recordErrorLogs(ctx.store, [
        { level: 'info', source: 'a', message: 'fine' },
        { level: 'info', source: 'a', message: '' },
      ]),
      /recordErrorLogs: \[1\]\.message:/,
    );
    await assert.rejects(queryErrorLogs(ctx.store, { limit: 0 }), /queryErrorLogs: limit:/);
    assert.deepEqual(await countErrorLogs(ctx.store), { production: 4, test: 1 });
  });
});
