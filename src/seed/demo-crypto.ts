/**
 * The crypto story of the demo: round trips of the two crypto strategies through the services,
 * and the scripted cases a dashboard should show (a resting limit canceled, an idea nobody
 * answered, an oversized idea halted, a venue rejection, the approval queue, a queued idea).
 */
import { actOnSignal } from '../execution/chain.ts';
import { recordFill } from '../execution/fills.ts';

import { cancelOrder, placeOrder } from '../execution/orders.ts';
import { recordSignal } from '../execution/signals.ts';
import { type CandleRow } from '../marketdata/candles.ts';

import { type RegisterStrategyInput } from '../strategies/strategies.ts';
import {
  type Demo,
  type Direction,
  expectStatus,
  HOUR,
  HOURS,
  type Indicators,
  iso,
  partOf,
  percentFee,
  planTrips,
  px,
  signalInput,
  type Trip,
} from './demo-context.ts';
import {
  canceledRestingLimit,
  context,
  type CryptoPlan,
  expiredIdea,
  haltedThenResumed,
  momentumSecondVersion,
  offWatchlistIdea,
  restingTakeProfit,
  venueRejection,
  waitingProposal,
} from './demo-crypto-stories.ts';

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

  const plan: CryptoPlan = { demo, btc, eth, btcInd, ethInd, btcId, ethId, btcTrips, momentumV2 };
  momentumSecondVersion(plan);
  canceledRestingLimit(plan);
  expiredIdea(plan);
  haltedThenResumed(plan);
  venueRejection(plan);
  offWatchlistIdea(plan);
  waitingProposal(plan);
  restingTakeProfit(plan);
}

/** What the steps of one crypto round trip share: the trip, its market and its entry bar. */
interface CryptoLeg {
  demo: Demo;
  trip: Trip;
  assetId: number;
  symbol: string;
  strategyId: number;
  /** The quote currency: fees are charged in it. */
  quote: string;
  entryBar: CandleRow;
  /** The entry bar's close: the entry's signal, limit and fill price. */
  entryPrice: string;
  /** The hour after the entry bar opened: when the entry signal arrives. */
  entryAt: number;
}

type Components = (i: number, d: Direction) => Record<string, unknown>;

/** Entry through actOnSignal (auto-executed), exit through a signal, an order and its fill. */
export function cryptoTrip(
  demo: Demo,
  trip: Trip,
  assetId: number,
  symbol: string,
  strategyId: number,
  bars: CandleRow[],
  components: Components,
): void {
  const entryBar = bars[trip.entry]!;
  const leg: CryptoLeg = {
    demo,
    trip,
    assetId,
    symbol,
    strategyId,
    quote: symbol.split('/')[1]!,
    entryBar,
    entryPrice: px(entryBar.close),
    entryAt: entryBar.ts + HOUR,
  };
  demo.at(leg.entryAt, () => enterAutoExecuted(leg, components));
  const exit = trip.exit;
  if (!exit) return;
  demo.at(exit.at, () => closeCryptoTrip(leg, exit));
}

/** How much of the entry order fills: 60 % (the rest canceled), 45 % (the rest left resting), or all. */
function entryFillQuantity(trip: Trip): string {
  const places = trip.quantity.split('.')[1]?.length ?? 0;
  if (trip.mode === 'partial_then_cancel') return partOf(trip.quantity, '0.6', places);
  if (trip.mode === 'partial_open') return partOf(trip.quantity, '0.45', places);
  return trip.quantity;
}

/** The entry: the signal passes the risk gate, its idea is auto-executed and the order (partly) fills. */
async function enterAutoExecuted(leg: CryptoLeg, components: Components): Promise<void> {
  const { demo, trip, symbol, entryBar, entryPrice: price, entryAt: t } = leg;
  const long = trip.direction === 'long';
  const fillQuantity = entryFillQuantity(trip);
  const r = await actOnSignal(demo.store, {
    signal: signalInput(demo, {
      portfolioId: demo.crypto,
      strategyId: leg.strategyId,
      assetId: leg.assetId,
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
      snapshotRef: `indicator_snapshots:${symbol}:1h:${entryBar.ts}`,
    },
    // Limit entries rest at the entry bar's close; the client order id is drawn before the fill's id.
    order:
      trip.mode !== 'market'
        ? { type: 'limit', limitPrice: price, timeInForce: 'gtc', clientOrderId: demo.clientOrderId() }
        : { type: 'market', clientOrderId: demo.clientOrderId() },
    fill: {
      price,
      quantity: fillQuantity,
      fee: percentFee(fillQuantity, price),
      feeCurrency: leg.quote,
      ts: new Date(t + 2_000),
      exchangeTradeId: demo.exchangeTradeId(),
    },
  });
  expectStatus(r.proposal?.idea.status, 'auto_executed', `the ${symbol} entry at ${iso(t)}`);
  trip.filled = fillQuantity;
  if (trip.mode === 'partial_then_cancel') cancelUnfilledRemainder(demo, r.order!.id, t + 2 * HOUR);
}

/** Two hours after a partial fill, the rest of the entry order is canceled. */
function cancelUnfilledRemainder(demo: Demo, orderId: number, at: number): void {
  demo.at(at, async () => {
    await cancelOrder(demo.store, { orderId, reason: 'unfilled remainder canceled after 2 hours' });
  });
}

type TripExit = NonNullable<Trip['exit']>;

/** Why the bot closed the trip, in its signal's words. */
function exitReason(exit: TripExit): string {
  if (exit.reason === 'stop') return `Stop loss hit at ${exit.price}`;
  if (exit.reason === 'target') return `Take profit reached at ${exit.price}`;
  return 'Maximum holding time reached: exit at the close';
}

/** The exit: a closing signal, a market order for what the entry filled, and its taker fill. */
async function closeCryptoTrip(leg: CryptoLeg, exit: TripExit): Promise<void> {
  const { demo, assetId } = leg;
  const quantity = leg.trip.filled!;
  const action = leg.trip.direction === 'long' ? 'sell' : 'buy';
  const signal = await recordSignal(
    demo.store,
    signalInput(demo, {
      portfolioId: demo.crypto,
      strategyId: leg.strategyId,
      assetId,
      ts: exit.at,
      price: exit.price,
      action,
      confidence: 0.9,
      components: { exit: { reason: exit.reason, entry: leg.entryPrice, exit: exit.price } },
      reason: exitReason(exit),
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
    feeCurrency: leg.quote,
    liquidity: 'taker',
    ts: new Date(exit.at + 1_500),
    exchangeTradeId: demo.exchangeTradeId(),
  });
}
