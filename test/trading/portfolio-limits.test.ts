import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import {
  checkPortfolioLimits,
  type OpenExposure,
  type PortfolioLimits,
} from '../../src/trading/portfolio-limits.ts';

const d = (v: string) => new Decimal(v);
const limits: PortfolioLimits = { maxPositionSize: d('100'), maxTotalExposure: d('150'), maxPositions: 2 };
const short2at40: OpenExposure = {
  position: { side: 'short', quantity: d('2'), costBasis: d('80') },
  openPositions: 2,
  totalCost: d('130'),
};
const outcome = (checks: ReturnType<typeof checkPortfolioLimits>) =>
  Object.fromEntries(checks.map((c) => [c.rule, c.passed]));

test('covering a short is a reduction: every limit passes, whatever the price', () => {
  const checks = checkPortfolioLimits(limits, short2at40, { side: 'buy', quantity: d('2'), price: null });
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: true,
  });
});

test('adding to a short keeps its cost and values the added part at the price', () => {
  // 80 + 0.5 × 40 = 100 (passes, inclusive); exposure 130 + 20 = 150 (passes)
  let checks = checkPortfolioLimits(limits, short2at40, { side: 'sell', quantity: d('0.5'), price: d('40') });
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: true,
    max_total_exposure: true,
  });
  checks = checkPortfolioLimits(limits, short2at40, { side: 'sell', quantity: d('0.5'), price: d('40.02') });
  assert.deepEqual(outcome(checks), {
    max_positions: true,
    max_position_size: false,
    max_total_exposure: false,
  });
});

test('a flip opens no new position; the old cost leaves the exposure', () => {
  // short 2 → long 1 at 90: value 90, exposure 130 − 80 + 90 = 140, still 2 positions
  const checks = checkPortfolioLimits(limits, short2at40, { side: 'buy', quantity: d('3'), price: d('90') });
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

test('a new position counts against max_positions; null limits pass without a price', () => {
  const none: OpenExposure = { position: null, openPositions: 2, totalCost: d('130') };
  assert.equal(
    checkPortfolioLimits(limits, none, { side: 'buy', quantity: d('1'), price: d('1') })[0]!.passed,
    false,
  );
  const open = { maxPositionSize: null, maxTotalExposure: null, maxPositions: null };
  assert.ok(
    checkPortfolioLimits(open, none, { side: 'buy', quantity: d('1e6'), price: null }).every((c) => c.passed),
  );
});
