/**
 * With STORAGE_MODE=hybrid, settings written over HTTP reach their mirror files as soon as the
 * request answers (not at the next periodic refresh), and a removal leaves the files too.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { HybridSettings } from '../../src/hybrid/settings.ts';
import { eachDialect } from '../support/dialects.ts';
import { type TestApi, testApi } from './support.ts';

eachDialect('HTTP settings writes under hybrid storage', (ctx) => {
  let api: TestApi;
  let dir: string;
  let token: string;
  const file = (name: string) => readFileSync(join(dir, name), 'utf8');

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'tradestore-hybrid-api-'));
    const hybrid = new HybridSettings(ctx.store, dir);
    await hybrid.refresh();
    api = testApi(ctx.store, {}, hybrid);
    const registered = await api.call('POST', '/auth/register', {
      body: { email: 'admin@example.com', password: 'correct horse battery' },
    });
    assert.equal(registered.status, 201, registered.text);
    token = (await api.login('admin@example.com', 'correct horse battery')).access;
  });
  after(async () => {
    await api.close();
    rmSync(dir, { recursive: true, force: true });
  });

  test('strategies, the risk config and bot status are in their files when the request answers', async () => {
    const strategy = await api.call('POST', '/strategies', { token, body: { name: 'Mirrored breakout' } });
    assert.equal(strategy.status, 201, strategy.text);
    assert.match(file('strategies.csv'), /Mirrored breakout/);

    const risk = await api.call('PUT', '/risk-config', {
      token,
      body: { ai_trading_enabled: true, min_confidence_threshold: 0.73 },
    });
    assert.equal(risk.status, 200, risk.text);
    assert.match(file('risk_config.csv'), /0\.73/);

    const status = await api.call('PUT', '/bot-status/heartbeat-mirror', {
      token,
      body: { value: { up: 1 } },
    });
    assert.equal(status.status, 200, status.text);
    assert.match(file('bot_status.csv'), /heartbeat-mirror/);

    const removed = await api.call('DELETE', '/bot-status/heartbeat-mirror', { token });
    assert.equal(removed.status, 204, removed.text);
    assert.doesNotMatch(file('bot_status.csv'), /heartbeat-mirror/);
  });
});
