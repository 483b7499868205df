import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { applyFill, type PositionState } from '../../src/trading/position-accounting.ts';
import {
  applyFillToTrade,
  outcomeOf,
  rMultiple,
  type TradeFill,
  type TradeState,
  withStopLoss,
} from '../../src/trading/round-trips.ts';

const d = (v: string | number) => new Decimal(v);

function eq(actual: Decimal | null | undefined, expected: string | null, what: string): void {
  if (expected === null) {
    assert.equal(actual, null, `${what}: expected null, got ${String(actual)}`);
    return;
  }
  assert.ok(actual != null, `${what}: expected ${expected}, got ${String(actual)}`);
  assert.ok(actual.eq(expected), `${what}: expected ${expected}, got ${actual.toString()}`);
}

const t0 = Date.UTC(2024, 0, 1);
function fill(side: 'buy' | 'sell', quantity: string, price: string, fee = '0', minute = 0): TradeFill {
  return { side, quantity: d(quantity), price: d(price), fee: d(fee), at: new Date(t0 + minute * 60_000) };
}

/** Drives position and round trips together, like the fill service does; returns every trade row. */
function book(fills: TradeFill[], stopLoss: Decimal | null = null) {
  let position: PositionState | null = null;
  let open: TradeState | null = null;
  const closed: TradeState[] = [];
  for (const f of fills) {
    const effect = applyFill(position, f);
    const update = applyFillToTrade(open, f, effect, { stopLoss });
    position = effect.position;
    open = update.trade;
    if (open && open.outcome !== 'open') {
      closed.push(open);
      open = null;
    }
    if (update.opened) open = update.opened;
  }
  return { position, open, closed };
}

describe('round trips: hand-computed', () => {
  test('open: entry, fee, pnl = −fee, outcome open, R of the fee against the stop', () => {
    const { open, closed } = book([fill('buy', '2', '100', '1')], d(95));
    assert.equal(closed.length, 0);
    assert.ok(open);
    assert.equal(open.direction, 'long');
    eq(open.quantity, '2', 'quantity');
    eq(open.entryPrice, '100', 'entryPrice');
    eq(open.exitPrice, null, 'exitPrice');
    eq(open.fees, '1', 'fees');
    eq(open.pnl, '-1', 'pnl');
    eq(open.pnlR, '-0.1', 'pnlR = −1 / (5 × 2)');
    assert.equal(open.outcome, 'open');
    assert.equal(open.entryAt.getTime(), t0);
    assert.equal(open.exitAt, null);
  });

  test('long with add, partial exit and close: VWAPs, fees, pnl and R', () => {
    const { open, closed, position } = book(
      [
        fill('buy', '2', '100', '1', 0),
        fill('buy', '2', '110', '1', 1), // entry VWAP 105 on 4
        fill('sell', '1', '120', '0.5', 2), // gross 1 × (120 − 105) = 15
        fill('sell', '3', '115', '0.5', 3), // gross 3 × (115 − 105) = 30, closes
      ],
      d(95),
    );
    assert.equal(open, null);
    assert.equal(closed.length, 1);
    const t = closed[0]!;
    eq(t.quantity, '4', 'quantity');
    eq(t.entryPrice, '105', 'entryPrice');
    eq(t.exitPrice, '116.25', 'exitPrice = (120 + 345) / 4');
    eq(t.fees, '3', 'fees');
    eq(t.pnl, '42', 'pnl = 45 − 3');
    eq(t.pnlR, '1.05', 'pnlR = 42 / (|105 − 95| × 4)');
    assert.equal(t.outcome, 'win');
    assert.equal(t.exitAt?.getTime(), t0 + 3 * 60_000);
    eq(position?.realizedPnl, '42', 'position lifecycle realized equals the trade pnl');
  });

  test('partial exit keeps the trade open and shows the exit so far', () => {
    const { open } = book([fill('sell', '4', '50'), fill('buy', '1', '40')], d(55));
    assert.ok(open);
    assert.equal(open.direction, 'short');
    assert.equal(open.outcome, 'open');
    eq(open.exitPrice, '40', 'exitPrice');
    eq(open.exitQuantity, '1', 'exitQuantity');
    eq(open.pnl, '10', 'pnl');
    eq(open.pnlR, '0.5', 'pnlR = 10 / (5 × 4)');
    assert.equal(open.exitAt, null);
  });

  test('short loss: outcome loss and negative R', () => {
    const { closed } = book([fill('sell', '2', '50'), fill('buy', '2', '56')], d(55));
    const t = closed[0]!;
    eq(t.pnl, '-12', 'pnl = 2 × (50 − 56)');
    eq(t.pnlR, '-1.2', 'pnlR = −12 / (5 × 2)');
    assert.equal(t.outcome, 'loss');
  });

  test('breakeven when net pnl is exactly zero; no stop → pnlR null', () => {
    const { closed } = book([fill('buy', '1', '100'), fill('sell', '1', '100')]);
    assert.equal(closed[0]!.outcome, 'breakeven');
    eq(closed[0]!.pnlR, null, 'pnlR');
  });

  test('flip closes one round trip and opens the other with the split fee', () => {
    const { open, closed } = book([fill('buy', '2', '100', '0', 0), fill('sell', '5', '110', '1', 1)]);
    assert.equal(closed.length, 1);
    const c = closed[0]!;
    assert.equal(c.direction, 'long');
    eq(c.pnl, '19.6', 'closed pnl = 20 − 0.4');
    eq(c.fees, '0.4', 'closed fees');
    eq(c.exitPrice, '110', 'exit');
    assert.ok(open);
    assert.equal(open.direction, 'short');
    eq(open.quantity, '3', 'new quantity');
    eq(open.entryPrice, '110', 'new entry');
    eq(open.fees, '0.6', 'new fees');
    eq(open.pnl, '-0.6', 'new pnl');
    assert.equal(open.entryAt.getTime(), t0 + 60_000);
  });

  test('entry VWAP differs from average cost after an add that follows a partial exit', () => {
    // position avg after: (1 × 100 + 2 × 130) / 3 = 120; trade entry VWAP: (200 + 260) / 4 = 115
    const { open, position } = book([
      fill('buy', '2', '100'),
      fill('sell', '1', '100'),
      fill('buy', '2', '130'),
    ]);
    eq(position?.averageEntryPrice, '120', 'position average cost');
    eq(open?.entryPrice, '115', 'trade entry VWAP');
    eq(open?.quantity, '4', 'trade quantity entered');
  });

  test('inconsistent inputs are rejected', () => {
    const openEffect = applyFill(null, fill('buy', '1', '100'));
    const first = applyFillToTrade(null, fill('buy', '1', '100'), openEffect).opened!;
    const reduce = applyFill(openEffect.position, fill('sell', '1', '110'));
    assert.throws(() => applyFillToTrade(null, fill('sell', '1', '110'), reduce), /no open round trip/);
    assert.throws(() => applyFillToTrade(first, fill('buy', '1', '100'), openEffect), /still open/);
    const shortTrade: TradeState = { ...first, direction: 'short' };
    assert.throws(() => applyFillToTrade(shortTrade, fill('sell', '1', '110'), reduce), /was long/);
  });
});

describe('R multiple and outcome helpers', () => {
  test('rMultiple uses |entryValue − stop × quantity| exactly, null without a usable stop', () => {
    eq(rMultiple(d(30), d(300), d(3), d(90)), '1', '30 / |300 − 270|');
    eq(rMultiple(d(-10), d(300), d(3), d(110)), '-0.333333333333333333', '−10 / 30, 18 places');
    eq(rMultiple(d(5), d(300), d(3), null), null, 'no stop');
    eq(rMultiple(d(5), d(300), d(3), d(100)), null, 'stop at entry');
  });

  test('withStopLoss recomputes pnlR', () => {
    const { closed } = book([fill('buy', '2', '100'), fill('sell', '2', '110')]);
    const t = closed[0]!;
    eq(t.pnlR, null, 'before');
    eq(withStopLoss(t, d(90)).pnlR, '1', 'after: 20 / (10 × 2)');
    eq(withStopLoss(t, null).pnlR, null, 'cleared');
  });

  test('outcomeOf', () => {
    assert.equal(outcomeOf(d('0.000000000000000001')), 'win');
    assert.equal(outcomeOf(d('-0.000000000000000001')), 'loss');
    assert.equal(outcomeOf(d(0)), 'breakeven');
  });
});
