/**
 * The crypto story of the demo: round trips of the two crypto strategies through the services,
 * and the scripted cases a dashboard should show (a resting limit canceled, an idea nobody
 * answered, an oversized idea halted, a venue rejection, the approval queue, a queued idea).
 */
import { actOnSignal } from '../execution/chain.ts';
import { recordFill } from '../execution/fills.ts';
import { expireTradeIdea, queueTradeIdea } from '../execution/ideas.ts';
import { acknowledgeOrder, cancelOrder, placeOrder, rejectOrder } from '../execution/orders.ts';
import { recordSignal } from '../execution/signals.ts';
import { type CandleRow } from '../marketdata/candles.ts';
import { recordErrorLog } from '../operations/error-logs.ts';
import { haltAiTrading, resumeAiTrading } from '../portfolios/risk-configs.ts';
import { type RegisterStrategyInput, registerStrategy } from '../strategies/strategies.ts';
import {
  BASE,
  DEMO_USER_EMAIL,
  type Demo,
  DemoSeedError,
  type Direction,
  END,
  HOUR,
  HOURS,
  type Indicators,
  MINUTE,
  type Trip,
  expectStatus,
  iso,
  percentFee,
  planTrips,
  px,
  qty,
  r4,
  round2,
} from './demo-context.ts';

/** What the crypto stories read: the bars, their indicators, the assets and the trips planned. */
interface CryptoPlan {
  demo: Demo;
  btc: CandleRow[];
  eth: CandleRow[];
  btcInd: Indicators;
  ethInd: Indicators;
  btcId: number;
  ethId: number;
  context: (ind: Indicators, bars: CandleRow[], i: number, direction: Direction) => Record<string, unknown>;
  btcTrips: ReturnType<typeof planTrips>;
  momentumV2: RegisterStrategyInput;
}

export function planCrypto(
  demo: Demo,
  btc: CandleRow[],
  btcInd: Indicators,
  eth: CandleRow[],
  ethInd: Indicators,
  momentumV2: RegisterStrategyInput,
): void {
  const rng = demo.rng;
  const btcId = demo.asset['BTC/USDT']!;
  const ethId = demo.asset['ETH/USDT']!;
  const btcTrips = planTrips(
    rng,
    btc,
    {
      notional: 20_000,
      places: 4,
      maxQuantity: 9.5,
      stopPct: 0.025,
      targetPct: 0.05,
      maxHold: 72,
      barMs: HOUR,
      direction: (i) => (btc[i]!.close >= (btcInd.sma50[i] ?? 0) ? 'long' : 'short'),
    },
    { from: 230, to: HOURS - 110, openAt: HOURS - 20, gap: [18, 90] },
    (n) => (n === 4 ? 'limit' : 'market'),
    'market',
  );
  const ethTrips = planTrips(
    rng,
    eth,
    {
      notional: 12_000,
      places: 3,
      maxQuantity: 9.5,
      stopPct: 0.03,
      targetPct: 0.045,
      maxHold: 60,
      barMs: HOUR,
      direction: (i) => ((ethInd.rsi14[i] ?? 50) < 50 ? 'long' : 'short'),
    },
    { from: 260, to: HOURS - 110, openAt: HOURS - 10, gap: [18, 90] },
    (n) => (n === 2 ? 'partial_then_cancel' : n === 6 ? 'limit' : 'market'),
    'partial_open',
  );
  const context = (ind: Indicators, bars: CandleRow[], i: number, direction: Direction) => {
    const action = direction === 'long' ? 'buy' : 'sell';
    return {
      trend: { action, close: bars[i]!.close, sma_50: r4(ind.sma50[i]), sma_200: r4(ind.sma200[i]) },
      rsi: { value: r4(ind.rsi14[i]), action: (ind.rsi14[i] ?? 50) < 50 ? 'buy' : 'sell' },
      macd: { value: r4(ind.macd[i]), signal: r4(ind.macdSignal[i]) },
      volatility: { atr_14: r4(ind.atr14[i]) },
    };
  };
  for (const trip of btcTrips) {
    cryptoTrip(demo, trip, btcId, 'BTC/USDT', demo.strategy.momentum!, btc, (i, d) =>
      context(btcInd, btc, i, d),
    );
  }
  for (const trip of ethTrips) {
    cryptoTrip(demo, trip, ethId, 'ETH/USDT', demo.strategy.meanReversion!, eth, (i, d) =>
      context(ethInd, eth, i, d),
    );
  }

  const plan: CryptoPlan = { demo, btc, eth, btcInd, ethInd, btcId, ethId, context, btcTrips, momentumV2 };
  momentumSecondVersion(plan);
  canceledRestingLimit(plan);
  expiredIdea(plan);
  haltedThenResumed(plan);
  venueRejection(plan);
  offWatchlistIdea(plan);
  waitingProposal(plan);
  restingTakeProfit(plan);
}

/** Crypto Momentum's config changes half-way: a second strategy_versions row; later signals carry it. */
function momentumSecondVersion(plan: CryptoPlan): void {
  const { demo, momentumV2 } = plan;
  demo.at(BASE + (HOURS / 2) * HOUR, async () => {
    const change = await registerStrategy(demo.store, momentumV2);
    if (!change.versionCreated)
      throw new DemoSeedError('demo script: Crypto Momentum v2 made no new version');
  });
}

/** An auto-executed limit order that never fills: acknowledged by the venue, canceled 3 h later. */
function canceledRestingLimit(plan: CryptoPlan): void {
  const { demo, btc, btcInd, btcId, context } = plan;
  const hc = 410;
  demo.at(btc[hc]!.ts + HOUR, async () => {
    const price = btc[hc]!.close;
    const direction: Direction = 'long';
    const r = await actOnSignal(demo.store, {
      signal: signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId: demo.strategy.momentum!,
        assetId: btcId,
        ts: btc[hc]!.ts + HOUR,
        price,
        action: 'buy',
        confidence: 0.72,
        components: context(btcInd, btc, hc, direction),
        reason: 'Pullback to the 50h SMA in an uptrend: bid below the market',
        quantity: '0.25',
      }),
      idea: {
        stopLoss: px(round2(price * 0.97)),
        takeProfit: px(round2(price * 1.05)),
        expectedHold: '2d',
        rationale: 'Buy the dip with a resting limit 1.5% below the last close',
      },
      order: {
        type: 'limit',
        limitPrice: px(round2(price * 0.985)),
        timeInForce: 'gtc',
        clientOrderId: demo.clientOrderId(),
      },
    });
    expectStatus(r.proposal?.idea.status, 'auto_executed', 'the resting BTC limit idea');
    const orderId = r.order!.id;
    await acknowledgeOrder(demo.store, { orderId, exchangeOrderId: `demo-ex-${orderId}` });
    demo.at(btc[hc]!.ts + 4 * HOUR, async () => {
      await cancelOrder(demo.store, { orderId, reason: 'limit not reached within 3 hours' });
    });
  });
}

/** Low confidence: needs approval; nobody decides within 4 hours and it expires. */
function expiredIdea(plan: CryptoPlan): void {
  const { demo, eth, ethInd, ethId, context } = plan;
  const he = 700;
  demo.at(eth[he]!.ts + HOUR, async () => {
    const price = eth[he]!.close;
    const r = await actOnSignal(demo.store, {
      signal: signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId: demo.strategy.momentum!,
        assetId: ethId,
        ts: eth[he]!.ts + HOUR,
        price,
        action: 'buy',
        confidence: 0.58,
        components: context(ethInd, eth, he, 'long'),
        reason: 'Weak breakout above the range high on thin volume',
        quantity: '4',
      }),
      idea: {
        stopLoss: px(round2(price * 0.97)),
        takeProfit: px(round2(price * 1.045)),
        expectedHold: '1d',
        expiresAt: new Date(eth[he]!.ts + 5 * HOUR),
      },
    });
    expectStatus(r.proposal?.idea.status, 'needs_approval', 'the low-confidence ETH idea');
    const ideaId = r.proposal!.idea.id;
    demo.at(eth[he]!.ts + 5 * HOUR, async () => {
      const expired = await expireTradeIdea(demo.store, { ideaId });
      expectStatus(expired.status, 'expired', 'the unanswered ETH idea');
    });
  });
}

/** Oversized: the gate halts it (max lot size), then a human pauses and resumes AI trading. */
function haltedThenResumed(plan: CryptoPlan): void {
  const { demo, eth, ethInd, ethId, context } = plan;
  const hh = 905;
  demo.at(eth[hh]!.ts + HOUR, async () => {
    const price = eth[hh]!.close;
    const r = await actOnSignal(demo.store, {
      signal: signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId: demo.strategy.meanReversion!,
        assetId: ethId,
        ts: eth[hh]!.ts + HOUR,
        price,
        action: 'buy',
        confidence: 0.81,
        components: context(ethInd, eth, hh, 'long'),
        reason: 'RSI washout after a liquidation cascade',
        quantity: '25',
      }),
      idea: {
        stopLoss: px(round2(price * 0.97)),
        takeProfit: px(round2(price * 1.045)),
        expectedHold: '2d',
        rationale: 'Position sizer proposed 25 ETH from a stale volatility estimate',
      },
    });
    expectStatus(r.proposal?.idea.status, 'halted_by_risk', 'the oversized ETH idea');
    await haltAiTrading(demo.store, {
      actor: DEMO_USER_EMAIL,
      reason: 'Pausing AI trading to check the position sizer after a 25 ETH proposal',
      botVersion: demo.botVersion,
    });
    await resumeAiTrading(demo.store, {
      actor: DEMO_USER_EMAIL,
      reason: 'Sizer fixed (volatility cache refreshed); resuming',
      botVersion: demo.botVersion,
    });
  });
}

/** The venue refuses an order far from the market. */
function venueRejection(plan: CryptoPlan): void {
  const { demo, eth, ethId } = plan;
  const hr = 1500;
  demo.at(eth[hr]!.ts + HOUR + 10 * MINUTE, async () => {
    const clientOrderId = demo.clientOrderId();
    const { order } = await placeOrder(demo.store, {
      portfolioId: demo.crypto,
      assetId: ethId,
      side: 'buy',
      type: 'limit',
      quantity: '3',
      limitPrice: px(round2(eth[hr]!.close * 0.5)),
      timeInForce: 'gtc',
      clientOrderId,
      botVersion: demo.botVersion,
    });
    const reason = 'Filter failure: PERCENT_PRICE_BY_SIDE';
    await rejectOrder(demo.store, { orderId: order.id, reason });
    await recordErrorLog(demo.store, {
      level: 'error',
      source: 'order-router',
      message: `binance rejected order ${clientOrderId}: ${reason}`,
      context: { orderId: order.id, clientOrderId, symbol: 'ETH/USDT', venue: 'binance' },
      ts: new Date(eth[hr]!.ts + HOUR + 10 * MINUTE + 400),
      botVersion: demo.botVersion,
    });
  });
}

/** Off the strategy's watchlist: waits in the approval queue at the end of the period. */
function offWatchlistIdea(plan: CryptoPlan): void {
  const { demo, btc, btcInd, btcId, context } = plan;
  const hp = HOURS - 6;
  demo.at(btc[hp]!.ts + HOUR, async () => {
    const price = btc[hp]!.close;
    const r = await actOnSignal(demo.store, {
      signal: signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId: demo.strategy.meanReversion!,
        assetId: btcId,
        ts: btc[hp]!.ts + HOUR,
        price,
        action: 'buy',
        confidence: 0.78,
        components: context(btcInd, btc, hp, 'long'),
        reason: 'RSI divergence on BTC (outside this strategy’s ETH-only watchlist)',
        quantity: '0.2',
      }),
      idea: {
        stopLoss: px(round2(price * 0.97)),
        takeProfit: px(round2(price * 1.045)),
        expectedHold: '1d',
        rationale: 'Same setup as the ETH rule, applied to BTC: a human should confirm',
      },
    });
    expectStatus(r.proposal?.idea.status, 'needs_approval', 'the off-watchlist BTC idea');
  });
}

/** A proposal queued for the gate, not evaluated yet (`waiting`, no decision row: nobody decided). */
function waitingProposal(plan: CryptoPlan): void {
  const { demo, eth, ethInd, ethId, context } = plan;
  const hw = HOURS - 2;
  demo.at(eth[hw]!.ts + HOUR, async () => {
    const price = eth[hw]!.close;
    const direction: Direction = (ethInd.rsi14[hw] ?? 50) < 50 ? 'long' : 'short';
    const long = direction === 'long';
    const signal = await recordSignal(
      demo.store,
      signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId: demo.strategy.meanReversion!,
        assetId: ethId,
        ts: eth[hw]!.ts + HOUR,
        price,
        action: long ? 'buy' : 'sell',
        confidence: 0.74,
        components: context(ethInd, eth, hw, direction),
        reason: 'RSI stretched; queued for the risk gate',
        quantity: '3',
      }),
    );
    await queueTradeIdea(demo.store, {
      signalId: signal.id,
      stopLoss: px(round2(price * (long ? 0.97 : 1.03))),
      takeProfit: px(round2(price * (long ? 1.045 : 0.955))),
      expectedHold: '1d',
      rationale: 'RSI stretched; queued for the risk gate',
    });
  });
}

/** A resting take-profit for the BTC position still open at the end. */
function restingTakeProfit(plan: CryptoPlan): void {
  const { demo, btcId, btcTrips } = plan;
  const last = btcTrips.at(-1)!;
  demo.at(END - 30 * MINUTE, async () => {
    const { order } = await placeOrder(demo.store, {
      portfolioId: demo.crypto,
      assetId: btcId,
      side: last.direction === 'long' ? 'sell' : 'buy',
      type: 'limit',
      quantity: last.filled!,
      limitPrice: last.target,
      timeInForce: 'gtc',
      clientOrderId: demo.clientOrderId(),
      botVersion: demo.botVersion,
    });
    await acknowledgeOrder(demo.store, { orderId: order.id, exchangeOrderId: `demo-ex-${order.id}` });
  });
}

/** A production signal of the demo bot. */
export function signalInput(
  demo: Demo,
  s: {
    portfolioId: number;
    strategyId: number;
    assetId: number;
    ts: number;
    price: number | string;
    action: 'buy' | 'sell' | 'hold';
    confidence: number;
    components: Record<string, unknown>;
    reason: string;
    quantity?: string;
  },
) {
  return {
    ...s,
    ts: new Date(s.ts),
    price: typeof s.price === 'number' ? px(s.price) : s.price,
    aggregationMethod: 'weighted_vote',
    testMode: false,
    botVersion: demo.botVersion,
  };
}

/** Entry through actOnSignal (auto-executed), exit through a signal, an order and its fill. */
export function cryptoTrip(
  demo: Demo,
  trip: Trip,
  assetId: number,
  symbol: string,
  strategyId: number,
  bars: CandleRow[],
  components: (i: number, d: Direction) => Record<string, unknown>,
): void {
  const long = trip.direction === 'long';
  const bar = bars[trip.entry]!;
  const price = px(bar.close);
  const t = bar.ts + HOUR;
  const quote = symbol.split('/')[1]!;
  demo.at(t, async () => {
    const places = trip.quantity.split('.')[1]?.length ?? 0;
    const fillQuantity =
      trip.mode === 'partial_then_cancel'
        ? qty(Number(trip.quantity) * 0.6, places)
        : trip.mode === 'partial_open'
          ? qty(Number(trip.quantity) * 0.45, places)
          : trip.quantity;
    const limit = trip.mode !== 'market';
    const r = await actOnSignal(demo.store, {
      signal: signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId,
        assetId,
        ts: t,
        price,
        action: long ? 'buy' : 'sell',
        confidence: trip.confidence,
        components: components(trip.entry, trip.direction),
        reason: `${long ? 'Long' : 'Short'} ${symbol}: ${long ? 'above' : 'below'} trend filter, confluence met`,
        quantity: trip.quantity,
      }),
      idea: {
        stopLoss: trip.stop,
        takeProfit: trip.target,
        expectedHold: '1-3d',
        snapshotRef: `indicator_snapshots:${symbol}:1h:${bar.ts}`,
      },
      order: limit
        ? { type: 'limit', limitPrice: price, timeInForce: 'gtc', clientOrderId: demo.clientOrderId() }
        : { type: 'market', clientOrderId: demo.clientOrderId() },
      fill: {
        price,
        quantity: fillQuantity,
        fee: percentFee(fillQuantity, price),
        feeCurrency: quote,
        ts: new Date(t + 2_000),
        exchangeTradeId: demo.exchangeTradeId(),
      },
    });
    expectStatus(r.proposal?.idea.status, 'auto_executed', `the ${symbol} entry at ${iso(t)}`);
    trip.filled = fillQuantity;
    if (trip.mode === 'partial_then_cancel') {
      const orderId = r.order!.id;
      demo.at(t + 2 * HOUR, async () => {
        await cancelOrder(demo.store, { orderId, reason: 'unfilled remainder canceled after 2 hours' });
      });
    }
  });
  const exit = trip.exit;
  if (!exit) return;
  demo.at(exit.at, async () => {
    const quantity = trip.filled!;
    const action = long ? 'sell' : 'buy';
    const signal = await recordSignal(
      demo.store,
      signalInput(demo, {
        portfolioId: demo.crypto,
        strategyId,
        assetId,
        ts: exit.at,
        price: exit.price,
        action,
        confidence: 0.9,
        components: { exit: { reason: exit.reason, entry: price, exit: exit.price } },
        reason:
          exit.reason === 'stop'
            ? `Stop loss hit at ${exit.price}`
            : exit.reason === 'target'
              ? `Take profit reached at ${exit.price}`
              : 'Maximum holding time reached: exit at the close',
        quantity,
      }),
    );
    const { order } = await placeOrder(demo.store, {
      portfolioId: demo.crypto,
      assetId,
      side: action,
      type: 'market',
      quantity,
      signalId: signal.id,
      clientOrderId: demo.clientOrderId(),
      botVersion: demo.botVersion,
    });
    await recordFill(demo.store, {
      orderId: order.id,
      quantity,
      price: exit.price,
      fee: percentFee(quantity, exit.price),
      feeCurrency: quote,
      liquidity: 'taker',
      ts: new Date(exit.at + 1_500),
      exchangeTradeId: demo.exchangeTradeId(),
    });
  });
}
