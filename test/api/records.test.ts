/**
 * The long tail of the model over HTTP, each route once through its service on both databases:
 * learning entries, ingestion tasks, news feeds and items, calendar events, prediction events,
 * markets and snapshots, bot status, account snapshots, error logs. Client JSON keeps its keys.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachDialect } from '../support/dialects.ts';
import { testApi, type TestApi } from './support.ts';

eachDialect('the rest of the model over HTTP', (ctx) => {
  let api: TestApi;
  let token: string;
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    await api.call('POST', '/auth/register', {
      body: { email: 'ops@example.com', password: 'operations pass' },
    });
    token = (await api.login('ops@example.com', 'operations pass')).access;
  });
  after(() => api.close());
  const call = async (
    method: string,
    url: string,
    body?: unknown,
    expected = method === 'POST' ? 201 : 200,
  ) => {
    const r = await api.call(method, url, { token, body });
    assert.equal(r.status, expected, `${method} ${url}: ${r.text}`);
    return r.body;
  };

  test('learning entries: record, read, validate, list; market_conditions keys kept', async () => {
    const e = await call('POST', '/learning-entries', {
      insight: 'breakouts fail on Mondays',
      confidence: 0.4,
      market_conditions: { vixLevel: 'high' },
    });
    assert.deepEqual(e.market_conditions, { vixLevel: 'high' });
    assert.equal((await call('GET', `/learning-entries/${e.id}`)).insight, 'breakouts fail on Mondays');
    await call('POST', `/learning-entries/${e.id}/validate`, { confidence: 0.6 }, 200);
    assert.equal((await call('GET', '/learning-entries')).data.length, 1);
    await call('GET', '/learning-entries/999999', undefined, 404);
  });

  test('ingestion tasks: queue, start, complete; an illegal step is 409', async () => {
    const t = await call('POST', '/ingestion-tasks', { source_type: 'pdf', source_ref: 'paper.pdf' });
    assert.equal(t.status, 'queued');
    assert.equal((await call('POST', `/ingestion-tasks/${t.id}/start`, undefined, 200)).status, 'running');
    assert.equal((await call('POST', `/ingestion-tasks/${t.id}/complete`, {}, 200)).status, 'done');
    const again = await api.call('POST', `/ingestion-tasks/${t.id}/start`, { token });
    assert.equal(again.status, 409, again.text);
    assert.equal(again.body.error.code, 'illegal_transition');
  });

  test('news feeds and items, calendar events', async () => {
    const feed = await call('POST', '/news-feeds', { url: 'https://example.com/rss', name: 'Example' });
    assert.equal((await call('GET', '/news-feeds')).data.length, 1);
    const item = await call('POST', '/news-items', {
      feed_id: feed.id,
      guid: 'g1',
      headline: 'Fed holds',
      symbols: ['SPY'],
    });
    assert.equal(item.is_new, true);
    assert.equal(
      (await call('POST', '/news-items', { feed_id: feed.id, guid: 'g1', headline: 'Fed holds' })).is_new,
      false,
    );
    assert.equal((await call('GET', '/news-items')).data.length, 1);
    await call('POST', '/calendar-events', {
      event_time: '2026-03-04T13:30:00Z',
      currency: 'usd',
      impact_level: 'high',
      title: 'NFP',
      forecast: '180K',
    });
    const window = await call('GET', '/calendar-events?from=2026-03-01T00:00:00Z&to=2026-03-10T00:00:00Z');
    assert.equal(window.data[0].currency, 'USD');
  });

  test('prediction events, markets and snapshots with exact prices', async () => {
    const ev = await call('POST', '/prediction-events', { external_id: 'ev-1', title: 'Rate cut in March?' });
    assert.equal((await call('GET', `/prediction-events/${ev.id}`)).title, 'Rate cut in March?');
    const m = await call('POST', '/prediction-markets', {
      external_id: 'm-1',
      event_id: ev.id,
      question: 'Cut?',
      yes_price: '0.615',
      no_price: '0.385',
    });
    await call('POST', '/market-snapshots', {
      market: { venue: 'polymarket', external_id: 'm-1' },
      yes_price: '0.62',
    });
    const snaps = await call('GET', `/prediction-markets/${m.id}/snapshots`);
    assert.equal(snaps.data.length, 1);
    assert.equal(String(snaps.data[0].yes_price), '0.62');
    assert.equal((await call('GET', '/prediction-markets')).data.length, 1);
  });

  test('bot status, account snapshots, error logs', async () => {
    await call('PUT', '/bot-status/heartbeat', { value: { at: 'now', nestedKey: 1 } }, 200);
    assert.deepEqual((await call('GET', '/bot-status/heartbeat')).value, { at: 'now', nestedKey: 1 });
    assert.equal((await call('GET', '/bot-status?prefix=heart')).data.length, 1);
    await call('DELETE', '/bot-status/heartbeat', undefined, 204);
    await call('GET', '/bot-status/heartbeat', undefined, 404);
    const p = await call('POST', '/portfolios', { name: 'acct', base_currency: 'USD', initial_balance: '1' });
    await call('POST', '/account-snapshots', {
      portfolio_id: p.id,
      balance: '1000.5',
      equity: '1001.25',
      margin_used: '0',
      margin_free: '1000.5',
      open_pl: '0.75',
      open_positions: 1,
    });
    const acct = await call('GET', `/account-snapshots?portfolio_id=${p.id}`);
    assert.equal(String(acct.data[0].equity), '1001.25');
    await call('POST', '/error-logs', {
      level: 'error',
      source: 'bot',
      message: 'timeout',
      context: { retryCount: 3 },
    });
    const logs = await call('GET', '/error-logs');
    assert.deepEqual(logs.data[0].context, { retryCount: 3 });
  });
});
