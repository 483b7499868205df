/**
 * Strategies and backtests over HTTP: register, a new config version, activate/deactivate,
 * versions; a freqtrade result file uploaded as-is (numbers kept exact, not through floats),
 * listed, read with its results and trades; a non-JSON upload is a 400.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { eachDialect } from '../support/dialects.ts';
import { testApi, type TestApi } from './support.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/backtests/freqtrade-StrategyTestV3-5-trades.json');

eachDialect('strategies and backtests over HTTP', (ctx) => {
  let api: TestApi;
  let token: string;
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    await api.call('POST', '/auth/register', {
      body: { email: 'quant@example.com', password: 'quant passphrase' },
    });
    token = (await api.login('quant@example.com', 'quant passphrase')).access;
  });
  after(() => api.close());
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    expected = method === 'POST' ? 201 : 200,
  ) => {
    const r = await api.call(method, url, { token, body });
    assert.equal(r.status, expected, `${method} ${url}: ${r.text.slice(0, 300)}`);
    return r.body;
  };

  test('register, change the config (a new version), deactivate, list versions', async () => {
    const s = await call('POST', '/strategies', {
      name: 'Breakout',
      parameters: { lookBack: 20 },
      entry_type: 'breakout',
    });
    assert.equal(s.created, true);
    assert.deepEqual(s.strategy.config.parameters, { lookBack: 20 }, 'client JSON keeps its keys');
    const changed = await call(
      'PATCH',
      `/strategies/${s.strategy.id}`,
      { parameters: { lookBack: 50 } },
      200,
    );
    assert.equal(changed.version_changed, true);
    assert.notEqual(changed.strategy.current_version_hash, s.strategy.current_version_hash);
    assert.equal(
      (await call('POST', `/strategies/${s.strategy.id}/deactivate`, undefined, 200)).is_active,
      false,
    );
    assert.equal(
      (await call('POST', `/strategies/${s.strategy.id}/activate`, undefined, 200)).is_active,
      true,
    );
    const versions = await call('GET', `/strategies/${s.strategy.id}/versions`);
    assert.equal(versions.data.length, 2);
    assert.equal((await call('GET', '/strategies')).data.length, 1);
  });

  test('a freqtrade result upload keeps every profit exact; list, results and trades', async () => {
    const r = await api.call('POST', '/backtests', {
      token,
      raw: readFileSync(FIXTURE),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 201, r.text.slice(0, 300));
    assert.equal(r.body.runs.length, 1);
    const run = r.body.runs[0];
    assert.equal(run.pnl, '0.00018546365914786896');
    const listed = await call('GET', '/backtests');
    assert.equal(listed.data.length, 1);
    const detail = await call('GET', `/backtests/${run.run_id}`);
    assert.ok(detail.run);
    const trades = await call('GET', `/backtests/${run.run_id}/trades`);
    assert.equal(trades.data.length, 5);
    const sum = trades.data.reduce((acc: Decimal, t: { pnl: string }) => acc.plus(t.pnl), new Decimal(0));
    assert.equal(sum.toFixed(), '0.00018546365914786896');
    const again = await api.call('POST', '/backtests', {
      token,
      raw: readFileSync(FIXTURE),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(again.body.runs[0].status, 'already imported');
  });

  test('a body that is not a freqtrade result is a 400', async () => {
    const bad = await api.call('POST', '/backtests', {
      token,
      raw: '{"nope": [1,2',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(bad.status, 400, bad.text);
    const wrong = await api.call('POST', '/backtests', {
      token,
      raw: '{"strategy": 3}',
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(wrong.status, 400, wrong.text);
    assert.equal((await call('GET', '/backtests/999999', undefined, 404)).error.code, 'not_found');
  });
});
