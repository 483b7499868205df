import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import {
  checkPortfolioLimits,
  type HeldPosition,
  type OpenExposure,
  type PortfolioLimits,
  type WorkingOrder,
} from '../../src/trading/portfolio-limits.ts';

const d = (v: string) => new Decimal(v);
const limits: PortfolioLimits = { maxPositionSize: d('100'), maxTotalExposure: d('150'), maxPositions: 2 };
const A = 1;
const B = 2;
// Short 2 of A at 40 (cost 80) and long 1 of B at 50: two positions, cost 130.
const positions = new Map<number, HeldPosition>([
  [A, { side: 'short', quantity: d('2'), costBasis: d('80') }],
  [B, { side: 'long', quantity: d('1'), costBasis: d('50') }],
]);
const open = (working: WorkingOrder[] = []): OpenExposure => ({ positions, working });
const outcome = (checks: ReturnType<typeof checkPortfolioLimits>) =>
  Object.fromEntries(checks.map((c) => [c.rule, c.passed]));

test('covering a short is a reduction: every limit passes, whatever the price', () => {
  const checks = checkPortfolioLimits(limits, open(), {
    assetId: A,
    side: 'buy',
    quantity: d('2'),
    price: null,
  });
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: true,
  });
});

test('adding to a short keeps its cost and values the added part at the price', () => {
  // 80 + 0.5 × 40 = 100 (passes, inclusive); exposure 130 + 20 = 150 (passes)
  const at = (price: string) =>
    checkPortfolioLimits(limits, open(), { assetId: A, side: 'sell', quantity: d('0.5'), price: d(price) });
  assert.deepEqual(outcome(at('40')), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: true,
  });
  assert.deepEqual(outcome(at('40.02')), {
    max_positions: true,
    max_position_size: false,
    max_total_exposure: false,
  });
});

test('a flip opens no new position; the old cost leaves the exposure', () => {
  // short 2 → long 1 at 90: value 90, exposure 130 − 80 + 90 = 140, still 2 positions
  const checks = checkPortfolioLimits(limits, open(), {
    assetId: A,
    side: 'buy',
    quantity: d('3'),
    price: d('90'),
  });
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: true,
  });
  assert.match(
    checks.find((c) => c.rule === 'max_total_exposure')!.detail,
    /total exposure 140 after the order/,
  );
});

test('working orders that add risk count as if filled; reducing ones do not', () => {
  const buyB = { id: 7, assetId: B, side: 'buy' as const, remaining: d('0.4'), price: d('50') }; // adds 20
  const sellB = { id: 8, assetId: B, side: 'sell' as const, remaining: d('1'), price: d('50') }; // reduces
  const order = { assetId: B, side: 'buy' as const, quantity: d('0.6'), price: d('50') }; // adds 30
  // B: 50 + 20 + 30 = 100 (passes); exposure 130 + 20 + 30 = 180 > 150
  let checks = checkPortfolioLimits(limits, open([buyB, sellB]), order);
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: false,
  });
  assert.match(checks[2]!.detail, /total exposure 180 after the order > limit 150/);
  // Without the working buy: 130 + 30 = 160, still over; with a looser limit it passes.
  checks = checkPortfolioLimits({ ...limits, maxTotalExposure: d('160') }, open([sellB]), order);
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: true,
  });
});

test('a working order on a flat asset holds a position slot; an unpriced one fails the value limits', () => {
  const C = 3;
  const onC = { id: 9, assetId: C, side: 'buy' as const, remaining: d('1'), price: null };
  const checks = checkPortfolioLimits(limits, open([onC]), {
    assetId: 4,
    side: 'buy',
    quantity: d('1'),
    price: d('1'),
  });
  assert.deepEqual(outcome(checks), {
    max_positions: false,
    max_position_size: false,
    max_total_exposure: false,
  });
  assert.match(checks[0]!.detail, /4 open positions after the order and the working orders, limit 2/);
  assert.match(checks[1]!.detail, /working order 9 has no price/);
  // A second order on C itself does not take another slot.
  const onCAgain = checkPortfolioLimits({ ...limits, maxPositions: 3 }, open([{ ...onC, price: d('1') }]), {
    assetId: C,
    side: 'buy',
    quantity: d('1'),
    price: d('1'),
  });
  assert.equal(onCAgain[0]!.passed, true, onCAgain[0]!.detail);
});

test('null limits pass without a price', () => {
  const none = { maxPositionSize: null, maxTotalExposure: null, maxPositions: null };
  const checks = checkPortfolioLimits(none, open(), {
    assetId: 5,
    side: 'buy',
    quantity: d('1e6'),
    price: null,
  });
  assert.ok(checks.every((c) => c.passed));
});
