/**
 * The crypto book's stories beside its round trips (src/seed/demo-crypto.ts): a second strategy
 * version, a canceled resting limit, an expired idea, a halt and resume, a venue rejection, an
 * off-watchlist idea, a waiting proposal and a resting take-profit.
 */
import { actOnSignal } from '../execution/chain.ts';

import { expireTradeIdea, queueTradeIdea } from '../execution/ideas.ts';
import { acknowledgeOrder, cancelOrder, placeOrder, rejectOrder } from '../execution/orders.ts';
import { recordSignal } from '../execution/signals.ts';
import { type CandleRow } from '../marketdata/candles.ts';
import { recordErrorLog } from '../operations/error-logs.ts';
import { haltAiTrading, resumeAiTrading } from '../portfolios/risk-configs.ts';
import { type RegisterStrategyInput, registerStrategy } from '../strategies/strategies.ts';
import {
  BASE,
  type Demo,
  DEMO_USER_EMAIL,
  DemoSeedError,
  type Direction,
  END,
  expectStatus,
  HOUR,
  HOURS,
  type Indicators,
  MINUTE,
  type planTrips,
  px,
  r4,
  round2,
  signalInput,
} from './demo-context.ts';

/** A signal's components at bar `i`: trend, RSI, MACD and volatility as the bots saw them. */
export function context(ind: Indicators, bars: CandleRow[], i: number, direction: Direction) {
  const action = direction === 'long' ? 'buy' : 'sell';
  return {
    trend: { action, close: bars[i]!.close, sma_50: r4(ind.sma50[i]), sma_200: r4(ind.sma200[i]) },
    rsi: { value: r4(ind.rsi14[i]), action: (ind.rsi14[i] ?? 50) < 50 ? 'buy' : 'sell' },
    macd: { value: r4(ind.macd[i]), signal: r4(ind.macdSignal[i]) },
    volatility: { atr_14: r4(ind.atr14[i]) },
  };
}

/** What the crypto stories read: the bars, their indicators, the assets and the trips planned. */
export interface CryptoPlan {
  demo: Demo;
  btc: CandleRow[];
  eth: CandleRow[];
  btcInd: Indicators;
  ethInd: Indicators;
  btcId: number;
  ethId: number;
  btcTrips: ReturnType<typeof planTrips>;
  momentumV2: RegisterStrategyInput;
}

/** Crypto Momentum's config changes half-way: a second strategy_versions row; later signals carry it. */
export function momentumSecondVersion(plan: CryptoPlan): void {
  const { demo, momentumV2 } = plan;
  demo.at(BASE + (HOURS / 2) * HOUR, async () => {
    const change = await registerStrategy(demo.store, momentumV2);
    if (!change.versionCreated)
      throw new DemoSeedError('demo script: Crypto Momentum v2 made no new version');
  });
}

/** An auto-executed limit order that never fills: acknowledged by the venue, canceled 3 h later. */
export function canceledRestingLimit(plan: CryptoPlan): void {
  const { demo, btc, btcInd, btcId } = plan;
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
export function expiredIdea(plan: CryptoPlan): void {
  const { demo, eth, ethInd, ethId } = plan;
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
export function haltedThenResumed(plan: CryptoPlan): void {
  const { demo, eth, ethInd, ethId } = plan;
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
export function venueRejection(plan: CryptoPlan): void {
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
export function offWatchlistIdea(plan: CryptoPlan): void {
  const { demo, btc, btcInd, btcId } = plan;
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
export function waitingProposal(plan: CryptoPlan): void {
  const { demo, eth, ethInd, ethId } = plan;
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
export function restingTakeProfit(plan: CryptoPlan): void {
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
