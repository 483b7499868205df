/**
 * Signals with their components breakdown and provenance, the queries over them with test
 * isolation, and actOnSignal (signal → idea → order → fill in one transaction), on both databases.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { actOnSignal } from '../../src/execution/chain.ts';
import { listDecisions } from '../../src/audit/decision-history.ts';
import { getSignal, listSignals, recordSignal } from '../../src/execution/signals.ts';
import { listTrades } from '../../src/execution/trades.ts';
import { getPortfolio } from '../../src/portfolios/portfolios.ts';
import { getOpenPosition } from '../../src/portfolios/positions.ts';
import { Decimal } from 'decimal.js';
import { registerStrategy } from '../../src/strategies/strategies.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser, openGate, tradingState, unique } from './fixtures.ts';

eachDialect('signals and actOnSignal', (ctx) => {
  let ownerId = 0;
  let btc = 0;
  let eth = 0;
  let strategy = { id: 0, hash: '' };

  before(async () => {
    ownerId = (await createUser(ctx.store)).id;
    [btc, eth] = (await createAssets(ctx.store, ['BTC/USDT', 'ETH/USDT'], `signals-${ctx.dialect}`)) as [
      number,
      number,
    ];
    const s = await registerStrategy(ctx.store, {
      name: unique('ensemble'),
      entryConditions: { rsi: { below: 30 } },
    });
    strategy = { id: s.strategy.id, hash: s.strategy.currentVersionHash! };
  });

  test('a signal keeps its breakdown, provenance and exact price; the strategy version defaults to the current one', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const components = {
      sentiment: { action: 'buy', confidence: 0.9, weight: 0.4 },
      technical: { action: 'buy', confidence: 0.8, weight: 0.6, indicators: { rsi: 28.5 } },
    };
    const s = await recordSignal(ctx.store, {
      portfolioId: p.id,
      strategyId: strategy.id,
      assetId: btc,
      price: '67123.123456789012345678',
      action: 'buy',
      confidence: 0.85,
      aggregationMethod: 'weighted_average',
      components,
      reason: 'oversold',
      botVersion: 'bot-1.4.2',
    });
    const read = await getSignal(ctx.store, s.id);
    assert.equal(read.strategyVersion, strategy.hash);
    assert.deepEqual(read.components, components);
    assert.equal(read.price.toFixed(), '67123.123456789012345678');
    assert.equal(read.botVersion, 'bot-1.4.2');
    assert.equal(read.testMode, false);
    assert.equal(read.executed, false);
    await assert.rejects(
      recordSignal(ctx.store, { assetId: btc, price: '1', action: 'hold', confidence: 0.5 }),
      /strategyVersion is required/,
    );
  });

  test('queries by portfolio, strategy, asset, window, action and executed; production only unless asked', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const t0 = new Date('2026-01-01T00:00:00Z');
    const at = (m: number) => new Date(t0.getTime() + m * 60_000);
    const base = { portfolioId: p.id, strategyId: strategy.id, confidence: 0.7, price: '10' };
    await recordSignal(ctx.store, { ...base, assetId: btc, action: 'buy', ts: at(0) });
    await recordSignal(ctx.store, { ...base, assetId: btc, action: 'sell', ts: at(10) });
    await recordSignal(ctx.store, { ...base, assetId: eth, action: 'buy', ts: at(20) });
    await recordSignal(ctx.store, { ...base, assetId: eth, action: 'hold', ts: at(30), testMode: true });
    await recordSignal(ctx.store, { ...base, assetId: btc, action: 'buy', ts: at(40), testMode: true });

    const all = await listSignals(ctx.store, { portfolioId: p.id });
    assert.equal(all.items.length, 3);
    assert.deepEqual(all.counts, { production: 3, test: 2 });
    assert.ok(all.items.every((s) => !s.testMode));
    assert.deepEqual(
      all.items.map((s) => s.ts.getTime()),
      [at(20), at(10), at(0)].map((d) => d.getTime()),
      'newest first',
    );
    assert.equal((await listSignals(ctx.store, { portfolioId: p.id, includeTest: true })).items.length, 5);
    assert.equal((await listSignals(ctx.store, { portfolioId: p.id, testMode: true })).items.length, 2);
    assert.equal((await listSignals(ctx.store, { portfolioId: p.id, assetId: btc })).items.length, 2);
    assert.equal((await listSignals(ctx.store, { portfolioId: p.id, action: 'buy' })).items.length, 2);
    assert.equal(
      (await listSignals(ctx.store, { portfolioId: p.id, strategyId: strategy.id, from: at(10), to: at(20) }))
        .items.length,
      1,
    );
    assert.equal((await listSignals(ctx.store, { portfolioId: p.id, executed: true })).items.length, 0);
    const window = await listSignals(ctx.store, { portfolioId: p.id, from: at(5), includeTest: true });
    assert.deepEqual(window.counts, { production: 2, test: 2 });
  });

  test('concurrent chains on one portfolio and asset lose no update (the book is read under the lock)', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId, '100000');
    await openGate(ctx.store);
    const buys = Array.from({ length: 12 }, (_, i) => ({ price: String(100 + i), fee: '0.5' }));
    const results = await Promise.all(
      buys.map((b) =>
        actOnSignal(ctx.store, {
          signal: {
            portfolioId: p.id,
            strategyId: strategy.id,
            assetId: eth,
            price: b.price,
            action: 'buy',
            confidence: 0.9,
            quantity: '1',
          },
          fill: { fee: b.fee },
        }),
      ),
    );
    assert.ok(results.every((r) => r.fill !== null));
    const spent = buys.reduce((s, b) => s.plus(b.price).plus(b.fee), new Decimal(0));
    assert.equal(
      (await getPortfolio(ctx.store, p.id)).cashBalance.toString(),
      new Decimal(100000).minus(spent).toString(),
    );
    const position = await getOpenPosition(ctx.store, { portfolioId: p.id, assetId: eth });
    assert.equal(position?.quantity.toString(), '12');
    const trades = (await listTrades(ctx.store, { portfolioId: p.id })).items;
    assert.deepEqual(
      trades.map((t) => [t.outcome, t.quantity.toString()]),
      [['open', '12']],
    );
  });

  test('actOnSignal: auto-executed signals become a filled order in one transaction', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId, '10000');
    await openGate(ctx.store);
    const r = await actOnSignal(ctx.store, {
      signal: {
        portfolioId: p.id,
        strategyId: strategy.id,
        assetId: btc,
        price: '100',
        action: 'buy',
        confidence: 0.9,
        quantity: '2',
        reason: 'breakout',
      },
      idea: { stopLoss: '95', takeProfit: '120' },
      fill: { fee: '0.2' },
    });
    assert.equal(r.proposal?.idea.status, 'auto_executed');
    assert.equal(r.order?.status, 'filled');
    assert.ok(r.fill?.cashBalance.eq('9799.8'));
    assert.equal((await getSignal(ctx.store, r.signal.id)).executed, true);
    const [trade] = (await listTrades(ctx.store, { portfolioId: p.id })).items;
    assert.equal(trade?.signalId, r.signal.id);
    assert.equal(trade?.tradeIdeaId, r.proposal?.idea.id);
    assert.equal(trade?.strategyId, strategy.id);
    assert.equal(trade?.stopLoss?.toString(), '95');
    assert.equal(trade?.reasoning, 'breakout');

    // Closing signal: the round trip closes with pnl_r from the stop distance.
    const close = await actOnSignal(ctx.store, {
      signal: {
        portfolioId: p.id,
        strategyId: strategy.id,
        assetId: btc,
        price: '110',
        action: 'sell',
        confidence: 0.9,
        quantity: '2',
      },
      fill: { fee: '0.2' },
    });
    assert.ok(close.fill?.closedPosition);
    assert.equal(close.fill?.trade?.outcome, 'win');
    assert.equal(close.fill?.trade?.pnl?.toString(), '19.6');
    assert.equal(close.fill?.trade?.pnlR?.toString(), '1.96');
    assert.ok((await getPortfolio(ctx.store, p.id)).cashBalance.eq('10019.6'));
  });

  test('actOnSignal stops at needs_approval and halted_by_risk; hold proposes nothing', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    await openGate(ctx.store, { aiTradingEnabled: false });
    const waiting = await actOnSignal(ctx.store, {
      signal: {
        portfolioId: p.id,
        strategyId: strategy.id,
        assetId: eth,
        price: '10',
        action: 'sell',
        confidence: 0.9,
        quantity: '1',
      },
      fill: {},
    });
    assert.equal(waiting.proposal?.idea.status, 'needs_approval');
    assert.equal(waiting.order, null);
    assert.equal((await getSignal(ctx.store, waiting.signal.id)).executed, false);
    await openGate(ctx.store, { maxLotSize: '0.5' });
    const halted = await actOnSignal(ctx.store, {
      signal: {
        portfolioId: p.id,
        strategyId: strategy.id,
        assetId: eth,
        price: '10',
        action: 'buy',
        confidence: 0.9,
        quantity: '1',
      },
    });
    assert.equal(halted.proposal?.idea.status, 'halted_by_risk');
    assert.equal(halted.order, null);
    const hold = await actOnSignal(ctx.store, {
      signal: {
        portfolioId: p.id,
        strategyId: strategy.id,
        assetId: eth,
        price: '10',
        action: 'hold',
        confidence: 0.5,
      },
    });
    assert.equal(hold.proposal, null);
    const decisions = await listDecisions(ctx.store, { portfolioId: p.id });
    assert.deepEqual(
      decisions.items.map((d) => d.action),
      ['ai_proposed', 'risk_rejected'],
    );
  });

  test('a failing step rolls the whole chain back', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    await openGate(ctx.store);
    const before = await tradingState(ctx.store);
    // The fill is larger than the order: refused after the signal, idea and order were written.
    await assert.rejects(
      actOnSignal(ctx.store, {
        signal: {
          portfolioId: p.id,
          strategyId: strategy.id,
          assetId: btc,
          price: '10',
          action: 'buy',
          confidence: 0.9,
          quantity: '1',
        },
        fill: { quantity: '2' },
      }),
      /exceeds order/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
  });
});
