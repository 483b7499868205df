/**
 * Round trips: the `trades` row of one position lifecycle, from the fill that opens the position
 * to the fill that closes it. On a flip the fill closes one round trip and opens another.
 *
 * The round trip does no accounting of its own: it consumes the FillEffect that applyFill
 * computed for the same fill, so a trade's pnl is, by construction, the realized P&L of its
 * position lifecycle (net of the fees attributed to it, fee split on a flip included).
 *
 * entryPrice / exitPrice are volume-weighted averages of the entry fills / the reducing fills.
 * They are derived from exact running sums (entryValue, exitValue, exitQuantity) and rounded
 * half-even to 18 places; the sums are kept so repeated averaging never compounds rounding.
 * Note entryPrice (VWAP of all entries) can differ from the position's averageEntryPrice when
 * adds follow partial exits (average cost re-bases on the remaining quantity); at the close both
 * views agree on pnl: for a long, pnl = exitValue − entryValue − fees.
 */
import type { Decimal } from 'decimal.js';
import { divideRounded, exact } from './exact.ts';
import type { Fill, FillEffect, PositionSide } from './position-accounting.ts';

export type TradeDirection = PositionSide;
export type TradeOutcome = 'win' | 'loss' | 'breakeven' | 'open';

export interface TradeState {
  direction: TradeDirection;
  /** Total quantity entered (opening fill plus adds). */
  quantity: Decimal;
  /** entryValue / quantity, 18 places. */
  entryPrice: Decimal;
  /** exitValue / exitQuantity, 18 places; null before the first reducing fill. */
  exitPrice: Decimal | null;
  entryAt: Date;
  /** Time of the fill that closed the round trip; null while open. */
  exitAt: Date | null;
  /** Fees attributed to this round trip (a flip's fee is split pro rata by quantity). */
  fees: Decimal;
  /** Net realized P&L so far (equals the position lifecycle's realizedPnl). */
  pnl: Decimal;
  /** pnl / (|entryPrice − stopLoss| × quantity), 18 places; null without a usable stop loss. */
  pnlR: Decimal | null;
  outcome: TradeOutcome;
  stopLoss: Decimal | null;
  /** Exact Σ quantity × price of the entry fills. */
  entryValue: Decimal;
  /** Exact Σ quantity of the reducing fills. */
  exitQuantity: Decimal;
  /** Exact Σ quantity × price of the reducing fills. */
  exitValue: Decimal;
}

export interface TradeFill extends Fill {
  at: Date;
}

export interface RoundTripUpdate {
  /** The round trip that was open before the fill, updated (null if the fill found none). */
  trade: TradeState | null;
  /** A round trip this fill started (from flat, or the new side of a flip), else null. */
  opened: TradeState | null;
}

/**
 * R multiple of a pnl: pnl / risk, risk = |entryPrice − stopLoss| × quantity computed exactly as
 * |entryValue − stopLoss × quantity|. Null when no stop loss is known or the risk is zero
 * (stop at the entry). A stop on the wrong side of the entry still measures distance: the caller
 * validates stops when the idea is created.
 */
export function rMultiple(
  pnl: Decimal,
  entryValue: Decimal,
  quantity: Decimal,
  stopLoss: Decimal | null,
): Decimal | null {
  if (stopLoss === null) return null;
  const risk = exact(entryValue)
    .minus(exact(stopLoss, 'stop loss').times(exact(quantity)))
    .abs();
  return risk.isZero() ? null : divideRounded(exact(pnl), risk);
}

/** Outcome of a closed round trip by its net pnl: exactly zero is breakeven. */
export function outcomeOf(pnl: Decimal): Exclude<TradeOutcome, 'open'> {
  const sign = exact(pnl).cmp(0);
  return sign > 0 ? 'win' : sign < 0 ? 'loss' : 'breakeven';
}

function derive(
  t: Omit<TradeState, 'entryPrice' | 'exitPrice' | 'pnlR' | 'outcome'>,
  closed: boolean,
): TradeState {
  return {
    ...t,
    entryPrice: divideRounded(t.entryValue, t.quantity),
    exitPrice: t.exitQuantity.gt(0) ? divideRounded(t.exitValue, t.exitQuantity) : null,
    pnlR: rMultiple(t.pnl, t.entryValue, t.quantity, t.stopLoss),
    outcome: closed ? outcomeOf(t.pnl) : 'open',
  };
}

/** Sets (or clears) the stop loss of a round trip and recomputes its R multiple. */
export function withStopLoss(trade: TradeState, stopLoss: Decimal | null): TradeState {
  return {
    ...trade,
    stopLoss: stopLoss === null ? null : exact(stopLoss, 'stop loss'),
    pnlR: rMultiple(trade.pnl, trade.entryValue, trade.quantity, stopLoss),
  };
}

type RunningSums = Omit<TradeState, 'entryPrice' | 'exitPrice' | 'pnlR' | 'outcome'>;

/** The open round trip's running sums, exact. */
function sumsOf(existing: TradeState): RunningSums {
  return {
    direction: existing.direction,
    quantity: exact(existing.quantity),
    entryAt: existing.entryAt,
    exitAt: existing.exitAt,
    fees: exact(existing.fees),
    pnl: exact(existing.pnl),
    stopLoss: existing.stopLoss === null ? null : exact(existing.stopLoss),
    entryValue: exact(existing.entryValue),
    exitQuantity: exact(existing.exitQuantity),
    exitValue: exact(existing.exitValue),
  };
}

/** A fill that reduces (or closes) the position: its exit, closing fee and realized pnl. */
function reduceTrade(base: RunningSums, fill: TradeFill, effect: FillEffect, price: Decimal): TradeState {
  return derive(
    {
      ...base,
      exitQuantity: base.exitQuantity.plus(effect.closedQuantity),
      exitValue: base.exitValue.plus(effect.closedQuantity.times(price)),
      fees: base.fees.plus(effect.closingFee),
      pnl: base.pnl.plus(effect.grossRealizedPnl).minus(effect.closingFee),
      exitAt: effect.closed ? fill.at : null,
    },
    effect.closed,
  );
}

/** A fill that adds to the position: more entry quantity and value, its opening fee. */
function addToTrade(base: RunningSums, effect: FillEffect, price: Decimal): TradeState {
  return derive(
    {
      ...base,
      quantity: base.quantity.plus(effect.openedQuantity),
      entryValue: base.entryValue.plus(effect.openedQuantity.times(price)),
      fees: base.fees.plus(effect.openingFee),
      pnl: base.pnl.minus(effect.openingFee),
    },
    false,
  );
}

/** The round trip a fill opens (from flat, or the far side of a flip). */
function openTrade(
  fill: TradeFill,
  effect: FillEffect,
  price: Decimal,
  stopLoss: Decimal | null | undefined,
) {
  return derive(
    {
      direction: effect.position.side,
      quantity: effect.openedQuantity,
      entryAt: fill.at,
      exitAt: null,
      fees: effect.openingFee,
      pnl: effect.openingFee.neg(),
      stopLoss: stopLoss == null ? null : exact(stopLoss, 'stop loss'),
      entryValue: effect.openedQuantity.times(price),
      exitQuantity: exact(0),
      exitValue: exact(0),
    },
    false,
  );
}

/**
 * Updates the round trips for one fill, given the FillEffect that applyFill returned for that
 * same fill and the position it was applied to. `trade` is the currently open round trip of the
 * position (null when the position was flat). `stopLoss` applies to a round trip this fill opens.
 */
export function applyFillToTrade(
  trade: TradeState | null,
  fill: TradeFill,
  effect: FillEffect,
  options: { stopLoss?: Decimal | null } = {},
): RoundTripUpdate {
  const price = exact(fill.price, 'fill price');
  const reduces = effect.closedQuantity.gt(0);
  const adds = effect.openedQuantity.gt(0) && !effect.opened;
  const existing = trade !== null && trade.outcome === 'open' ? trade : null;

  if ((reduces || adds) && existing === null) {
    throw new RangeError('fill reduces or adds to a position but no open round trip was given');
  }
  if (!reduces && !adds && existing !== null) {
    throw new RangeError('fill opens a new position but a round trip is still open');
  }

  let updated: TradeState | null = null;
  if (existing !== null) {
    const expectedSide = reduces ? (effect.closedPosition ?? effect.position).side : effect.position.side;
    if (existing.direction !== expectedSide) {
      throw new RangeError(`open round trip is ${existing.direction} but the position was ${expectedSide}`);
    }
    const base = sumsOf(existing);
    updated = reduces ? reduceTrade(base, fill, effect, price) : addToTrade(base, effect, price);
  }
  const opened = effect.opened ? openTrade(fill, effect, price, options.stopLoss) : null;
  return { trade: updated, opened };
}
