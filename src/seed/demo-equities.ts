/**
 * The equities story of the demo: every trade approved by a human, some rejected or left to
 * expire.
 */
import { actOnSignal } from '../execution/chain.ts';
import { recordFill } from '../execution/fills.ts';
import { approveTradeIdea, expireTradeIdea, rejectTradeIdea } from '../execution/ideas.ts';
import { placeOrder } from '../execution/orders.ts';
import { recordSignal } from '../execution/signals.ts';
import { type CandleRow } from '../marketdata/candles.ts';
import {
  DAY,
  type Demo,
  DEMO_USER_EMAIL,
  expectStatus,
  HOUR,
  iso,
  MINUTE,
  px,
  qty,
  round,
  round2,
  signalInput,
  type Trip,
  tripAt,
  type TripRules,
} from './demo-context.ts';

export function planEquities(demo: Demo, aapl: CandleRow[], msft: CandleRow[]): void {
  const rules: TripRules = {
    notional: 10_000,
    places: 0,
    maxQuantity: 400,
    stopPct: 0.04,
    targetPct: 0.08,
    maxHold: 10,
    barMs: DAY,
    direction: () => 'long',
  };
  const plan: Array<[string, CandleRow[], number, boolean]> = [
    ['AAPL', aapl, 3, false],
    ['MSFT', msft, 8, false],
    ['AAPL', aapl, 17, false],
    ['MSFT', msft, 25, false],
    ['AAPL', aapl, 33, false],
    ['MSFT', msft, 44, false],
    ['AAPL', aapl, 57, true],
  ];
  for (const [symbol, bars, entry, open] of plan) {
    const trip = tripAt(demo.rng, bars, entry, rules, 'market', open);
    // US session 14:30-21:00 UTC: stops and targets trigger intraday, time exits just before the close.
    if (trip.exit) {
      const day = bars[trip.exit.index]!.ts;
      trip.exit.at = day + (trip.exit.reason === 'time' ? 20 * HOUR + 50 * MINUTE : 17 * HOUR + 20 * MINUTE);
    }
    equityTrip(demo, trip, symbol, bars);
  }
  equityDecline(demo, 'MSFT', msft, 38, 'reject');
  equityDecline(demo, 'AAPL', aapl, 48, 'expire');
}

export function equityProposal(
  demo: Demo,
  symbol: string,
  bars: CandleRow[],
  i: number,
  confidence: number,
  quantity: string,
) {
  const bar = bars[i]!;
  const t = bar.ts + 20 * HOUR + 30 * MINUTE;
  const price = px(bar.close);
  return {
    t,
    price,
    input: {
      signal: signalInput(demo, {
        portfolioId: demo.equities,
        strategyId: demo.strategy.drift!,
        assetId: demo.asset[symbol]!,
        ts: t,
        price,
        action: 'buy' as const,
        confidence,
        components: {
          breakout: {
            action: 'buy',
            close: bar.close,
            high_20d: round2(Math.max(...bars.slice(Math.max(0, i - 20), i + 1).map((b) => b.high))),
          },
          earnings: { action: 'buy', surprisePct: round(3 + confidence * 4, 1) },
        },
        reason: `${symbol}: post-earnings breakout with volume`,
        quantity,
      }),
      idea: {
        stopLoss: px(round2(bar.close * 0.96)),
        takeProfit: px(round2(bar.close * 1.08)),
        expectedHold: '2w',
        rationale: `${symbol} drift setup; AI trading is off for equities, so a human decides`,
        snapshotRef: `candles:${symbol}:1d:${bar.ts}`,
      },
    },
  };
}

type EquityProposal = ReturnType<typeof equityProposal>;
type TripExit = NonNullable<Trip['exit']>;

/** A human approves the idea; it is bought late in the session and sold at its exit. */
export function equityTrip(demo: Demo, trip: Trip, symbol: string, bars: CandleRow[]): void {
  const p = equityProposal(demo, symbol, bars, trip.entry, Math.max(trip.confidence, 0.7), trip.quantity);
  demo.at(p.t, async () => {
    const ideaId = await approvedIdea(demo, symbol, p);
    await buyApproved(demo, trip, symbol, p, ideaId);
  });
  const exit = trip.exit;
  if (!exit) return;
  demo.at(exit.at, () => sellAtExit(demo, trip, symbol, p, exit));
}

/** The gate leaves the idea to a human (AI trading is off for equities); the demo user approves it. */
async function approvedIdea(demo: Demo, symbol: string, p: EquityProposal): Promise<number> {
  const r = await actOnSignal(demo.store, p.input);
  expectStatus(r.proposal?.idea.status, 'needs_approval', `the ${symbol} idea at ${iso(p.t)}`);
  const ideaId = r.proposal!.idea.id;
  const approved = await approveTradeIdea(demo.store, {
    ideaId,
    user: DEMO_USER_EMAIL,
    rationale: 'Setup confirmed on the daily chart; size per plan',
  });
  expectStatus(approved.idea.status, 'approved', `the ${symbol} approval`);
  return ideaId;
}

/** The approved idea's day market order, filled in full 15 minutes later at the proposal's price. */
async function buyApproved(
  demo: Demo,
  trip: Trip,
  symbol: string,
  p: EquityProposal,
  ideaId: number,
): Promise<void> {
  const { order } = await placeOrder(demo.store, {
    portfolioId: demo.equities,
    assetId: demo.asset[symbol]!,
    side: 'buy',
    type: 'market',
    timeInForce: 'day',
    quantity: trip.quantity,
    tradeIdeaId: ideaId,
    clientOrderId: demo.clientOrderId(),
    botVersion: demo.botVersion,
  });
  await recordFill(demo.store, {
    orderId: order.id,
    quantity: trip.quantity,
    price: p.price,
    fee: '1',
    feeCurrency: 'USD',
    liquidity: 'taker',
    ts: new Date(p.t + 15 * MINUTE),
    exchangeTradeId: demo.exchangeTradeId(),
  });
  trip.filled = trip.quantity;
}

/** Why the bot sold, in its signal's words. */
function exitReason(exit: TripExit): string {
  if (exit.reason === 'stop') return `Stop loss hit at ${exit.price}`;
  if (exit.reason === 'target') return `Take profit reached at ${exit.price}`;
  return 'Holding period over: exit at the close';
}

/** The exit: a sell signal, a day market order for what was bought, and its taker fill. */
async function sellAtExit(
  demo: Demo,
  trip: Trip,
  symbol: string,
  p: EquityProposal,
  exit: TripExit,
): Promise<void> {
  const assetId = demo.asset[symbol]!;
  const signal = await recordSignal(
    demo.store,
    signalInput(demo, {
      portfolioId: demo.equities,
      strategyId: demo.strategy.drift!,
      assetId,
      ts: exit.at,
      price: exit.price,
      action: 'sell',
      confidence: 0.9,
      components: { exit: { reason: exit.reason, entry: p.price, exit: exit.price } },
      reason: exitReason(exit),
      quantity: trip.filled!,
    }),
  );
  const { order } = await placeOrder(demo.store, {
    portfolioId: demo.equities,
    assetId,
    side: 'sell',
    type: 'market',
    timeInForce: 'day',
    quantity: trip.filled!,
    signalId: signal.id,
    clientOrderId: demo.clientOrderId(),
    botVersion: demo.botVersion,
  });
  await recordFill(demo.store, {
    orderId: order.id,
    quantity: trip.filled!,
    price: exit.price,
    fee: '1',
    feeCurrency: 'USD',
    liquidity: 'taker',
    ts: new Date(exit.at + 1_000),
    exchangeTradeId: demo.exchangeTradeId(),
  });
}

/** An equity idea a human rejects, or one left until it expires. */
export function equityDecline(
  demo: Demo,
  symbol: string,
  bars: CandleRow[],
  i: number,
  how: 'reject' | 'expire',
): void {
  const quantity = qty(10_000 / bars[i]!.close, 0);
  const p = equityProposal(demo, symbol, bars, i, 0.74, quantity);
  if (how === 'expire')
    p.input.idea = { ...p.input.idea, expiresAt: new Date(p.t + 18 * HOUR) } as typeof p.input.idea;
  demo.at(p.t, async () => {
    const r = await actOnSignal(demo.store, p.input);
    expectStatus(r.proposal?.idea.status, 'needs_approval', `the ${symbol} idea to ${how}`);
    const ideaId = r.proposal!.idea.id;
    if (how === 'reject') {
      const rejected = await rejectTradeIdea(demo.store, {
        ideaId,
        user: DEMO_USER_EMAIL,
        rationale: 'Gap up into resistance; not chasing it',
      });
      expectStatus(rejected.idea.status, 'rejected', `the ${symbol} rejection`);
      return;
    }
    demo.at(p.t + 18 * HOUR, async () => {
      const expired = await expireTradeIdea(demo.store, { ideaId });
      expectStatus(expired.status, 'expired', `the ${symbol} expiry`);
    });
  });
}
