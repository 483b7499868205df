/**
 * Every change issue 12 lists appends exactly one event per changed thing, with the right topic,
 * change and payload (snake_case, decimals as strings), in the change's transaction: a refused
 * change appends none, and seq stays gap-free throughout.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { actOnSignal } from '../../src/execution/chain.ts';
import { recordFill } from '../../src/execution/fills.ts';
import {
  approveTradeIdea,
  expireTradeIdea,
  proposeTradeIdea,
  queueTradeIdea,
  rejectTradeIdea,
} from '../../src/execution/ideas.ts';
import { acknowledgeOrder, cancelOrder, placeOrder, rejectOrder } from '../../src/execution/orders.ts';
import { recordSignal } from '../../src/execution/signals.ts';
import { eventBounds, readEvents } from '../../src/events/reading.ts';
import { insertCandles } from '../../src/marketdata/candles.ts';
import { setBotStatus } from '../../src/operations/bot-status.ts';
import {
  haltAiTrading,
  removePortfolioRiskConfig,
  resumeAiTrading,
  setPortfolioRiskConfig,
} from '../../src/portfolios/risk-configs.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser, openGate } from '../execution/fixtures.ts';

eachDialect('events: one per listed change', (ctx) => {
  let portfolioId = 0;
  let asset = 0;
  let trader = { id: 0, email: '' };

  before(async () => {
    trader = await createUser(ctx.store, 'trader');
    portfolioId = (await createTestPortfolio(ctx.store, trader.id)).id;
    [asset] = (await createAssets(ctx.store, ['BTC/USDT'], `events-${ctx.dialect}`)) as [number];
  });

  /** The events `fn` appended, as [topic, change] pairs, plus the events themselves. */
  async function appended(fn: () => Promise<unknown>) {
    const { latestSeq } = await eventBounds(ctx.store);
    await fn();
    const events = await readEvents(ctx.store, { after: latestSeq, limit: 100 });
    return { pairs: events.map((e) => [e.topic, e.payload.change]), events };
  }

  async function refusedAppendsNothing(fn: () => Promise<unknown>) {
    const before = await eventBounds(ctx.store);
    await assert.rejects(fn());
    assert.deepEqual(await eventBounds(ctx.store), before);
  }

  test('risk config changes, a signal, and the whole chain to a fill', async () => {
    const gate = await appended(() => openGate(ctx.store));
    assert.deepEqual(gate.pairs, [['risk', 'changed']]);
    assert.equal(gate.events[0]!.portfolioId, null);

    const hold = await appended(() =>
      recordSignal(ctx.store, {
        assetId: asset,
        price: '100',
        action: 'hold',
        confidence: 0.5,
        strategyVersion: 'v1',
      }),
    );
    assert.deepEqual(hold.pairs, [['signal', 'recorded']]);
    assert.equal(hold.events[0]!.payload.price, '100');

    let fillId = 0;
    const chain = await appended(async () => {
      const r = await actOnSignal(ctx.store, {
        signal: {
          portfolioId,
          assetId: asset,
          price: '100.5',
          action: 'buy',
          confidence: 0.9,
          quantity: '2',
          strategyVersion: 'v1',
        },
        fill: { fee: '0.25' },
      });
      fillId = r.fill!.fill.id;
    });
    assert.deepEqual(chain.pairs, [
      ['signal', 'recorded'],
      ['idea', 'executed'],
      ['decision', 'recorded'],
      ['order', 'placed'],
      ['fill', 'recorded'],
      ['order', 'filled'],
      ['position', 'opened'],
      ['trade', 'opened'],
    ]);
    assert.ok(chain.events.every((e) => e.portfolioId === portfolioId));
    const decision = chain.events.find((e) => e.topic === 'decision')!.payload;
    assert.equal(decision.action, 'ai_auto_executed');
    assert.equal(decision.verdict, 'auto_executed');
    assert.ok(!('risk_check_result' in decision));
    assert.equal(chain.events[0]!.payload.change, 'recorded');
    const fill = chain.events.find((e) => e.topic === 'fill')!.payload;
    assert.equal(fill.id, fillId);
    assert.equal(fill.price, '100.5');
    assert.equal(fill.quantity, '2');
    assert.equal(fill.fee, '0.25');
    assert.equal(fill.portfolio_id, portfolioId);
    assert.equal(typeof fill.ts, 'string');
    assert.match(fill.ts as string, /^\d{4}-\d\d-\d\dT.*Z$/);
    assert.equal(fill.asset_id, asset);
    const position = chain.events.find((e) => e.topic === 'position')!.payload;
    assert.equal(position.quantity, '2');
    assert.equal(position.status, 'open');
    assert.ok(!('portfolioId' in position) && 'portfolio_id' in position);
  });

  test('an order placed, partly filled, closing the position and its round trip', async () => {
    let orderId = 0;
    const placed = await appended(async () => {
      orderId = (
        await placeOrder(ctx.store, {
          portfolioId,
          assetId: asset,
          side: 'sell',
          quantity: '2',
          type: 'market',
        })
      ).order.id;
    });
    assert.deepEqual(placed.pairs, [['order', 'placed']]);
    const ack = await appended(() => acknowledgeOrder(ctx.store, { orderId, exchangeOrderId: 'x-1' }));
    assert.deepEqual(ack.pairs, [['order', 'acknowledged']]);
    const partial = await appended(() => recordFill(ctx.store, { orderId, quantity: '1', price: '110' }));
    assert.deepEqual(partial.pairs, [
      ['fill', 'recorded'],
      ['order', 'partially_filled'],
      ['position', 'changed'],
      ['trade', 'changed'],
    ]);
    const rest = await appended(() => recordFill(ctx.store, { orderId, quantity: '1', price: '120' }));
    assert.deepEqual(rest.pairs, [
      ['fill', 'recorded'],
      ['order', 'filled'],
      ['position', 'closed'],
      ['trade', 'closed'],
    ]);
    const trade = rest.events.find((e) => e.topic === 'trade')!.payload;
    assert.equal(trade.outcome, 'win');
    assert.equal(typeof trade.pnl, 'string');

    await refusedAppendsNothing(() => recordFill(ctx.store, { orderId, quantity: '1', price: '120' }));
    await refusedAppendsNothing(() => cancelOrder(ctx.store, { orderId }));
  });

  test('orders canceled and rejected; refused orders append nothing', async () => {
    const { order: a } = await placeOrder(ctx.store, {
      portfolioId,
      assetId: asset,
      side: 'buy',
      quantity: '1',
      type: 'market',
    });
    const { order: b } = await placeOrder(ctx.store, {
      portfolioId,
      assetId: asset,
      side: 'buy',
      quantity: '1',
      type: 'market',
    });
    assert.deepEqual((await appended(() => cancelOrder(ctx.store, { orderId: a.id }))).pairs, [
      ['order', 'canceled'],
    ]);
    const rejected = await appended(() => rejectOrder(ctx.store, { orderId: b.id, reason: 'venue says no' }));
    assert.deepEqual(rejected.pairs, [['order', 'rejected']]);
    assert.equal(rejected.events[0]!.payload.reject_reason, 'venue says no');
    await refusedAppendsNothing(() =>
      placeOrder(ctx.store, {
        portfolioId: 999_999,
        assetId: asset,
        side: 'buy',
        quantity: '1',
        type: 'market',
      }),
    );
    // The same client_order_id again: a replay writes nothing.
    await placeOrder(ctx.store, {
      portfolioId,
      assetId: asset,
      side: 'buy',
      quantity: '1',
      type: 'market',
      clientOrderId: 'ev-1',
    });
    const replay = await appended(() =>
      placeOrder(ctx.store, {
        portfolioId,
        assetId: asset,
        side: 'buy',
        quantity: '1',
        type: 'market',
        clientOrderId: 'ev-1',
      }),
    );
    assert.deepEqual(replay.pairs, []);
  });

  test('ideas: proposed, needs approval, approved, rejected, halted, expired', async () => {
    const idea = { portfolioId, assetId: asset, direction: 'long' as const, quantity: '1', confidence: 0.8 };
    const queued = await appended(() => queueTradeIdea(ctx.store, idea));
    assert.deepEqual(queued.pairs, [['idea', 'proposed']]);
    const queuedId = queued.events[0]!.payload.id as number;
    assert.deepEqual((await appended(() => expireTradeIdea(ctx.store, { ideaId: queuedId }))).pairs, [
      ['idea', 'expired'],
    ]);
    await refusedAppendsNothing(() => expireTradeIdea(ctx.store, { ideaId: queuedId }));

    await openGate(ctx.store, { aiTradingEnabled: false });
    const asked = await appended(() => proposeTradeIdea(ctx.store, idea));
    assert.deepEqual(asked.pairs, [
      ['idea', 'needs_approval'],
      ['decision', 'recorded'],
    ]);
    const askedId = asked.events[0]!.payload.id as number;
    const approved = await appended(() =>
      approveTradeIdea(ctx.store, { ideaId: askedId, user: trader.email }),
    );
    assert.deepEqual(approved.pairs.slice(-2), [
      ['idea', 'approved'],
      ['decision', 'recorded'],
    ]);
    const second = (await proposeTradeIdea(ctx.store, idea)).idea.id;
    const rejected = await appended(() => rejectTradeIdea(ctx.store, { ideaId: second, user: trader.id }));
    assert.deepEqual(rejected.pairs, [
      ['idea', 'rejected'],
      ['decision', 'recorded'],
    ]);

    await openGate(ctx.store, { aiTradingEnabled: true, maxLotSize: '0.5' });
    const halted = await appended(() => proposeTradeIdea(ctx.store, idea));
    assert.deepEqual(halted.pairs, [
      ['idea', 'halted'],
      ['decision', 'recorded'],
    ]);
    await openGate(ctx.store);
  });

  test('risk halt and resume, portfolio overrides; bot status; candles per batch', async () => {
    const halt = await appended(() =>
      haltAiTrading(ctx.store, { portfolioId, actor: trader.email, reason: 'drawdown' }),
    );
    assert.deepEqual(halt.pairs, [
      ['decision', 'recorded'],
      ['risk', 'halted'],
    ]);
    assert.equal(halt.events[1]!.portfolioId, portfolioId);
    assert.equal(halt.events[1]!.payload.ai_trading_enabled, false);
    const resume = await appended(() => resumeAiTrading(ctx.store, { portfolioId, actor: trader.email }));
    assert.deepEqual(resume.pairs, [
      ['decision', 'recorded'],
      ['risk', 'resumed'],
    ]);
    assert.deepEqual(
      (await appended(() => setPortfolioRiskConfig(ctx.store, { portfolioId, maxLotSize: '3' }))).pairs,
      [['risk', 'changed']],
    );
    assert.deepEqual((await appended(() => removePortfolioRiskConfig(ctx.store, { portfolioId }))).pairs, [
      ['risk', 'changed'],
    ]);
    assert.deepEqual((await appended(() => removePortfolioRiskConfig(ctx.store, { portfolioId }))).pairs, []);

    const status = await appended(() =>
      setBotStatus(ctx.store, 'bot.heartbeat', { lastTick: 'x', camelKey: 1 }),
    );
    assert.deepEqual(status.pairs, [['bot_status', 'set']]);
    assert.deepEqual(status.events[0]!.payload, {
      change: 'set',
      key: 'bot.heartbeat',
      value: { lastTick: 'x', camelKey: 1 },
      bot_version: null,
      updated_at: status.events[0]!.payload.updated_at,
    });
    assert.equal(status.events[0]!.portfolioId, null);
    await refusedAppendsNothing(() => setBotStatus(ctx.store, '', 1));

    const bars = [0, 1, 2].map((i) => ({
      ts: 1_700_000_040_000 + i * 60_000,
      open: 1,
      high: 2,
      low: 0.5,
      close: 1.5,
      volume: 10,
    }));
    const candles = await appended(() => insertCandles(ctx.store, asset, '1m', bars));
    assert.deepEqual(
      candles.events.map((e) => e.payload),
      [
        {
          change: 'ingested',
          asset_id: asset,
          symbol: 'BTC/USDT',
          venue: `events-${ctx.dialect}`,
          timeframe: '1m',
          count: 3,
          first_ts: bars[0]!.ts,
          last_ts: bars[2]!.ts,
        },
      ],
    );
    // The same batch again changes nothing: no event.
    assert.deepEqual((await appended(() => insertCandles(ctx.store, asset, '1m', bars))).pairs, []);
  });

  test('seq is gap-free over everything above', async () => {
    const { latestSeq, oldestSeq } = await eventBounds(ctx.store);
    const all = await readEvents(ctx.store, { after: 0, limit: 10_000 });
    assert.equal(oldestSeq, 1);
    assert.deepEqual(
      all.map((e) => e.seq),
      Array.from({ length: latestSeq }, (_, i) => i + 1),
    );
  });
});
