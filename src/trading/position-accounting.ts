/**
 * Position accounting from fills: average-cost method, spot-style cash.
 *
 * Conventions (see README.md for the full list):
 * - A PositionState is one lifecycle of a position, from the fill that opens it to the fill that
 *   closes it. A fill on a closed position (or on `null`) opens a new lifecycle.
 * - costBasis is the exact entry value of the open quantity: what was paid for a long, what was
 *   received for a short (fees excluded). It is the source of truth; averageEntryPrice is derived
 *   from it (costBasis / quantity, rounded to 18 places) for display and persistence.
 * - Reducing releases the proportional share of costBasis, costBasis × closed / quantity rounded
 *   to 18 places; a full close releases all of it. Every rounding residue therefore stays inside
 *   the open position and is released on the close, so a lifecycle's realized P&L is exactly its
 *   cash flows: Σ sale proceeds − Σ purchase costs − Σ fees.
 * - Realized P&L is NET of fees: a fee is charged to realized P&L on the fill that pays it,
 *   including the opening fill (a freshly opened position shows realizedPnl = −fee). Gross P&L
 *   (before fees) is reported alongside. Negative fees (maker rebates) are allowed.
 * - Cash: a buy pays quantity × price + fee, a sell receives quantity × price − fee, whether it
 *   opens a short or closes a long. Hence, for every portfolio at every moment:
 *     cash − initial cash + Σ signed cost (long +costBasis, short −costBasis) = Σ net realized P&L.
 * - A fill larger than the open quantity flips: it closes the position (closedPosition) and opens
 *   the opposite side with the remainder at the fill price (position). Its fee is split pro rata
 *   by quantity between the two lifecycles (closing share rounded to 18 places, the opening share
 *   is the exact remainder).
 */
import type { Decimal } from 'decimal.js';
import { divideRounded, exact, ZERO } from './exact.ts';

export type PositionSide = 'long' | 'short';
export type FillSide = 'buy' | 'sell';
export type PositionStatus = 'open' | 'closed';

export interface PositionState {
  side: PositionSide;
  /** > 0 while open, 0 once closed. */
  quantity: Decimal;
  /** costBasis / quantity rounded half-even to 18 places; kept at its last value once closed. */
  averageEntryPrice: Decimal;
  /** Exact entry value of the open quantity (paid for a long, received for a short); 0 once closed. */
  costBasis: Decimal;
  /** Cumulative net realized P&L of this lifecycle (fees already deducted). */
  realizedPnl: Decimal;
  status: PositionStatus;
}

export interface Fill {
  side: FillSide;
  /** > 0 */
  quantity: Decimal;
  /** ≥ 0 (a prediction-market share can settle at 0) */
  price: Decimal;
  /** In the quote currency; negative for a rebate. */
  fee: Decimal;
}

export interface FillEffect {
  /** State after the fill; on a flip, the new opposite-side position. */
  position: PositionState;
  /** Final state of the lifecycle this fill ended (full close or flip), else null. */
  closedPosition: PositionState | null;
  /** Net realized P&L of this fill: grossRealizedPnl − fee. */
  realizedPnl: Decimal;
  /** Realized P&L of the reducing part before fees. */
  grossRealizedPnl: Decimal;
  /** Change of cash: −(qty × price + fee) for a buy, qty × price − fee for a sell. */
  cashDelta: Decimal;
  /** Quantity that reduced the previous position (0 when the fill only opens or adds). */
  closedQuantity: Decimal;
  /** Quantity that opened or added to `position` (0 when the fill only reduces). */
  openedQuantity: Decimal;
  /** Share of the fee that belongs to the reducing part (the lifecycle being reduced). */
  closingFee: Decimal;
  /** Share of the fee that belongs to the opening/adding part. */
  openingFee: Decimal;
  /** The fill started a new lifecycle (from flat, or the new side of a flip). */
  opened: boolean;
  /** The fill closed one side and opened the other. */
  flipped: boolean;
  /** The fill ended a lifecycle (full close, or the old side of a flip). */
  closed: boolean;
}

function sideOf(fill: FillSide): PositionSide {
  return fill === 'buy' ? 'long' : 'short';
}

function checkFill(fill: Fill): Fill {
  if (fill.side !== 'buy' && fill.side !== 'sell') throw new RangeError(`fill side must be buy or sell`);
  const quantity = exact(fill.quantity, 'fill quantity');
  const price = exact(fill.price, 'fill price');
  const fee = exact(fill.fee, 'fill fee');
  if (!quantity.gt(0)) throw new RangeError(`fill quantity must be > 0, got ${quantity.toString()}`);
  if (price.lt(0)) throw new RangeError(`fill price must be >= 0, got ${price.toString()}`);
  return { side: fill.side, quantity, price, fee };
}

function checkOpen(position: PositionState): PositionState {
  const quantity = exact(position.quantity, 'position quantity');
  const costBasis = exact(position.costBasis, 'position costBasis');
  if (!quantity.gt(0)) throw new RangeError(`an open position must have quantity > 0`);
  if (costBasis.lt(0)) throw new RangeError(`position costBasis must be >= 0`);
  return {
    side: position.side,
    quantity,
    costBasis,
    averageEntryPrice: exact(position.averageEntryPrice, 'position averageEntryPrice'),
    realizedPnl: exact(position.realizedPnl, 'position realizedPnl'),
    status: 'open',
  };
}

function openState(side: PositionSide, quantity: Decimal, costBasis: Decimal, realizedPnl: Decimal) {
  return {
    side,
    quantity,
    costBasis,
    averageEntryPrice: divideRounded(costBasis, quantity),
    realizedPnl,
    status: 'open',
  } satisfies PositionState;
}

/** Applies one fill to a position (null or closed = flat) and returns the new state and its effects. */
export function applyFill(position: PositionState | null, rawFill: Fill): FillEffect {
  const fill = checkFill(rawFill);
  const notional = fill.quantity.times(fill.price);
  const cashDelta = fill.side === 'buy' ? notional.plus(fill.fee).neg() : notional.minus(fill.fee);
  const fillSide = sideOf(fill.side);
  const current = position === null || position.status === 'closed' ? null : checkOpen(position);

  // Flat, or same side: open or add. Adding re-averages: cost bases add exactly.
  if (current === null || current.side === fillSide) {
    const quantity = (current?.quantity ?? ZERO).plus(fill.quantity);
    const costBasis = (current?.costBasis ?? ZERO).plus(notional);
    const realizedPnl = (current?.realizedPnl ?? ZERO).minus(fill.fee);
    return {
      position: openState(fillSide, quantity, costBasis, realizedPnl),
      closedPosition: null,
      realizedPnl: fill.fee.neg(),
      grossRealizedPnl: ZERO,
      cashDelta,
      closedQuantity: ZERO,
      openedQuantity: fill.quantity,
      closingFee: ZERO,
      openingFee: fill.fee,
      opened: current === null,
      flipped: false,
      closed: false,
    };
  }

  // Opposite side: reduce, close, or flip.
  const closedQuantity = smaller(fill.quantity, current.quantity);
  const remainder = fill.quantity.minus(closedQuantity);
  const flipped = remainder.gt(0);
  const fullyClosed = closedQuantity.eq(current.quantity);
  const releasedCost = fullyClosed
    ? current.costBasis
    : divideRounded(current.costBasis.times(closedQuantity), current.quantity);
  const exitValue = closedQuantity.times(fill.price);
  const grossRealizedPnl =
    current.side === 'long' ? exitValue.minus(releasedCost) : releasedCost.minus(exitValue);
  const closingFee = flipped ? divideRounded(fill.fee.times(closedQuantity), fill.quantity) : fill.fee;
  const openingFee = fill.fee.minus(closingFee);
  const realizedOfReduced = current.realizedPnl.plus(grossRealizedPnl).minus(closingFee);

  const reduced: PositionState = fullyClosed
    ? {
        side: current.side,
        quantity: ZERO,
        costBasis: ZERO,
        averageEntryPrice: current.averageEntryPrice,
        realizedPnl: realizedOfReduced,
        status: 'closed',
      }
    : openState(
        current.side,
        current.quantity.minus(closedQuantity),
        current.costBasis.minus(releasedCost),
        realizedOfReduced,
      );

  return {
    position: flipped
      ? openState(fillSide, remainder, remainder.times(fill.price), openingFee.neg())
      : reduced,
    closedPosition: fullyClosed ? reduced : null,
    realizedPnl: grossRealizedPnl.minus(fill.fee),
    grossRealizedPnl,
    cashDelta,
    closedQuantity,
    openedQuantity: remainder,
    closingFee,
    openingFee,
    opened: flipped,
    flipped,
    closed: fullyClosed,
  };
}

function smaller(a: Decimal, b: Decimal): Decimal {
  return a.lte(b) ? a : b;
}

/** Mark-to-market P&L of the open quantity at `markPrice` (exact; 0 for a closed position). */
export function unrealizedPnl(position: PositionState, markPrice: Decimal): Decimal {
  if (position.status === 'closed') return ZERO;
  const value = exact(position.quantity).times(exact(markPrice, 'mark price'));
  const cost = exact(position.costBasis);
  return position.side === 'long' ? value.minus(cost) : cost.minus(value);
}

/**
 * Replays fills in order from flat: the position a set of fills implies, for checking that a
 * stored position still agrees with its fills. realizedPnl and cashDelta are totals over all fills
 * (across lifecycles); position is the last lifecycle (null when there were no fills).
 */
export function replayFills(fills: readonly Fill[]): {
  position: PositionState | null;
  realizedPnl: Decimal;
  cashDelta: Decimal;
} {
  let position: PositionState | null = null;
  let realizedPnl = ZERO;
  let cashDelta = ZERO;
  for (const fill of fills) {
    const effect = applyFill(position, fill);
    position = effect.position;
    realizedPnl = realizedPnl.plus(effect.realizedPnl);
    cashDelta = cashDelta.plus(effect.cashDelta);
  }
  return { position, realizedPnl, cashDelta };
}
