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

export interface OpenExposure {
  /** The open position in the order's asset, if any. */
  position: { side: 'long' | 'short'; quantity: Decimal; costBasis: Decimal } | null;
  /** Open positions of the portfolio (all assets). */
  openPositions: number;
  /** Σ cost_basis of the portfolio's open positions (all assets). */
  totalCost: Decimal;
}

export interface OrderIntent {
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

/** Checks one order against the portfolio's limits; every limit gets an outcome. */
export function checkPortfolioLimits(
  limits: PortfolioLimits,
  open: OpenExposure,
  order: OrderIntent,
): LimitCheck[] {
  const quantity = exact(order.quantity, 'quantity');
  const held = open.position === null ? ZERO : exact(open.position.quantity, 'position quantity');
  const signedHeld = open.position?.side === 'short' ? held.neg() : held;
  const signedAfter = order.side === 'buy' ? signedHeld.plus(quantity) : signedHeld.minus(quantity);
  const reduces =
    !signedHeld.isZero() &&
    (signedAfter.isZero() || (signedAfter.isPos() === signedHeld.isPos() && signedAfter.abs().lt(held)));
  if (reduces) {
    return PORTFOLIO_LIMITS.map((rule) => ({ rule, passed: true, detail: 'the order reduces a position' }));
  }

  const heldCost = open.position === null ? ZERO : exact(open.position.costBasis, 'cost basis');
  const flips = !signedHeld.isZero() && signedAfter.isPos() !== signedHeld.isPos();
  const opens = signedHeld.isZero();
  // The value of the position after the fill: the kept cost plus the added quantity at the price.
  const added = flips ? signedAfter.abs() : quantity;
  const price = order.price === null ? null : exact(order.price, 'price');
  const valueAfter = price === null ? null : (flips ? ZERO : heldCost).plus(added.times(price));
  const exposureAfter = valueAfter === null ? null : exact(open.totalCost).minus(heldCost).plus(valueAfter);
  const unpriced = 'no price to value the order (give a limit price, or record a candle for the asset)';

  const checks: LimitCheck[] = [];
  const maxCount = limits.maxPositions;
  const countAfter = open.openPositions + (opens ? 1 : 0);
  checks.push(
    maxCount === null
      ? { rule: 'max_positions', passed: true, detail: 'no limit' }
      : {
          rule: 'max_positions',
          passed: countAfter <= maxCount,
          detail: `${countAfter} open positions after the order, limit ${maxCount}`,
        },
  );
  for (const [rule, limit, value, what] of [
    ['max_position_size', limits.maxPositionSize, valueAfter, 'position value'],
    ['max_total_exposure', limits.maxTotalExposure, exposureAfter, 'total exposure'],
  ] as const) {
    if (limit === null) checks.push({ rule, passed: true, detail: 'no limit' });
    else if (value === null) checks.push({ rule, passed: false, detail: unpriced });
    else {
      const max = exact(limit, rule);
      const passed = value.lte(max);
      checks.push({
        rule,
        passed,
        detail: `${what} ${value.toString()} after the order ${passed ? '<=' : '>'} limit ${max.toString()}`,
      });
    }
  }
  return checks;
}
