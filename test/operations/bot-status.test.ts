import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  deleteBotStatus,
  getBotStatus,
  listBotStatus,
  setBotStatus,
} from '../../src/operations/bot-status.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('bot status', (ctx) => {
  test('set, get, replace, list, delete; any JSON value round-trips', async () => {
    const values: Array<[string, unknown]> = [
      ['heartbeat.executor', { at: '2025-05-01T12:00:00Z', pid: 4242 }],
      ['halted', false],
      ['cursor.news', 'guid-981'],
      // A string that reads as other JSON: stored and returned as the string.
      ['build', '123'],
      ['weights', [0.25, 0.75]],
      ['retries', 3],
    ];
    for (const [key, value] of values) await setBotStatus(ctx.store, key, value, { botVersion: '2.0.0' });
    for (const [key, value] of values) {
      const entry = await getBotStatus(ctx.store, key);
      assert.deepEqual(entry?.value, value, key);
      assert.equal(entry?.botVersion, '2.0.0');
    }
    const before = (await getBotStatus(ctx.store, 'halted'))!.updatedAt;
    await new Promise((r) => setTimeout(r, 5));
    const replaced = await setBotStatus(ctx.store, 'halted', { reason: 'drawdown' });
    assert.deepEqual(replaced.value, { reason: 'drawdown' });
    assert.ok(replaced.updatedAt > before);
    assert.deepEqual((await getBotStatus(ctx.store, 'halted'))?.value, { reason: 'drawdown' });
    assert.equal((await getBotStatus(ctx.store, 'halted'))?.botVersion, null);
    assert.deepEqual(
      (await listBotStatus(ctx.store)).map((e) => e.key),
      ['build', 'cursor.news', 'halted', 'heartbeat.executor', 'retries', 'weights'],
    );
    assert.deepEqual(
      (await listBotStatus(ctx.store, { prefix: 'heartbeat.' })).map((e) => e.key),
      ['heartbeat.executor'],
    );
    assert.equal(await deleteBotStatus(ctx.store, 'retries'), true);
    assert.equal(await deleteBotStatus(ctx.store, 'retries'), false);
    assert.equal(await getBotStatus(ctx.store, 'retries'), null);
  });

  test('invalid keys and values are refused with the field named', async () => {
    await assert.rejects(setBotStatus(ctx.store, '', 1), /setBotStatus: key:/);
    await assert.rejects(setBotStatus(ctx.store, 'k'.repeat(129), 1), /setBotStatus: key:/);
    await assert.rejects(
      setBotStatus(ctx.store, 'fn', () => 1),
      /setBotStatus: value:/,
    );
    await assert.rejects(setBotStatus(ctx.store, 'nan', Number.NaN), /setBotStatus: value:/);
    assert.equal(await getBotStatus(ctx.store, 'fn'), null);
  });
});
