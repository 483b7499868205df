/**
 * Orders and fills on both databases: idempotent client_order_id, the order lifecycle, refused fills,
 * replayed execution reports, concurrent fills on one portfolio, and test-mode isolation.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { actOnSignal } from '../../src/execution/chain.ts';
import { listFills, recordFill } from '../../src/execution/fills.ts';
import {
  acknowledgeOrder,
  cancelOrder,
  expireOrder,
  getOrder,
  listOrders,
  placeOrder,
  rejectOrder,
} from '../../src/execution/orders.ts';
import { listTrades } from '../../src/execution/trades.ts';
import { insertCandles } from '../../src/marketdata/candles.ts';
import { getPortfolio, updatePortfolio } from '../../src/portfolios/portfolios.ts';
import { getOpenPosition, listPositions } from '../../src/portfolios/positions.ts';
import { IllegalTransitionError } from '../../src/trading/transitions.ts';
import { eachDialect } from '../support/dialects.ts';
import { createAssets, createTestPortfolio, createUser, openGate, tradingState, unique } from './fixtures.ts';

eachDialect('orders and fills', (ctx) => {
  let ownerId = 0;
  let btc = 0;
  let eth = 0;

  before(async () => {
    ownerId = (await createUser(ctx.store)).id;
    [btc, eth] = (await createAssets(ctx.store, ['BTC/USDT', 'ETH/USDT'], `orders-${ctx.dialect}`)) as [
      number,
      number,
    ];
  });

  test('the same client_order_id twice returns the first order and writes nothing', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const terms = {
      portfolioId: p.id,
      assetId: btc,
      side: 'buy' as const,
      quantity: '0.5',
      clientOrderId: unique('cid'),
    };
    const first = await placeOrder(ctx.store, terms);
    assert.equal(first.created, true);
    const before = await tradingState(ctx.store);
    const second = await placeOrder(ctx.store, { ...terms, quantity: '0.500' });
    assert.equal(second.created, false);
    assert.equal(second.order.id, first.order.id);
    assert.deepEqual(await tradingState(ctx.store), before);
    await assert.rejects(
      placeOrder(ctx.store, { ...terms, quantity: '0.6' }),
      /already order \d+ with different terms/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
  });

  test('concurrent placements with one client_order_id make one order', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const terms = {
      portfolioId: p.id,
      assetId: btc,
      side: 'sell' as const,
      quantity: '2',
      clientOrderId: unique('race'),
    };
    const results = await Promise.all(Array.from({ length: 6 }, () => placeOrder(ctx.store, terms)));
    assert.equal(new Set(results.map((r) => r.order.id)).size, 1);
    assert.equal(results.filter((r) => r.created).length, 1);
    const listing = await listOrders(ctx.store, { portfolioId: p.id });
    assert.equal(listing.items.length, 1);
  });

  test('lifecycle: acknowledge, partial fill, cancel keeps the filled quantity; terminal orders take nothing', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId, '10000');
    const { order } = await placeOrder(ctx.store, {
      portfolioId: p.id,
      assetId: btc,
      side: 'buy',
      type: 'limit',
      limitPrice: '100',
      quantity: '3',
    });
    const open = await acknowledgeOrder(ctx.store, { orderId: order.id, exchangeOrderId: 'X-1' });
    assert.equal(open.status, 'open');
    assert.equal(open.exchangeOrderId, 'X-1');
    await assert.rejects(
      recordFill(ctx.store, { orderId: order.id, quantity: '1', price: '100.01' }),
      /through order \d+'s buy limit 100/,
    );
    const r1 = await recordFill(ctx.store, { orderId: order.id, quantity: '1', price: '99.5', fee: '0.25' });
    assert.equal(r1.order.status, 'partially_filled');
    assert.ok(r1.order.filledQuantity.eq(1));
    assert.ok(r1.order.remainingQuantity.eq(2));
    assert.ok(r1.cashBalance.eq('9900.25'));
    const canceled = await cancelOrder(ctx.store, { orderId: order.id, reason: 'enough' });
    assert.equal(canceled.status, 'canceled');
    assert.ok(canceled.filledQuantity.eq(1));
    const before = await tradingState(ctx.store);
    await assert.rejects(
      recordFill(ctx.store, { orderId: order.id, quantity: '1', price: '99' }),
      /is canceled: only new, open or partially filled/,
    );
    await assert.rejects(cancelOrder(ctx.store, { orderId: order.id }), IllegalTransitionError);
    await assert.rejects(rejectOrder(ctx.store, { orderId: order.id }), /'canceled' is terminal/);
    assert.deepEqual(await tradingState(ctx.store), before);
    assert.equal((await listFills(ctx.store, { orderId: order.id })).length, 1);
  });

  test('reject only a new order; expire keeps fills; overfills are refused', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const a = await placeOrder(ctx.store, { portfolioId: p.id, assetId: btc, side: 'buy', quantity: '1' });
    const rejected = await rejectOrder(ctx.store, { orderId: a.order.id, reason: 'insufficient margin' });
    assert.equal(rejected.status, 'rejected');
    assert.equal(rejected.rejectReason, 'insufficient margin');
    const b = await placeOrder(ctx.store, { portfolioId: p.id, assetId: btc, side: 'buy', quantity: '1' });
    await recordFill(ctx.store, { orderId: b.order.id, quantity: '0.4', price: '10' });
    await assert.rejects(rejectOrder(ctx.store, { orderId: b.order.id }), IllegalTransitionError);
    const before = await tradingState(ctx.store);
    await assert.rejects(
      recordFill(ctx.store, { orderId: b.order.id, quantity: '0.600000000000000001', price: '10' }),
      /exceeds order \d+'s remaining 0.6 \(ordered 1, filled 0.4\)/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
    const expired = await expireOrder(ctx.store, { clientOrderId: b.order.clientOrderId });
    assert.equal(expired.status, 'expired');
    assert.ok(expired.filledQuantity.eq('0.4'));
    assert.equal((await getOrder(ctx.store, { orderId: b.order.id })).status, 'expired');
  });

  test('a replayed execution report (same venue trade id) is recognised and changes nothing', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const { order } = await placeOrder(ctx.store, {
      portfolioId: p.id,
      assetId: eth,
      side: 'buy',
      quantity: '2',
    });
    const fill = { orderId: order.id, quantity: '1', price: '2000', fee: '1', exchangeTradeId: unique('T') };
    const first = await recordFill(ctx.store, fill);
    assert.equal(first.duplicate, false);
    const before = await tradingState(ctx.store);
    const again = await recordFill(ctx.store, fill);
    assert.equal(again.duplicate, true);
    assert.equal(again.fill.id, first.fill.id);
    assert.deepEqual(await tradingState(ctx.store), before);
    await assert.rejects(
      recordFill(ctx.store, { ...fill, price: '2001' }),
      /already fill \d+ of order \d+ with different terms/,
    );
  });

  test('concurrent fills on one portfolio lose no update', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId, '100000');
    const orders = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        placeOrder(ctx.store, {
          portfolioId: p.id,
          assetId: i % 2 === 0 ? btc : eth,
          side: 'buy',
          quantity: '2',
        }),
      ),
    );
    // Two fills per order, all at once.
    await Promise.all(
      orders.flatMap(({ order }, i) =>
        [0, 1].map(() =>
          recordFill(ctx.store, { orderId: order.id, quantity: '1', price: String(100 + i), fee: '0.5' }),
        ),
      ),
    );
    const cost = orders.reduce((s, _o, i) => s.plus(new Decimal(100 + i).times(2)).plus(1), new Decimal(0));
    const portfolio = await getPortfolio(ctx.store, p.id);
    assert.ok(portfolio.cashBalance.eq(new Decimal(100000).minus(cost)), `cash ${portfolio.cashBalance}`);
    const btcPos = await getOpenPosition(ctx.store, { portfolioId: p.id, assetId: btc });
    const ethPos = await getOpenPosition(ctx.store, { portfolioId: p.id, assetId: eth });
    assert.ok(btcPos!.quantity.eq(8) && ethPos!.quantity.eq(8));
    const trades = await listTrades(ctx.store, { portfolioId: p.id });
    assert.equal(trades.items.length, 2);
    for (const { order } of orders)
      assert.equal((await getOrder(ctx.store, { orderId: order.id })).status, 'filled');
  });

  test('test-mode orders build their own positions, never move cash, and are hidden unless asked for', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId, '5000');
    const prod = await placeOrder(ctx.store, { portfolioId: p.id, assetId: btc, side: 'buy', quantity: '1' });
    await recordFill(ctx.store, { orderId: prod.order.id, quantity: '1', price: '100' });
    const rehearsal = await placeOrder(ctx.store, {
      portfolioId: p.id,
      assetId: btc,
      side: 'sell',
      quantity: '3',
      testMode: true,
    });
    const r = await recordFill(ctx.store, { orderId: rehearsal.order.id, quantity: '3', price: '100' });
    assert.ok(r.cashDelta.isZero());
    assert.ok((await getPortfolio(ctx.store, p.id)).cashBalance.eq(4900));
    assert.equal(
      r.position?.side,
      'short',
      'the test fill opened a test short instead of reducing the live long',
    );
    const live = await listPositions(ctx.store, { portfolioId: p.id });
    assert.deepEqual(
      live.items.map((x) => [x.side, x.quantity.toString(), x.testMode]),
      [['long', '1', false]],
    );
    assert.deepEqual(live.counts, { production: 1, test: 1 });
    const all = await listPositions(ctx.store, { portfolioId: p.id, includeTest: true });
    assert.equal(all.items.length, 2);
    const onlyTest = await listPositions(ctx.store, { portfolioId: p.id, testMode: true });
    assert.deepEqual(
      onlyTest.items.map((x) => x.side),
      ['short'],
    );
    const orders = await listOrders(ctx.store, { portfolioId: p.id });
    assert.deepEqual(orders.counts, { production: 1, test: 1 });
    assert.equal(orders.items.length, 1);
  });

  test('paused portfolios take no orders; market orders take no limit price', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    await assert.rejects(
      placeOrder(ctx.store, { portfolioId: p.id, assetId: btc, side: 'buy', quantity: '1', limitPrice: '5' }),
      /a market order takes no limit price/,
    );
    await assert.rejects(
      placeOrder(ctx.store, {
        portfolioId: p.id,
        assetId: btc,
        side: 'buy',
        type: 'stop_limit',
        quantity: '1',
        limitPrice: '5',
      }),
      /needs a stop price/,
    );
    await updatePortfolio(ctx.store, { portfolioId: p.id, status: 'paused' });
    await assert.rejects(
      placeOrder(ctx.store, { portfolioId: p.id, assetId: btc, side: 'buy', quantity: '1' }),
      /is paused/,
    );
  });

  test("the portfolio's own limits refuse orders that add risk, and write nothing", async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    const [a, b] = (await createAssets(ctx.store, [unique('LIM/USDT'), unique('LIM2/USDT')], 'limits')) as [
      number,
      number,
    ];
    const limitBuy = (assetId: number, quantity: string, price: string) =>
      placeOrder(ctx.store, {
        portfolioId: p.id,
        assetId,
        side: 'buy',
        type: 'limit',
        quantity,
        limitPrice: price,
      });
    const buy = async (assetId: number, quantity: string, price: string) => {
      const { order } = await limitBuy(assetId, quantity, price);
      await recordFill(ctx.store, { orderId: order.id, quantity, price });
    };
    await buy(a, '2', '100'); // cost 200
    await updatePortfolio(ctx.store, {
      portfolioId: p.id,
      maxPositionSize: '250',
      maxTotalExposure: '300',
      maxPositions: 1,
    });
    let before = await tradingState(ctx.store);
    const refused = async (terms: object, message: RegExp) => {
      await assert.rejects(placeOrder(ctx.store, { portfolioId: p.id, ...terms } as never), message);
      assert.deepEqual(await tradingState(ctx.store), before);
    };
    // 200 held + 1 × 60 = 260 > 250
    await refused(
      { assetId: a, side: 'buy', type: 'limit', quantity: '1', limitPrice: '60' },
      /portfolio \d+'s limits: max_position_size: position value 260 after the order > limit 250/,
    );
    // a second position: 2 open > 1
    await refused(
      { assetId: b, side: 'buy', type: 'limit', quantity: '0.1', limitPrice: '10' },
      /max_positions: 2 open positions after the order, limit 1/,
    );
    // Working orders count as if they filled: 200 + 30 fits, a second 30 does not.
    const working = await limitBuy(a, '0.3', '100');
    const withWorking = await tradingState(ctx.store);
    await assert.rejects(
      limitBuy(a, '0.3', '100'),
      /max_position_size: position value 260 after the order > limit 250/,
    );
    assert.deepEqual(await tradingState(ctx.store), withWorking);
    await cancelOrder(ctx.store, { orderId: working.order.id });
    before = await tradingState(ctx.store);
    // a market order with no price anywhere cannot be valued
    await refused(
      { assetId: a, side: 'buy', quantity: '0.1' },
      /max_position_size: no price to value the order/,
    );
    // with a candle it is valued at the latest close: 200 + 0.5 × 100 = 250 passes (limits inclusive)
    await insertCandles(ctx.store, a, '1m', [
      { ts: Date.now() - 120_000, open: 90, high: 101, low: 89, close: 100, volume: 1 },
    ]);
    const ok = await placeOrder(ctx.store, { portfolioId: p.id, assetId: a, side: 'buy', quantity: '0.5' });
    await recordFill(ctx.store, { orderId: ok.order.id, quantity: '0.5', price: '100' });

    // Tightened below what is held: reducing still passes, a flip is valued on its new side.
    await updatePortfolio(ctx.store, { portfolioId: p.id, maxPositionSize: '100' });
    const sell = await placeOrder(ctx.store, {
      portfolioId: p.id,
      assetId: a,
      side: 'sell',
      type: 'limit',
      quantity: '1',
      limitPrice: '100',
    });
    assert.equal(sell.created, true);
    await assert.rejects(
      placeOrder(ctx.store, {
        portfolioId: p.id,
        assetId: a,
        side: 'sell',
        type: 'limit',
        quantity: '4',
        limitPrice: '100',
      }),
      /max_position_size: position value 150 after the order > limit 100/,
    );
    // Without limits everything goes through again.
    await updatePortfolio(ctx.store, {
      portfolioId: p.id,
      maxPositionSize: null,
      maxTotalExposure: null,
      maxPositions: null,
    });
    const free = await placeOrder(ctx.store, { portfolioId: p.id, assetId: b, side: 'buy', quantity: '5' });
    assert.equal(free.created, true);
  });

  test('two concurrent orders that each fit a limit but not together: one is refused', async () => {
    const p = await createTestPortfolio(ctx.store, ownerId);
    await updatePortfolio(ctx.store, { portfolioId: p.id, maxTotalExposure: '150' });
    const [x, y] = (await createAssets(ctx.store, [unique('RACE/USDT'), unique('RACE2/USDT')], 'race')) as [
      number,
      number,
    ];
    for (let round = 0; round < 5; round++) {
      const results = await Promise.allSettled(
        [x, y].map((assetId) =>
          placeOrder(ctx.store, {
            portfolioId: p.id,
            assetId,
            side: 'buy',
            type: 'limit',
            quantity: '1',
            limitPrice: '100',
          }),
        ),
      );
      const refused = results.filter((r) => r.status === 'rejected');
      assert.equal(refused.length, 1, JSON.stringify(results.map((r) => r.status)));
      assert.match(String((refused[0] as PromiseRejectedResult).reason), /max_total_exposure/);
      // Cancel the one that went through so the next round starts from nothing working.
      const placed = results.find((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
        order: { id: number };
      }>;
      await cancelOrder(ctx.store, { orderId: placed.value.order.id });
    }
  });

  test('in one chain the gate judges the limits; an order on other terms is checked again', async () => {
    await openGate(ctx.store);
    const p = await createTestPortfolio(ctx.store, ownerId);
    await updatePortfolio(ctx.store, { portfolioId: p.id, maxPositionSize: '150' });
    const [asset] = (await createAssets(ctx.store, [unique('CHAIN/USDT')], 'chain')) as [number];
    const signal = {
      portfolioId: p.id,
      assetId: asset,
      price: '100',
      action: 'buy' as const,
      confidence: 0.9,
      strategyVersion: 'manual',
    };
    // The gate values 1 at the signal's 100 (fits 150); a limit order at 200 is valued at 200.
    const before = await tradingState(ctx.store);
    await assert.rejects(
      actOnSignal(ctx.store, {
        signal: { ...signal, quantity: '1' },
        order: { type: 'limit', limitPrice: '200' },
      }),
      /order refused by portfolio \d+'s limits: max_position_size: position value 200 after the order > limit 150/,
    );
    assert.deepEqual(await tradingState(ctx.store), before);
    const passed = await actOnSignal(ctx.store, { signal: { ...signal, quantity: '1.5' }, fill: {} });
    assert.equal(passed.proposal?.idea.status, 'auto_executed');
    assert.equal(passed.fill?.order.status, 'filled');
  });
});
