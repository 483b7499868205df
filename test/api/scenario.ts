/**
 * A small world for the authorization suites: an admin, an owner (trader) with a portfolio and its
 * trading history (a filled auto-executed chain and an idea waiting for approval), another
 * trader with nothing shared, and a viewer the owner shared the portfolio with read-only.
 */
import assert from 'node:assert/strict';
import type { TestApi } from './support.ts';

export interface Scenario {
  tokens: { admin: string; owner: string; other: string; viewer: string };
  userIds: { owner: number; other: number; viewer: number };
  ids: Record<string, number>;
}

export async function buildScenario(api: TestApi): Promise<Scenario> {
  const pw = 'correct horse battery';
  const reg = await api.call('POST', '/auth/register', {
    body: { email: 'admin@example.com', password: pw },
  });
  assert.equal(reg.status, 201, reg.text);
  const admin = (await api.login('admin@example.com', pw)).access;
  const userIds: Record<string, number> = {};
  for (const [name, role] of [
    ['owner', 'trader'],
    ['other', 'trader'],
    ['viewer', 'viewer'],
  ] as const) {
    const r = await api.call('POST', '/users', {
      token: admin,
      body: { email: `${name}@example.com`, password: pw, role },
    });
    assert.equal(r.status, 201, r.text);
    userIds[name] = r.body.id;
  }
  const owner = (await api.login('owner@example.com', pw)).access;
  const other = (await api.login('other@example.com', pw)).access;
  const viewer = (await api.login('viewer@example.com', pw)).access;

  const ok = async (method: string, url: string, body: unknown, token = owner) => {
    const r = await api.call(method, url, { token, body });
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
    return r.body;
  };
  const portfolio = await ok('POST', '/portfolios', {
    name: 'Main',
    base_currency: 'USD',
    initial_balance: '100000',
  });
  await ok('POST', `/portfolios/${portfolio.id}/access`, { email: 'viewer@example.com', role: 'viewer' });
  const asset = await ok('POST', '/assets', { symbol: 'BTC/USDT', venue: 'binance', kind: 'crypto' });
  const strategy = (await ok('POST', '/strategies', { name: 'Trend' })).strategy;
  await ok('PUT', '/risk-config', { ai_trading_enabled: true, min_confidence_threshold: 0.5 }, admin);
  await ok('PUT', `/portfolios/${portfolio.id}/risk-config`, { max_lot_size: '5' });
  const chain = await ok('POST', '/signals', {
    portfolio_id: portfolio.id,
    strategy_id: strategy.id,
    asset_id: asset.id,
    action: 'buy',
    price: '40000.5',
    quantity: '0.25',
    confidence: 0.9,
    act: true,
    fill: { fee: '1.25' },
  });
  assert.equal(chain.verdict, 'auto_executed', JSON.stringify(chain));
  // Low confidence: the gate asks a human.
  const waiting = await ok('POST', '/signals', {
    portfolio_id: portfolio.id,
    strategy_id: strategy.id,
    asset_id: asset.id,
    action: 'buy',
    price: '40000',
    quantity: '0.1',
    confidence: 0.3,
    act: true,
  });
  assert.equal(waiting.verdict, 'needs_approval', JSON.stringify(waiting));
  const open = await ok('POST', '/orders', {
    portfolio_id: portfolio.id,
    asset_id: asset.id,
    side: 'buy',
    type: 'limit',
    limit_price: '30000',
    quantity: '0.01',
  });
  const trades = await ok('GET', `/trades?portfolio_id=${portfolio.id}`, undefined);
  const positions = await ok('GET', `/positions?portfolio_id=${portfolio.id}`, undefined);
  const snapshot = await ok('POST', `/portfolios/${portfolio.id}/snapshots`, {});
  return {
    tokens: { admin, owner, other, viewer },
    userIds: userIds as Scenario['userIds'],
    ids: {
      portfolios: portfolio.id,
      assets: asset.id,
      strategies: strategy.id,
      signals: chain.signal.id,
      trade_ideas: waiting.idea.id,
      orders: open.id,
      filled_order: chain.order.id,
      fills: chain.fill.id,
      trades: trades.data[0].id,
      positions: positions.data[0].id,
      portfolio_snapshots: snapshot.id,
      decision_history: chain.decision.id,
    },
  };
}
