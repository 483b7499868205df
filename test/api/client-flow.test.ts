/**
 * The generated TypeScript client (src/client: openapi-fetch over the generated types) drives the
 * whole flow against a live server: register, log in, open a portfolio, register a strategy,
 * record a signal the gate sends for approval, approve it, place the order (twice with the same
 * Idempotency-Key: one order), fill it, read the position, close it, read the P&L — all exact.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { createClient } from '../../src/client/index.ts';
import { eachDialect } from '../support/dialects.ts';
import { SECRET } from './support.ts';

eachDialect('the generated client drives the whole flow', (ctx) => {
  let app: FastifyInstance;
  let baseUrl: string;
  before(async () => {
    app = buildApp({
      store: ctx.store,
      config: { LOG_LEVEL: 'silent', SECRET_KEY: SECRET },
      validateResponses: true,
    });
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  test('register → login → portfolio → strategy → signal → approve → order → fill → position → P&L', async () => {
    const api = createClient({ baseUrl });
    const reg = await api.POST('/auth/register', {
      body: { email: 'quant@example.com', password: 'a long passphrase' },
    });
    assert.equal(reg.response.status, 201);
    assert.equal(reg.data!.role, 'admin');
    const login = await api.POST('/auth/login', {
      body: { email: 'quant@example.com', password: 'a long passphrase' },
    });
    assert.equal(login.data!.token_type, 'bearer');
    api.setToken(login.data!.access_token);

    const portfolio = (
      await api.POST('/portfolios', {
        body: { name: 'Paper', base_currency: 'USDT', initial_balance: '50000.00' },
      })
    ).data!;
    assert.equal(portfolio.cash_balance, '50000');
    const strategy = (
      await api.POST('/strategies', { body: { name: 'Breakout', parameters: { lookback: 20 } } })
    ).data!.strategy;
    const asset = (await api.POST('/assets', { body: { symbol: 'ETH/USDT', venue: 'binance' } })).data!;
    // AI trading off: every idea waits for a human.
    await api.PUT('/risk-config', { body: { ai_trading_enabled: false } });

    const chain = await api.POST('/signals', {
      body: {
        portfolio_id: portfolio.id,
        strategy_id: strategy.id,
        asset_id: asset.id,
        action: 'buy',
        price: '2000.10',
        quantity: '0.3',
        confidence: 0.8,
        act: true,
      },
    });
    assert.equal(chain.response.status, 201, JSON.stringify(chain.error));
    assert.equal(chain.data!.verdict, 'needs_approval');
    assert.equal(chain.data!.order, null);
    const ideaId = chain.data!.idea!.id;
    const queue = await api.GET('/trade-ideas', {
      params: { query: { portfolio_id: portfolio.id, status: 'needs_approval' } },
    });
    assert.deepEqual(
      queue.data!.data.map((i) => i.id),
      [ideaId],
    );

    const approved = await api.POST('/trade-ideas/{id}/approve', {
      params: { path: { id: ideaId } },
      body: { reason: 'looks right' },
    });
    assert.equal(approved.data!.idea.status, 'approved', JSON.stringify(approved.error));
    assert.equal(approved.data!.decision.rationale, 'looks right');

    const orderBody = {
      portfolio_id: portfolio.id,
      asset_id: asset.id,
      side: 'buy' as const,
      quantity: '0.3',
      trade_idea_id: ideaId,
    };
    const headers = { 'idempotency-key': 'bot-run-7-order-1' };
    const placed = await api.POST('/orders', { body: orderBody, params: { header: headers } });
    assert.equal(placed.response.status, 201, JSON.stringify(placed.error));
    const again = await api.POST('/orders', { body: orderBody, params: { header: headers } });
    assert.equal(again.response.status, 200);
    assert.equal(again.data!.id, placed.data!.id, 'the same key returns the first order');
    assert.equal(placed.data!.client_order_id, 'bot-run-7-order-1');

    const fill = await api.POST('/orders/{id}/fills', {
      params: { path: { id: placed.data!.id } },
      body: { quantity: '0.3', price: '2000.10', fee: '0.6003' },
    });
    assert.equal(fill.response.status, 201, JSON.stringify(fill.error));
    assert.equal(fill.data!.order.status, 'filled');
    const positions = (await api.GET('/positions', { params: { query: { portfolio_id: portfolio.id } } }))
      .data!.data;
    assert.equal(positions.length, 1);
    assert.equal(positions[0]!.quantity, '0.3');
    assert.equal(positions[0]!.cost_basis, '600.03');
    assert.equal(positions[0]!.average_entry_price, '2000.1');

    // Close it: 0.3 × (2100.35 − 2000.10) − 0.6003 − 0.630105 = 30.075 − 1.230405 = 28.844595
    const sell = (
      await api.POST('/orders', {
        body: { portfolio_id: portfolio.id, asset_id: asset.id, side: 'sell', quantity: '0.3' },
      })
    ).data!;
    await api.POST('/orders/{id}/fills', {
      params: { path: { id: sell.id } },
      body: { quantity: '0.3', price: '2100.35', fee: '0.630105' },
    });
    const trades = (await api.GET('/trades', { params: { query: { portfolio_id: portfolio.id } } })).data!
      .data;
    assert.equal(trades.length, 1);
    assert.equal(trades[0]!.pnl, '28.844595');
    assert.equal(trades[0]!.outcome, 'win');
    const profit = (await api.GET('/stats/profit', { params: { query: { portfolio_id: portfolio.id } } }))
      .data!;
    assert.equal(profit.profit, '28.844595');
    assert.equal(profit.closed_trades, 1);
    const daily = (await api.GET('/stats/daily', { params: { query: { portfolio_id: portfolio.id } } }))
      .data!;
    assert.equal(daily.data[0]!.profit, '28.844595');
    const p = (await api.GET('/portfolios/{id}', { params: { path: { id: portfolio.id } } })).data!;
    // Cash: 50000 − 600.03 − 0.6003 + 630.105 − 0.630105 = 50028.844595
    assert.equal(p.cash_balance, '50028.844595');
    const open = (await api.GET('/positions', { params: { query: { portfolio_id: portfolio.id } } })).data!
      .data;
    assert.deepEqual(open, []);
  });
});
