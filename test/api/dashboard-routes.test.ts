/**
 * The two routes the web app added: GET /auth/setup (the first-run screen: no user yet, so the
 * first registration creates the admin) and GET /candles/timeframes (what the market page offers).
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachDialect } from '../support/dialects.ts';
import { testApi, type TestApi } from './support.ts';

const T0 = Date.UTC(2026, 2, 2);

eachDialect('dashboard routes', (ctx) => {
  let api: TestApi;
  let token: string;
  before(() => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
  });
  after(() => api.close());

  test('GET /auth/setup: needs_admin until the first user exists; signup_open follows ALLOW_SIGNUP', async () => {
    const empty = await api.call('GET', '/auth/setup');
    assert.equal(empty.status, 200);
    assert.deepEqual(empty.body, { needs_admin: true, signup_open: false });
    const first = await api.call('POST', '/auth/register', {
      body: { email: 'first@example.com', password: 'first admin pass' },
    });
    assert.equal(first.status, 201);
    assert.equal(first.body.role, 'admin');
    const after = await api.call('GET', '/auth/setup');
    assert.deepEqual(after.body, { needs_admin: false, signup_open: false });
    const open = testApi(ctx.store, { LOG_LEVEL: 'silent', ALLOW_SIGNUP: true });
    assert.deepEqual((await open.call('GET', '/auth/setup')).body, { needs_admin: false, signup_open: true });
    await open.close();
    token = (await api.login('first@example.com', 'first admin pass')).access;
  });

  test('GET /candles/timeframes: each stored timeframe with its first and last candle', async () => {
    const upload = (timeframe: string, step: number, n: number) =>
      api.call('POST', `/candles?asset=SOL/USDT&venue=tf-test&timeframe=${timeframe}`, {
        token,
        raw: JSON.stringify(
          Array.from({ length: n }, (_, i) => [T0 + i * step, 10 + i, 11 + i, 9 + i, 10.5 + i, 100]),
        ),
        headers: { 'content-type': 'application/json' },
      });
    assert.equal((await upload('1h', 3_600_000, 5)).status, 200);
    assert.equal((await upload('1m', 60_000, 3)).status, 200);
    const r = await api.call('GET', '/candles/timeframes?asset=SOL/USDT&venue=tf-test', { token });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(r.body, {
      data: [
        { timeframe: '1m', first_ts: T0, last_ts: T0 + 2 * 60_000 },
        { timeframe: '1h', first_ts: T0, last_ts: T0 + 4 * 3_600_000 },
      ],
      next_cursor: null,
    });
    const unknown = await api.call('GET', '/candles/timeframes?asset=NOPE/USDT&venue=tf-test', { token });
    assert.equal(unknown.status, 404);
    assert.equal((await api.call('GET', '/candles/timeframes?asset=SOL/USDT&venue=tf-test')).status, 401);
  });
});
