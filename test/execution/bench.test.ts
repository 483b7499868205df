/** The trading benchmark runs on both databases and leaves consistent books behind. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import { barePgChains, bareSqliteChains, benchTrading } from '../../bench/trading.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('trading benchmark (smoke)', (ctx) => {
  test('n chains, each auto-executed and filled; cash and positions reconcile', async () => {
    const result = await benchTrading(ctx.store, 40);
    assert.equal(result.ops, 40);
    assert.ok(result.perSecond > 0 && result.p99Ms >= result.p50Ms);
    const k = ctx.store.kysely;
    const orders = await k.selectFrom('orders').select(['status']).execute();
    assert.ok(orders.length >= 40 && orders.every((o) => o.status === 'filled'));
    const [portfolio] = await k.selectFrom('portfolios').selectAll().execute();
    const positions = await k.selectFrom('positions').selectAll().execute();
    const realized = positions.reduce<Decimal>((s, p) => s.plus(String(p.realized_pnl)), new Decimal(0));
    const signedCost = positions
      .filter((p) => p.status === 'open')
      .reduce<Decimal>(
        (s, p) => (p.side === 'long' ? s.plus(String(p.cost_basis)) : s.minus(String(p.cost_basis))),
        new Decimal(0),
      );
    const cash = new Decimal(String(portfolio!.cash_balance));
    assert.ok(cash.minus(String(portfolio!.initial_balance)).plus(signedCost).eq(realized));
  });
});

eachDialect('bare chain baselines (smoke)', (ctx) => {
  test('the bare chain writes what the service chain writes: a filled order per chain', async () => {
    const run = ctx.dialect === 'sqlite' ? await bareSqliteChains(ctx.store) : await barePgChains(ctx.store);
    const before = await ctx.store.kysely.selectFrom('orders').select(['id']).execute();
    const latencies = await run(12);
    assert.equal(latencies.length, 12);
    const orders = await ctx.store.kysely.selectFrom('orders').select(['status']).execute();
    assert.equal(orders.length - before.length, 12);
    assert.ok(orders.every((o) => o.status === 'filled'));
    const fills = await ctx.store.kysely.selectFrom('fills').select(['id']).execute();
    assert.ok(fills.length >= 12);
  });
});
