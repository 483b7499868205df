/**
 * The trading routes' contract beyond isolation: keyset pages stable while rows are added,
 * changed_since returning only what changed, queue → evaluate, reject, an illegal transition (409),
 * a portfolio limit (422), cancel, and a signal without act.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { eachDialect } from '../support/dialects.ts';
import { testApi, type TestApi } from './support.ts';

eachDialect('trading over HTTP', (ctx) => {
  let api: TestApi;
  let token: string;
  let ids: { portfolio: number; asset: number; strategy: number };
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    await api.call('POST', '/auth/register', {
      body: { email: 'trader@example.com', password: 'trading passphrase' },
    });
    token = (await api.login('trader@example.com', 'trading passphrase')).access;
    const portfolio = await call('POST', '/portfolios', {
      name: 'T',
      base_currency: 'USD',
      initial_balance: '1000000',
      max_position_size: '50000',
    });
    const asset = await call('POST', '/assets', { symbol: 'BTC/USD', venue: 'coinbase' });
    const strategy = (await call('POST', '/strategies', { name: 'grid' })).strategy;
    await call('PUT', '/risk-config', { ai_trading_enabled: true, min_confidence_threshold: 0.5 }, 200);
    ids = { portfolio: portfolio.id, asset: asset.id, strategy: strategy.id };
  });
  after(() => api.close());
  async function call(method: string, url: string, body?: unknown, expected = method === 'POST' ? 201 : 200) {
    const r = await api.call(method, url, { token, body });
    assert.equal(r.status, expected, `${method} ${url}: ${r.text}`);
    return r.body;
  }
  const limitOrder = (quantity = '0.001') => ({
    portfolio_id: ids.portfolio,
    asset_id: ids.asset,
    side: 'buy',
    type: 'limit',
    limit_price: '10000',
    quantity,
  });

  test('keyset pages stay stable while rows are added; newest first', async () => {
    for (let i = 0; i < 7; i++) await call('POST', '/orders', limitOrder());
    const first = await call('GET', `/orders?portfolio_id=${ids.portfolio}&limit=3`);
    assert.equal(first.data.length, 3);
    const ordered = first.data.map((o: { id: number }) => o.id);
    assert.deepEqual(
      ordered,
      [...ordered].sort((a, b) => b - a),
    );
    // New rows arrive between pages: the next page continues where the first stopped.
    for (let i = 0; i < 2; i++) await call('POST', '/orders', limitOrder());
    const second = await call(
      'GET',
      `/orders?portfolio_id=${ids.portfolio}&limit=3&cursor=${first.next_cursor}`,
    );
    assert.deepEqual(
      second.data.map((o: { id: number }) => o.id),
      [ordered[2] - 1, ordered[2] - 2, ordered[2] - 3],
    );
    const bad = await api.call('GET', `/orders?cursor=not-ours`, { token });
    assert.equal(bad.status, 400);
    const tooMany = await api.call('GET', `/orders?limit=1001`, { token });
    assert.equal(tooMany.status, 400);
  });

  test('changed_since returns only rows created or updated since then', async () => {
    const all = await call('GET', `/orders?portfolio_id=${ids.portfolio}&limit=1000`);
    const since = new Date(Date.now() + 5).toISOString();
    await new Promise((r) => setTimeout(r, 10));
    const canceled = await call('POST', `/orders/${all.data[4].id}/cancel`, { reason: 'stale' }, 200);
    assert.equal(canceled.status, 'canceled');
    const fresh = await call('POST', '/orders', limitOrder());
    const changed = await call('GET', `/orders?portfolio_id=${ids.portfolio}&changed_since=${since}`);
    assert.deepEqual(
      changed.data.map((o: { id: number }) => o.id),
      [fresh.id, canceled.id],
    );
    const again = await api.call('POST', `/orders/${canceled.id}/cancel`, { token, body: {} });
    assert.equal(again.status, 409);
    assert.equal(again.body.error.code, 'illegal_transition');
  });

  test('a portfolio limit is a 422 trading_rule and places nothing', async () => {
    const before = (await call('GET', `/orders?portfolio_id=${ids.portfolio}&limit=1000`)).data.length;
    const r = await api.call('POST', '/orders', { token, body: limitOrder('100') });
    assert.equal(r.status, 422, r.text);
    assert.equal(r.body.error.code, 'trading_rule');
    assert.equal((await call('GET', `/orders?portfolio_id=${ids.portfolio}&limit=1000`)).data.length, before);
  });

  test('ideas: queue then evaluate; reject with a reason; approving a rejected idea is 409', async () => {
    const q = await call('POST', '/trade-ideas', {
      portfolio_id: ids.portfolio,
      strategy_id: ids.strategy,
      asset_id: ids.asset,
      direction: 'long',
      quantity: '0.01',
      entry_price: '20000',
      confidence: 0.3,
      queue: true,
    });
    assert.equal(q.idea.status, 'waiting');
    const evaluated = await call('POST', `/trade-ideas/${q.idea.id}/evaluate`, undefined, 200);
    assert.equal(evaluated.verdict, 'needs_approval');
    const rejected = await call('POST', `/trade-ideas/${q.idea.id}/reject`, { reason: 'too early' }, 200);
    assert.equal(rejected.idea.status, 'rejected');
    assert.equal(rejected.decision.rationale, 'too early');
    const r = await api.call('POST', `/trade-ideas/${q.idea.id}/approve`, { token, body: {} });
    assert.equal(r.status, 409, r.text);
    const audit = await call('GET', `/decisions?portfolio_id=${ids.portfolio}&trade_idea_id=${q.idea.id}`);
    assert.ok(
      audit.data.some((d: { action: string }) => d.action === 'human_rejected'),
      JSON.stringify(audit.data),
    );
  });

  test('a signal without act is only recorded; idea terms without act are refused', async () => {
    const r = await call('POST', '/signals', {
      portfolio_id: ids.portfolio,
      strategy_id: ids.strategy,
      asset_id: ids.asset,
      action: 'buy',
      price: '1',
      confidence: 0.9,
    });
    assert.equal(r.idea, null);
    assert.equal(r.signal.executed, false);
    const bad = await api.call('POST', '/signals', {
      token,
      body: {
        portfolio_id: ids.portfolio,
        strategy_id: ids.strategy,
        asset_id: ids.asset,
        action: 'buy',
        price: '1',
        confidence: 0.9,
        fill: {},
      },
    });
    assert.equal(bad.status, 400);
  });
});
