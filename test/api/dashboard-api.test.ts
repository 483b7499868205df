/**
 * What the dashboard reads beyond the trading routes: the user's time zone, stored server-side
 * (GET/PATCH /auth/me, POST /users) and validated as an IANA name, and a trade's whole chain
 * (GET /trades/:id/chain) from the signal with its components to the exit fill.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachDialect } from '../support/dialects.ts';
import { testApi, type TestApi } from './support.ts';

eachDialect('dashboard API: time zones and trade chains', (ctx) => {
  let api: TestApi;
  let admin: string;
  const pw = 'dashboard passphrase';
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    await api.call('POST', '/auth/register', { body: { email: 'admin@example.com', password: pw } });
    admin = (await api.login('admin@example.com', pw)).access;
  });
  after(() => api.close());

  async function call(method: string, url: string, body?: unknown, token = admin) {
    const r = await api.call(method, url, { token, body });
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
    return r.body;
  }

  test('a new user is in UTC; PATCH /auth/me stores the canonical IANA name; GET /auth/me reads it back', async () => {
    assert.equal((await call('GET', '/auth/me')).time_zone, 'UTC');
    const changed = await call('PATCH', '/auth/me', { time_zone: 'europe/paris' });
    assert.equal(changed.time_zone, 'Europe/Paris');
    assert.equal(changed.email, 'admin@example.com');
    const again = await api.login('admin@example.com', pw);
    assert.equal((await call('GET', '/auth/me', undefined, again.access)).time_zone, 'Europe/Paris');
    // A link name resolves to its zone.
    assert.equal(
      (await call('PATCH', '/auth/me', { time_zone: 'US/Eastern' })).time_zone,
      'America/New_York',
    );
  });

  test('an unknown zone or an offset is a 400 naming time_zone, and the stored zone stays', async () => {
    await call('PATCH', '/auth/me', { time_zone: 'Asia/Tokyo' });
    for (const bad of ['Mars/Olympus_Mons', '+05:00', '', 'x'.repeat(65)]) {
      const r = await api.call('PATCH', '/auth/me', { token: admin, body: { time_zone: bad } });
      assert.equal(r.status, 400, `${bad}: ${r.text}`);
      assert.equal(r.body.error.code, 'invalid_input');
      assert.match(JSON.stringify(r.body.error.details), /time_?[zZ]one/, r.text);
    }
    const missing = await api.call('PATCH', '/auth/me', { token: admin, body: {} });
    assert.equal(missing.status, 400, missing.text);
    assert.equal((await call('GET', '/auth/me')).time_zone, 'Asia/Tokyo');
  });

  test('a viewer sets their own zone; an admin creates a user with one; lists show it', async () => {
    const created = await call('POST', '/users', {
      email: 'viewer@example.com',
      password: pw,
      role: 'viewer',
      time_zone: 'America/Sao_Paulo',
    });
    assert.equal(created.time_zone, 'America/Sao_Paulo');
    const viewer = (await api.login('viewer@example.com', pw)).access;
    assert.equal(
      (await call('PATCH', '/auth/me', { time_zone: 'Australia/Sydney' }, viewer)).time_zone,
      'Australia/Sydney',
    );
    assert.equal((await call('GET', `/users/${created.id}`)).time_zone, 'Australia/Sydney');
    const bad = await api.call('POST', '/users', {
      token: admin,
      body: { email: 'nobody@example.com', password: pw, time_zone: 'Nowhere/City' },
    });
    assert.equal(bad.status, 400, bad.text);
    const listed = await call('GET', '/users');
    assert.ok(!listed.data.some((u: { email: string }) => u.email === 'nobody@example.com'));
  });

  test("GET /trades/:id/chain: signal with components, idea, the gate's decision, entry and exit orders and fills", async () => {
    const portfolio = await call('POST', '/portfolios', {
      name: 'Chain',
      base_currency: 'USD',
      initial_balance: '100000',
    });
    const asset = await call('POST', '/assets', { symbol: 'ETH/USD', venue: 'kraken', kind: 'crypto' });
    const strategy = (await call('POST', '/strategies', { name: 'Ensemble' })).strategy;
    await call('PUT', '/risk-config', { ai_trading_enabled: true, min_confidence_threshold: 0.5 });
    const components = {
      sentiment: { action: 'buy', confidence: 0.9 },
      trend: { action: 'buy', confidence: 0.7 },
    };
    const entry = await call('POST', '/signals', {
      portfolio_id: portfolio.id,
      strategy_id: strategy.id,
      asset_id: asset.id,
      action: 'buy',
      price: '2000.25',
      quantity: '2',
      confidence: 0.8,
      aggregation_method: 'weighted',
      components,
      reason: 'trend and sentiment agree',
      act: true,
      fill: { fee: '0.5' },
    });
    assert.equal(entry.verdict, 'auto_executed', JSON.stringify(entry));
    const exit = await call('POST', '/orders', {
      portfolio_id: portfolio.id,
      asset_id: asset.id,
      side: 'sell',
      type: 'market',
      quantity: '2',
    });
    await call('POST', `/orders/${exit.id}/fills`, { quantity: '1.5', price: '2100' });
    await call('POST', `/orders/${exit.id}/fills`, { quantity: '0.5', price: '2100.5' });
    const trades = await call('GET', `/trades?portfolio_id=${portfolio.id}&outcome=win`);
    assert.equal(trades.data.length, 1, JSON.stringify(trades));

    const chain = await call('GET', `/trades/${trades.data[0].id}/chain`);
    assert.equal(chain.trade.id, trades.data[0].id);
    assert.equal(chain.signal.id, entry.signal.id);
    assert.deepEqual(
      chain.signal.components,
      components,
      'components come back verbatim (no snake_case rewrite)',
    );
    assert.equal(chain.signal.reason, 'trend and sentiment agree');
    assert.equal(chain.idea.id, entry.idea.id);
    assert.deepEqual(
      chain.decisions.map((d: { id: number; trade_idea_id: number }) => [d.id, d.trade_idea_id]),
      [[entry.decision.id, entry.idea.id]],
    );
    assert.deepEqual(
      chain.orders.map((o: { id: number; side: string }) => [o.id, o.side]),
      [
        [entry.order.id, 'buy'],
        [exit.id, 'sell'],
      ],
    );
    assert.deepEqual(
      chain.fills.map((f: { order_id: number; quantity: string; price: string }) => [
        f.order_id,
        f.quantity,
        f.price,
      ]),
      [
        [entry.order.id, '2', '2000.25'],
        [exit.id, '1.5', '2100'],
        [exit.id, '0.5', '2100.5'],
      ],
    );
    // 1.5 × 2100 + 0.5 × 2100.5 − 2 × 2000.25 − the 0.5 fee, exact.
    assert.equal(chain.trade.pnl, '199.25');

    // The next round trip on the same asset starts its own chain: the old orders are not in it.
    const again = await call('POST', '/orders', {
      portfolio_id: portfolio.id,
      asset_id: asset.id,
      side: 'buy',
      type: 'market',
      quantity: '1',
    });
    await call('POST', `/orders/${again.id}/fills`, { quantity: '1', price: '2200' });
    const open = await call('GET', `/trades?portfolio_id=${portfolio.id}&outcome=open`);
    const second = await call('GET', `/trades/${open.data[0].id}/chain`);
    assert.equal(second.signal, null);
    assert.equal(second.idea, null);
    assert.deepEqual(second.decisions, []);
    assert.deepEqual(
      second.orders.map((o: { id: number }) => o.id),
      [again.id],
    );
    assert.equal(second.fills.length, 1);

    const missing = await api.call('GET', '/trades/999999/chain', { token: admin });
    assert.equal(missing.status, 404);
  });
});
