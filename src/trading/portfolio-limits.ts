/**
 * A portfolio's own risk limits (portfolios.max_position_size, max_total_exposure, max_positions),
 * checked for every order that would add risk: an auto-executed idea, an approved one, or an order a
 * human places directly.
 *
 * | limit              | an order breaks it when, after the order fills completely            |
 * |--------------------|----------------------------------------------------------------------|
 * | max_positions      | it opens a new position and the open count would exceed the limit    |
 * | max_position_size  | the position's value in the base currency would exceed the limit     |
 * | max_total_exposure | Σ value of the open positions would exceed the limit                 |
 *
 * Values are cost values: what was paid (or received, for a short) for the open quantity, the
 * positions' cost_basis. The added part is valued at the order's price. Cost is what the limits
 * can be checked against inside the transaction without a market feed, and it is what the trader
 * committed; a snapshot (portfolio_snapshots) gives the marked-to-market view.
 *
 * Working orders (new, open, partially filled) that add risk count as if their unfilled quantity
 * filled, valued at their limit or stop price, else the latest close: ten orders each within a
 * limit must not add up past it. Working orders that reduce a position are not counted.
 *
 * An order that only reduces or closes a position always passes: refusing it would keep risk on.
 * A flip (long 1, sell 3) closes the old position and opens the remainder on the other side: the
 * count does not grow, the old cost leaves the exposure and the new side is valued at the price.
 * A null limit passes without being checked; limits are inclusive (value = limit passes).
 */
import type { Decimal } from 'decimal.js';
import { exact, ZERO } from './exact.ts';

export interface PortfolioLimits {
  maxPositionSize: Decimal | null;
  maxTotalExposure: Decimal | null;
  maxPositions: number | null;
}

export interface HeldPosition {
  side: 'long' | 'short';
  quantity: Decimal;
  costBasis: Decimal;
}

/** An order still working (new, open, partially filled): its unfilled quantity may still fill. */
export interface WorkingOrder {
  id: number;
  assetId: number;
  side: 'buy' | 'sell';
  remaining: Decimal;
  /** Its limit or stop price, else the asset's latest close; null when nothing prices it. */
  price: Decimal | null;
}

export interface OpenExposure {
  /** The portfolio's open positions by asset id. */
  positions: ReadonlyMap<number, HeldPosition>;
  working: readonly WorkingOrder[];
}

export interface OrderIntent {
  assetId: number;
  side: 'buy' | 'sell';
  quantity: Decimal;
  /** The price the added quantity is valued at; null when none is known (then a value limit fails). */
  price: Decimal | null;
}

export const PORTFOLIO_LIMITS = ['max_positions', 'max_position_size', 'max_total_exposure'] as const;
export type PortfolioLimit = (typeof PORTFOLIO_LIMITS)[number];

export interface LimitCheck {
  rule: PortfolioLimit;
  passed: boolean;
  detail: string;
}

export function hasPortfolioLimits(limits: PortfolioLimits): boolean {
  return limits.maxPositionSize !== null || limits.maxTotalExposure !== null || limits.maxPositions !== null;
}

/** A working order adds risk when its asset is flat or it trades in the held position's direction. */
function adds(held: HeldPosition | undefined, side: 'buy' | 'sell'): boolean {
  return held === undefined || (held.side === 'long') === (side === 'buy');
}

/** The order against the position held in its asset: signed quantities before and after it. */
interface PositionChange {
  held: Decimal;
  signedHeld: Decimal;
  signedAfter: Decimal;
  heldPosition: HeldPosition | undefined;
}

function positionChange(open: OpenExposure, order: OrderIntent, quantity: Decimal): PositionChange {
  const heldPosition = open.positions.get(order.assetId);
  const held = heldPosition === undefined ? ZERO : exact(heldPosition.quantity, 'position quantity');
  const signedHeld = heldPosition?.side === 'short' ? held.neg() : held;
  const signedAfter = order.side === 'buy' ? signedHeld.plus(quantity) : signedHeld.minus(quantity);
  return { held, signedHeld, signedAfter, heldPosition };
}

function reduces({ held, signedHeld, signedAfter }: PositionChange): boolean {
  return (
    !signedHeld.isZero() &&
    (signedAfter.isZero() || (signedAfter.isPos() === signedHeld.isPos() && signedAfter.abs().lt(held)))
  );
}

/**
 * Working orders that add risk count as if they filled: several orders each within a limit must
 * not add up past it. Their value (all, and on the order's asset), the flat assets they open, and
 * those without a price to value them.
 */
function workingExposure(open: OpenExposure, order: OrderIntent) {
  let workingValue = ZERO;
  let workingOnAsset = ZERO;
  const workingAssets = new Set<number>();
  const unpricedWork: number[] = [];
  for (const w of open.working) {
    const heldThere = open.positions.get(w.assetId);
    if (!adds(heldThere, w.side)) continue;
    if (heldThere === undefined) workingAssets.add(w.assetId);
    if (w.price === null) {
      unpricedWork.push(w.id);
      continue;
    }
    const value = exact(w.remaining).times(exact(w.price));
    workingValue = workingValue.plus(value);
    if (w.assetId === order.assetId) workingOnAsset = workingOnAsset.plus(value);
  }
  return { workingValue, workingOnAsset, workingAssets, unpricedWork };
}

type Working = ReturnType<typeof workingExposure>;

/** The position's value and the total exposure once the order (and the working orders) filled. */
function valuesAfter(
  open: OpenExposure,
  order: OrderIntent,
  quantity: Decimal,
  change: PositionChange,
  w: Working,
) {
  const { signedHeld, signedAfter, heldPosition } = change;
  let totalCost = ZERO;
  for (const p of open.positions.values()) totalCost = totalCost.plus(exact(p.costBasis));
  const heldCost = heldPosition === undefined ? ZERO : exact(heldPosition.costBasis, 'cost basis');
  const flips = !signedHeld.isZero() && signedAfter.isPos() !== signedHeld.isPos();
  // The position after the fill: the kept cost, what its working orders add, and this order's part.
  const added = flips ? signedAfter.abs() : quantity;
  const price = order.price === null ? null : exact(order.price, 'price');
  const valueAfter =
    price === null ? null : (flips ? ZERO : heldCost.plus(w.workingOnAsset)).plus(added.times(price));
  const exposureAfter =
    valueAfter === null
      ? null
      : totalCost
          .plus(w.workingValue)
          .minus(heldCost)
          .minus(flips ? ZERO : w.workingOnAsset)
          .plus(valueAfter);
  const unvalued =
    price === null
      ? 'no price to value the order (give a limit price, or record a candle for the asset)'
      : w.unpricedWork.length > 0
        ? `working order ${w.unpricedWork.join(', ')} has no price to value it (no limit price, no candle)`
        : null;
  return { valueAfter, exposureAfter, unvalued };
}

function positionCountCheck(
  limits: PortfolioLimits,
  open: OpenExposure,
  order: OrderIntent,
  opens: boolean,
  w: Working,
): LimitCheck {
  const maxCount = limits.maxPositions;
  if (maxCount === null) return { rule: 'max_positions', passed: true, detail: 'no limit' };
  const countAfter =
    open.positions.size + w.workingAssets.size + (opens && !w.workingAssets.has(order.assetId) ? 1 : 0);
  return {
    rule: 'max_positions',
    passed: countAfter <= maxCount,
    detail: `${countAfter} open positions after the order${w.workingAssets.size > 0 ? ' and the working orders' : ''}, limit ${maxCount}`,
  };
}

function valueCheck(
  rule: 'max_position_size' | 'max_total_exposure',
  limit: Decimal | null,
  value: Decimal | null,
  what: string,
  unvalued: string | null,
): LimitCheck {
  if (limit === null) return { rule, passed: true, detail: 'no limit' };
  if (unvalued !== null || value === null) return { rule, passed: false, detail: unvalued! };
  const max = exact(limit, rule);
  const passed = value.lte(max);
  return {
    rule,
    passed,
    detail: `${what} ${value.toString()} after the order ${passed ? '<=' : '>'} limit ${max.toString()}`,
  };
}

/** Checks one order against the portfolio's limits; every limit gets an outcome. */
export function checkPortfolioLimits(
  limits: PortfolioLimits,
  open: OpenExposure,
  order: OrderIntent,
): LimitCheck[] {
  const quantity = exact(order.quantity, 'quantity');
  const change = positionChange(open, order, quantity);
  if (reduces(change)) {
    return PORTFOLIO_LIMITS.map((rule) => ({ rule, passed: true, detail: 'the order reduces a position' }));
  }
  const working = workingExposure(open, order);
  const { valueAfter, exposureAfter, unvalued } = valuesAfter(open, order, quantity, change, working);
  return [
    positionCountCheck(limits, open, order, change.signedHeld.isZero(), working),
    valueCheck('max_position_size', limits.maxPositionSize, valueAfter, 'position value', unvalued),
    valueCheck('max_total_exposure', limits.maxTotalExposure, exposureAfter, 'total exposure', unvalued),
  ];
}
