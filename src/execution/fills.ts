/**
 * Fills: one transaction updates the order (status; filled quantity = Σ fills), the position
 * (src/trading/position-accounting.ts `applyFill`), the round trip (src/trading/round-trips.ts
 * `applyFillToTrade`) and the portfolio's cash, or nothing at all.
 *
 * Refused, with nothing written: a fill on an order that is not new/open/partially filled, a fill
 * larger than the order's remaining quantity, a limit order filled through its limit, a fill whose
 * (venue, exchange_trade_id) was already recorded with different terms (the same terms again return
 * the first fill: exchange feeds replay). Concurrency: on PostgreSQL the order row and then the
 * portfolio row are locked `for update` before anything is read, so two fills of one portfolio
 * apply one after the other; SQLite write transactions are serialised by BEGIN IMMEDIATE.
 * Test-mode orders build test-mode positions and trades and leave the portfolio's cash alone.
 *
 * `recordFillIn` runs three named steps: read the state (locked), apply the core's accounting
 * (pure), write what it computed.
 */
import type { Decimal } from 'decimal.js';
import { dec, intOrNull, moneyParam, numOrNull, str, strOrNull } from '../db/column-values.ts';
import type { Store } from '../db/store.ts';
import { recordChange } from '../events/outbox.ts';
import { inTransaction, type Read, reading, type Tx } from '../db/transaction.ts';
import { TradingError } from '../input/errors.ts';
import { id } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { loadPortfolio, type PortfolioView } from '../portfolios/portfolios.ts';
import { findOpenPosition, type PositionView, positions, positionState } from '../portfolios/positions.ts';
import { divideRounded, exact, ZERO } from '../trading/exact.ts';
import {
  applyFill,
  type FillEffect,
  type PositionState,
  unrealizedPnl,
} from '../trading/position-accounting.ts';
import { applyFillToTrade, type TradeState } from '../trading/round-trips.ts';
import { assertTransition } from '../trading/transitions.ts';
import {
  FillInput,
  type FillResult,
  type FillView,
  fills,
  type ParsedFill,
  replayedFill,
} from './fill-rows.ts';
import { orders } from './order-rows.ts';
import { loadOrder, type OrderView } from './orders.ts';
import { type OpenBook, openBookReads, trades, type TradeView, tradeState } from './trades.ts';

export { FillInput, type FillResult, type FillView, fills, type ParsedFill } from './fill-rows.ts';

const FILLABLE = new Set(['new', 'open', 'partially_filled']);

/** What the fill path needs about the order's origin when it opens a round trip. */
export interface Attribution {
  strategyId: number | null;
  stopLoss: Decimal | null;
  takeProfit: Decimal | null;
  reasoning: string | null;
  confidence: number | null;
}

async function attribution(tx: Tx, order: OrderView): Promise<Attribution> {
  if (order.tradeIdeaId !== null) {
    const row = await tx.get(
      'select strategy_id, stop_loss, take_profit, rationale, confidence from trade_ideas where id = ?',
      [order.tradeIdeaId],
    );
    if (row) {
      return {
        strategyId: intOrNull(row.strategy_id),
        stopLoss: row.stop_loss === null ? null : dec(row.stop_loss),
        takeProfit: row.take_profit === null ? null : dec(row.take_profit),
        reasoning: strOrNull(row.rationale),
        confidence: numOrNull(row.confidence),
      };
    }
  }
  if (order.signalId !== null) {
    const row = await tx.get('select strategy_id, reason, confidence from signals where id = ?', [
      order.signalId,
    ]);
    if (row) {
      return {
        strategyId: intOrNull(row.strategy_id),
        stopLoss: null,
        takeProfit: null,
        reasoning: strOrNull(row.reason),
        confidence: numOrNull(row.confidence),
      };
    }
  }
  return { strategyId: null, stopLoss: null, takeProfit: null, reasoning: null, confidence: null };
}

/** What a caller that created the order in this same transaction already holds. */
export interface KnownToFill {
  order?: OrderView;
  /** Already locked by the caller in this transaction. */
  portfolio?: PortfolioView;
  attribution?: Attribution;
  venue?: string;
  now?: Date;
  /**
   * The order's book as the caller read it under the portfolio's lock, in this transaction, with
   * nothing written to positions or trades since: its open position and open round trip.
   */
  book?: OpenBook;
}

/** Everything the accounting needs, read under the order's and the portfolio's locks. */
interface FillState {
  order: OrderView;
  portfolio: PortfolioView;
  venue: string;
  /** The order's status once this fill is applied. */
  status: 'filled' | 'partially_filled';
  filled: Decimal;
  before: PositionView | null;
  openTrade: TradeView | null;
  fee: Decimal;
  ts: Date;
  now: Date;
}

/** The order's rules for a fill: fillable status, remaining quantity, limit price. Returns the new status. */
function checkFillAgainstOrder(order: OrderView, x: ParsedFill) {
  if (!FILLABLE.has(order.status)) {
    throw new TradingError(
      `order ${order.id} is ${order.status}: only new, open or partially filled orders take fills`,
    );
  }
  if (x.quantity.gt(order.remainingQuantity)) {
    throw new TradingError(
      `fill of ${x.quantity} exceeds order ${order.id}'s remaining ${order.remainingQuantity} ` +
        `(ordered ${order.quantity}, filled ${order.filledQuantity})`,
    );
  }
  if (
    order.limitPrice !== null &&
    (order.side === 'buy' ? x.price.gt(order.limitPrice) : x.price.lt(order.limitPrice))
  ) {
    throw new TradingError(
      `fill price ${x.price} is through order ${order.id}'s ${order.side} limit ${order.limitPrice}`,
    );
  }
  const filled = exact(order.filledQuantity).plus(x.quantity);
  const status = filled.eq(order.quantity) ? 'filled' : 'partially_filled';
  assertTransition('order', order.status, status);
  return { filled, status } as const;
}

/** Step 1: the state before the fill, locked; or the first fill when this one is a replay. */
async function readFillState(tx: Tx, x: ParsedFill, known: KnownToFill): Promise<FillState | FillResult> {
  const now = known.now ?? new Date();
  // Lock order first, then its portfolio (the one lock order every writer uses: no deadlock).
  const order = known.order ?? (await loadOrder(tx, x, { lock: true }));
  const portfolio = known.portfolio ?? (await loadPortfolio(tx, order.portfolioId, { lock: true }));
  const venue =
    x.venue ??
    known.venue ??
    str((await tx.get<{ venue: unknown }>('select venue from assets where id = ?', [order.assetId]))?.venue);
  const first = await replayedFill(tx, x, order, venue);
  if (first) return duplicateResult(tx, first, order, portfolio.cashBalance);

  const { filled, status } = checkFillAgainstOrder(order, x);
  const book = known.book;
  const [before, openTrade] =
    book?.portfolioId === order.portfolioId &&
    book.assetId === order.assetId &&
    book.testMode === order.testMode
      ? [book.position, book.openTrade]
      : await tx.readEach(openBookReads(tx, order.portfolioId, order.assetId, order.testMode));
  return {
    order,
    portfolio,
    venue,
    status,
    filled,
    before,
    openTrade,
    fee: exact(x.fee ?? 0),
    ts: x.ts ?? now,
    now,
  };
}

/** What the core computes for a fill: the position's effect and the round trips'. */
interface Accounting {
  effect: FillEffect;
  trade: TradeState | null;
  opened: TradeState | null;
  /** Where the lifecycle the fill opens came from (null when it opens none). */
  origin: Attribution | null;
}

/** A stored state the core refuses (RangeError) is a refusal of this fill, not a crash. */
function refusedAsTradingError<T>(order: OrderView, apply: () => T): T {
  try {
    return apply();
  } catch (error) {
    if (error instanceof RangeError) {
      throw new TradingError(`fill on order ${order.id} does not fit the stored position: ${error.message}`);
    }
    throw error;
  }
}

/**
 * Step 2: the core's accounting, pure but for one read: the origin of a lifecycle the fill opens
 * (the idea's or signal's strategy, stop, target), needed for the new round trip.
 */
async function accountFill(tx: Tx, state: FillState, x: ParsedFill, known: KnownToFill): Promise<Accounting> {
  const { order, fee } = state;
  const effect = refusedAsTradingError(order, () =>
    applyFill(state.before ? positionState(state.before) : null, {
      side: order.side,
      quantity: x.quantity,
      price: x.price,
      fee,
    }),
  );
  const origin = known.attribution ?? (effect.opened ? await attribution(tx, order) : null);
  const roundTrips = refusedAsTradingError(order, () =>
    applyFillToTrade(
      state.openTrade ? tradeState(state.openTrade) : null,
      { side: order.side, quantity: x.quantity, price: x.price, fee, at: state.ts },
      effect,
      { stopLoss: origin?.stopLoss ?? null },
    ),
  );
  return { effect, trade: roundTrips.trade, opened: roundTrips.opened, origin };
}

/** The round-trip fields the core computes. */
function tradeColumns(t: TradeState) {
  return {
    direction: t.direction,
    quantity: t.quantity,
    entryPrice: t.entryPrice,
    exitPrice: t.exitPrice,
    entryTime: t.entryAt,
    exitTime: t.exitAt,
    fees: t.fees,
    pnl: t.pnl,
    pnlR: t.pnlR,
    entryValue: t.entryValue,
    exitQuantity: t.exitQuantity,
    exitValue: t.exitValue,
    outcome: t.outcome,
    stopLoss: t.stopLoss,
  };
}

/**
 * Step 3a: the round trip the fill updated (its update held back: `Tx.later`) and the insert of
 * the one it opened, for `writeFill` to send with the fill's.
 */
function writeRoundTrips(tx: Tx, state: FillState, a: Accounting) {
  const { order, now } = state;
  let trade: TradeView | null = null;
  if (state.openTrade && a.trade) {
    // Direction and entry time never change within a lifecycle: not rewritten (an assigned
    // column costs SQLite its index updates even when the value is the same).
    const { direction: _direction, entryTime: _entryTime, ...changed } = tradeColumns(a.trade);
    const changes = { ...changed, updatedAt: now };
    trades.updateLater(tx, state.openTrade.id, changes);
    trade = { ...state.openTrade, ...changes };
  }
  let opening: Read<TradeView> | null = null;
  if (a.opened) {
    const origin = a.origin!;
    opening = trades.inserting(tx, {
      portfolioId: order.portfolioId,
      strategyId: origin.strategyId,
      signalId: order.signalId,
      tradeIdeaId: order.tradeIdeaId,
      assetId: order.assetId,
      ...tradeColumns(a.opened),
      takeProfit: origin.takeProfit,
      reasoning: origin.reasoning,
      confidence: origin.confidence,
      isBacktest: false,
      backtestRunId: null,
      externalRef: null,
      testMode: order.testMode,
      botVersion: order.botVersion,
      createdAt: now,
      updatedAt: now,
    });
  }
  return { trade, opening };
}

function positionColumns(s: PositionState) {
  return {
    quantity: s.quantity,
    averageEntryPrice: s.averageEntryPrice,
    costBasis: s.costBasis,
    realizedPnl: s.realizedPnl,
    status: s.status,
  };
}

/**
 * Step 3b: the position the fill changed (closed, on a close or flip; its update held back) and
 * the insert of the one it opened, for `writeFill` to send with the fill's.
 */
function writePositions(tx: Tx, state: FillState, a: Accounting, exitPrice: Decimal | null) {
  const { order, before, ts, now } = state;
  let closedPosition: PositionView | null = null;
  let position: PositionView | null = null;
  if (before) {
    const after = a.effect.closedPosition ?? a.effect.position;
    // The last mark's unrealized P&L was for the quantity then held: a closed position has none
    // left, a resized one is revalued at the same mark (the next snapshot moves the mark).
    const unrealized =
      after.status === 'closed'
        ? ZERO
        : before.markPrice === null
          ? null
          : exact(unrealizedPnl(after, before.markPrice));
    const changes = {
      ...positionColumns(after),
      averageExitPrice: exitPrice ?? before.averageExitPrice,
      unrealizedPnl: unrealized,
      closedAt: after.status === 'closed' ? ts : null,
      updatedAt: now,
    };
    positions.updateLater(tx, before.id, changes);
    if (after.status === 'closed') closedPosition = { ...before, ...changes };
    else position = { ...before, ...changes };
  }
  let opening: Read<PositionView> | null = null;
  if (a.effect.opened) {
    const opened = a.effect.position;
    opening = positions.inserting(tx, {
      portfolioId: order.portfolioId,
      assetId: order.assetId,
      side: opened.side,
      ...positionColumns(opened),
      averageExitPrice: null,
      unrealizedPnl: null,
      markPrice: null,
      markedAt: null,
      openedAt: ts,
      closedAt: null,
      testMode: order.testMode,
      botVersion: order.botVersion,
      createdAt: now,
      updatedAt: now,
    });
  }
  return { closedPosition, position, opening };
}

/**
 * The events of one fill, in the order a reader wants them: the fill, the order's new status, the
 * position closed and/or changed or opened (a flip does both), the round trip updated (closed when
 * it has an outcome) and the one opened.
 */
function recordFillEvents(
  tx: Tx,
  fill: FillView,
  order: OrderView,
  r: {
    trade: TradeView | null;
    openedTrade: TradeView | null;
    closedPosition: PositionView | null;
    position: PositionView | null;
    opened: boolean;
  },
): void {
  const portfolioId = order.portfolioId;
  recordChange(tx, 'fill', 'recorded', { ...fill, portfolioId, assetId: order.assetId });
  recordChange(tx, 'order', order.status, order);
  if (r.closedPosition) recordChange(tx, 'position', 'closed', r.closedPosition);
  if (r.position) recordChange(tx, 'position', r.opened ? 'opened' : 'changed', r.position);
  if (r.trade) recordChange(tx, 'trade', r.trade.outcome === 'open' ? 'changed' : 'closed', r.trade);
  if (r.openedTrade) recordChange(tx, 'trade', 'opened', r.openedTrade);
}

/** Step 3: writes what the accounting computed: fill, round trips, positions, cash, the order's status. */
async function writeFill(tx: Tx, state: FillState, x: ParsedFill, a: Accounting): Promise<FillResult> {
  const { order, portfolio, now } = state;
  // Round trips first: the position stores the exit VWAP the round trip computes. Their updates
  // are held back and go first (a position closed before one opens on the same asset); the fill
  // and the rows it opens are inserted together, in one round trip on PostgreSQL.
  const { trade, opening: tradeOpening } = writeRoundTrips(tx, state, a);
  const changed = writePositions(tx, state, a, trade?.exitPrice ?? null);
  const fillRow = fills.inserting(tx, {
    orderId: order.id,
    venue: state.venue,
    quantity: x.quantity,
    price: x.price,
    fee: state.fee,
    feeCurrency: x.feeCurrency ?? null,
    liquidity: x.liquidity ?? null,
    ts: state.ts,
    exchangeTradeId: x.exchangeTradeId ?? null,
    testMode: order.testMode,
    botVersion: x.botVersion ?? order.botVersion,
    createdAt: now,
  });
  const [fill, openedTrade, opened] = await tx.readEach([fillRow, tradeOpening, changed.opening]);
  const { closedPosition } = changed;
  const position = opened ?? changed.position;
  // Cash moves with production fills only.
  const cashDelta = order.testMode ? dec(0) : a.effect.cashDelta;
  const cashBalance = exact(portfolio.cashBalance).plus(cashDelta);
  if (!order.testMode) {
    tx.later('update portfolios set cash_balance = ?, updated_at = ? where id = ?', [
      moneyParam(cashBalance, 'cash balance'),
      tx.time(now),
      portfolio.id,
    ]);
  }
  orders.updateLater(tx, order.id, { status: state.status, updatedAt: now });
  const filledValue = order.filledValue.plus(exact(x.quantity).times(exact(x.price)));
  const filledOrder = {
    ...order,
    status: state.status,
    filledQuantity: state.filled,
    filledValue,
    remainingQuantity: exact(order.quantity).minus(state.filled),
    averageFillPrice: divideRounded(filledValue, state.filled),
    updatedAt: now,
  };
  recordFillEvents(tx, fill, filledOrder, {
    trade,
    openedTrade,
    closedPosition,
    position,
    opened: a.effect.opened,
  });
  return {
    fill,
    order: filledOrder,
    position,
    closedPosition,
    trade,
    openedTrade,
    realizedPnl: a.effect.realizedPnl,
    cashDelta,
    cashBalance,
    duplicate: false,
  };
}

/**
 * Applies one fill inside a transaction: read the state, apply the core's accounting, write it.
 * `known` lets a caller that just created the order in the same transaction skip re-reading it
 * (`order` with its current fills, `attribution` of its idea).
 */
export async function recordFillIn(tx: Tx, x: ParsedFill, known: KnownToFill = {}): Promise<FillResult> {
  const state = await readFillState(tx, x, known);
  if ('duplicate' in state) return state;
  const accounting = await accountFill(tx, state, x, known);
  return writeFill(tx, state, x, accounting);
}

async function duplicateResult(
  tx: Tx,
  first: FillView,
  order: OrderView,
  cash: Decimal,
): Promise<FillResult> {
  return {
    fill: first,
    order,
    position: await findOpenPosition(tx, order.portfolioId, order.assetId, order.testMode),
    closedPosition: null,
    trade: null,
    openedTrade: null,
    realizedPnl: dec(0),
    cashDelta: dec(0),
    cashBalance: cash,
    duplicate: true,
  };
}

/**
 * Records a fill of an order: order status and filled quantity, position, round trip and cash in
 * one transaction. Anything inconsistent is refused and nothing is written.
 */
export async function recordFill(store: Store, input: FillInput): Promise<FillResult> {
  const x = parseInput(FillInput, input, 'fill');
  return inTransaction(store, (tx) => recordFillIn(tx, x));
}

/** The fills of an order, in the order they were recorded. */
export async function listFills(store: Store, input: { orderId: number }): Promise<FillView[]> {
  const orderId = parseInput(id, input.orderId, 'order id');
  return reading(store, async (tx) =>
    (await tx.all('select * from fills where order_id = ? order by ts, id', [orderId])).map(fills.fromRow),
  );
}
