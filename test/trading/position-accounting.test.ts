import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import {
  applyFill,
  type Fill,
  type FillEffect,
  type PositionState,
  replayFills,
  unrealizedPnl,
} from '../../src/trading/position-accounting.ts';

const d = (v: string | number) => new Decimal(v);

function eq(actual: Decimal | null | undefined, expected: string, what: string): void {
  assert.ok(actual != null, `${what}: expected ${expected}, got ${String(actual)}`);
  assert.ok(actual.eq(expected), `${what}: expected ${expected}, got ${actual.toString()}`);
}

function fill(side: 'buy' | 'sell', quantity: string, price: string, fee = '0'): Fill {
  return { side, quantity: d(quantity), price: d(price), fee: d(fee) };
}

/** Applies fills from flat; returns the final position and the last fill's effect. */
function run(fills: Fill[]): { position: PositionState; last: FillEffect; cash: Decimal } {
  let position: PositionState | null = null;
  let last: FillEffect | undefined;
  let cash = d(0);
  for (const f of fills) {
    last = applyFill(position, f);
    position = last.position;
    cash = cash.plus(last.cashDelta);
  }
  assert.ok(last && position);
  return { position, last, cash };
}

interface Expected {
  side: 'long' | 'short';
  status: 'open' | 'closed';
  quantity: string;
  avg: string;
  cost: string;
  positionRealized: string;
  fillRealized: string;
  fillGross: string;
  cash: string; // cumulative over the sequence
  closedQuantity: string;
  flags: [opened: boolean, flipped: boolean, closed: boolean];
}

// Hand-computed: every number below was worked out on paper from the rules in positions.ts.
const cases: Array<{ name: string; fills: Fill[]; expect: Expected }> = [
  {
    name: 'open long: fee charged to realized and to cash',
    fills: [fill('buy', '2', '100', '1')],
    expect: {
      side: 'long',
      status: 'open',
      quantity: '2',
      avg: '100',
      cost: '200',
      positionRealized: '-1',
      fillRealized: '-1',
      fillGross: '0',
      cash: '-201',
      closedQuantity: '0',
      flags: [true, false, false],
    },
  },
  {
    name: 'open short: sale proceeds credit cash',
    fills: [fill('sell', '3', '50', '0.5')],
    expect: {
      side: 'short',
      status: 'open',
      quantity: '3',
      avg: '50',
      cost: '150',
      positionRealized: '-0.5',
      fillRealized: '-0.5',
      fillGross: '0',
      cash: '149.5',
      closedQuantity: '0',
      flags: [true, false, false],
    },
  },
  {
    name: 'add to long re-averages: (2×100 + 3×110) / 5 = 106',
    fills: [fill('buy', '2', '100'), fill('buy', '3', '110')],
    expect: {
      side: 'long',
      status: 'open',
      quantity: '5',
      avg: '106',
      cost: '530',
      positionRealized: '0',
      fillRealized: '0',
      fillGross: '0',
      cash: '-530',
      closedQuantity: '0',
      flags: [false, false, false],
    },
  },
  {
    name: 'add to short re-averages: (1×200 + 3×180) / 4 = 185',
    fills: [fill('sell', '1', '200'), fill('sell', '3', '180', '0.2')],
    expect: {
      side: 'short',
      status: 'open',
      quantity: '4',
      avg: '185',
      cost: '740',
      positionRealized: '-0.2',
      fillRealized: '-0.2',
      fillGross: '0',
      cash: '739.8',
      closedQuantity: '0',
      flags: [false, false, false],
    },
  },
  {
    name: 'partial reduce long: 1 × (120 − 100) = 20, minus fee 0.2',
    fills: [fill('buy', '4', '100'), fill('sell', '1', '120', '0.2')],
    expect: {
      side: 'long',
      status: 'open',
      quantity: '3',
      avg: '100',
      cost: '300',
      positionRealized: '19.8',
      fillRealized: '19.8',
      fillGross: '20',
      cash: '-280.2',
      closedQuantity: '1',
      flags: [false, false, false],
    },
  },
  {
    name: 'partial reduce short: 1 × (100 − 90) = 10',
    fills: [fill('sell', '4', '100'), fill('buy', '1', '90')],
    expect: {
      side: 'short',
      status: 'open',
      quantity: '3',
      avg: '100',
      cost: '300',
      positionRealized: '10',
      fillRealized: '10',
      fillGross: '10',
      cash: '310',
      closedQuantity: '1',
      flags: [false, false, false],
    },
  },
  {
    name: 'full close long at a loss: 2 × (90 − 100) − fees 1 + 1',
    fills: [fill('buy', '2', '100', '1'), fill('sell', '2', '90', '1')],
    expect: {
      side: 'long',
      status: 'closed',
      quantity: '0',
      avg: '100',
      cost: '0',
      positionRealized: '-22',
      fillRealized: '-21',
      fillGross: '-20',
      cash: '-22',
      closedQuantity: '2',
      flags: [false, false, true],
    },
  },
  {
    name: 'full close short at a profit: 2 × (100 − 80)',
    fills: [fill('sell', '2', '100'), fill('buy', '2', '80')],
    expect: {
      side: 'short',
      status: 'closed',
      quantity: '0',
      avg: '100',
      cost: '0',
      positionRealized: '40',
      fillRealized: '40',
      fillGross: '40',
      cash: '40',
      closedQuantity: '2',
      flags: [false, false, true],
    },
  },
  {
    name: 'flip long → short: closes 2 (+20), opens short 3 @ 110; fee 1 split 0.4 / 0.6',
    fills: [fill('buy', '2', '100'), fill('sell', '5', '110', '1')],
    expect: {
      side: 'short',
      status: 'open',
      quantity: '3',
      avg: '110',
      cost: '330',
      positionRealized: '-0.6',
      fillRealized: '19',
      fillGross: '20',
      cash: '349',
      closedQuantity: '2',
      flags: [true, true, true],
    },
  },
  {
    name: 'flip short → long: closes 1 (+10), opens long 2 @ 40; fee 0.3 split 0.1 / 0.2',
    fills: [fill('sell', '1', '50'), fill('buy', '3', '40', '0.3')],
    expect: {
      side: 'long',
      status: 'open',
      quantity: '2',
      avg: '40',
      cost: '80',
      positionRealized: '-0.2',
      fillRealized: '9.7',
      fillGross: '10',
      cash: '-70.3',
      closedQuantity: '1',
      flags: [true, true, true],
    },
  },
  {
    name: 'maker rebate (negative fee) increases realized and cash',
    fills: [fill('buy', '1', '100', '-0.1')],
    expect: {
      side: 'long',
      status: 'open',
      quantity: '1',
      avg: '100',
      cost: '100',
      positionRealized: '0.1',
      fillRealized: '0.1',
      fillGross: '0',
      cash: '-99.9',
      closedQuantity: '0',
      flags: [true, false, false],
    },
  },
  {
    name: 'prediction share settling at price 0 loses the whole cost',
    fills: [fill('buy', '10', '0.4'), fill('sell', '10', '0')],
    expect: {
      side: 'long',
      status: 'closed',
      quantity: '0',
      avg: '0.4',
      cost: '0',
      positionRealized: '-4',
      fillRealized: '-4',
      fillGross: '-4',
      cash: '-4',
      closedQuantity: '10',
      flags: [false, false, true],
    },
  },
];

describe('applyFill: hand-computed table', () => {
  for (const c of cases) {
    test(c.name, () => {
      const { position, last, cash } = run(c.fills);
      const e = c.expect;
      assert.equal(position.side, e.side);
      assert.equal(position.status, e.status);
      eq(position.quantity, e.quantity, 'quantity');
      eq(position.averageEntryPrice, e.avg, 'averageEntryPrice');
      eq(position.costBasis, e.cost, 'costBasis');
      eq(position.realizedPnl, e.positionRealized, 'position realizedPnl');
      eq(last.realizedPnl, e.fillRealized, 'fill realizedPnl');
      eq(last.grossRealizedPnl, e.fillGross, 'fill grossRealizedPnl');
      eq(cash, e.cash, 'cumulative cash');
      eq(last.closedQuantity, e.closedQuantity, 'closedQuantity');
      assert.deepEqual([last.opened, last.flipped, last.closed], e.flags, 'opened/flipped/closed');
    });
  }
});

describe('applyFill: lifecycles, fee splits, precision', () => {
  test('flip reports the closed lifecycle with its share of the fee', () => {
    const { last } = run([fill('buy', '2', '100', '0.5'), fill('sell', '5', '110', '1')]);
    assert.ok(last.closedPosition);
    assert.equal(last.closedPosition.side, 'long');
    assert.equal(last.closedPosition.status, 'closed');
    eq(last.closedPosition.quantity, '0', 'closed quantity');
    // −0.5 opening fee + 20 gross − 0.4 closing share
    eq(last.closedPosition.realizedPnl, '19.1', 'closed lifecycle realized');
    eq(last.closingFee, '0.4', 'closingFee');
    eq(last.openingFee, '0.6', 'openingFee');
    eq(last.openedQuantity, '3', 'openedQuantity');
  });

  test('fee split of a flip rounds the closing share half-even and keeps the sum exact', () => {
    // closing share = 1 × 1/3 = 0.333333333333333333(3…) → 18 places; opening share is the remainder
    const { last } = run([fill('buy', '1', '10'), fill('sell', '3', '10', '1')]);
    eq(last.closingFee, '0.333333333333333333', 'closingFee');
    eq(last.openingFee, '0.666666666666666667', 'openingFee');
    eq(last.closingFee.plus(last.openingFee), '1', 'split sums to the fee');
  });

  test('a plain close reports closedPosition equal to the position', () => {
    const { last } = run([fill('sell', '2', '100'), fill('buy', '2', '80')]);
    assert.deepEqual(last.closedPosition, last.position);
  });

  test('a fill on a closed position starts a new lifecycle with fresh realized P&L', () => {
    const first = run([fill('buy', '1', '100'), fill('sell', '1', '150')]);
    eq(first.position.realizedPnl, '50', 'first lifecycle');
    const reopened = applyFill(first.position, fill('buy', '2', '10', '0.1'));
    assert.equal(reopened.opened, true);
    assert.equal(reopened.position.status, 'open');
    eq(reopened.position.realizedPnl, '-0.1', 'new lifecycle starts at −fee');
    eq(reopened.position.quantity, '2', 'quantity');
  });

  test('average cost rounding: residue stays in the cost basis and the close releases it exactly', () => {
    // buy 1 @ 1 and 2 @ 2: cost 5 for 3, avg 5/3 → 1.666666666666666667 (18 places, half-even)
    const a = run([fill('buy', '1', '1'), fill('buy', '2', '2')]);
    eq(a.position.averageEntryPrice, '1.666666666666666667', 'avg after adds');
    // sell 1 @ 2 releases 5 × 1/3 = 1.666666666666666667 (rounded), gross 0.333333333333333333
    const b = applyFill(a.position, fill('sell', '1', '2'));
    eq(b.grossRealizedPnl, '0.333333333333333333', 'partial gross');
    eq(b.position.costBasis, '3.333333333333333333', 'remaining cost basis');
    // 3.333333333333333333 / 2 = 1.6666666666666666665: an exact half, rounds to the even digit 6
    eq(b.position.averageEntryPrice, '1.666666666666666666', 'avg after reduce (half-even)');
    // the close releases the whole remaining basis: 4 − 3.333333333333333333
    const c = applyFill(b.position, fill('sell', '2', '2'));
    eq(c.grossRealizedPnl, '0.666666666666666667', 'closing gross');
    // lifetime: proceeds 6 − cost 5 = 1, exactly
    eq(c.position.realizedPnl, '1', 'lifecycle realized is exactly the cash flows');
  });

  test('products are exact even when the caller’s Decimal precision is the default 20 digits', () => {
    const r = applyFill(null, fill('buy', '12345.12345678', '45678.87654321'));
    // 12345.12345678 × 45678.87654321 = 563911370.2929394922374638 (28 significant digits)
    eq(r.position.costBasis, '563911370.2929394922374638', 'costBasis');
    eq(r.cashDelta, '-563911370.2929394922374638', 'cashDelta');
    assert.equal(r.position.costBasis.toString(), '563911370.2929394922374638');
  });

  test('results print in plain notation (safe to persist as text)', () => {
    const r = applyFill(null, fill('buy', '0.00000001', '0.00000001'));
    assert.equal(r.position.costBasis.toString(), '0.0000000000000001');
  });

  test('rejects invalid fills and inconsistent positions', () => {
    assert.throws(() => applyFill(null, fill('buy', '0', '1')), /quantity must be > 0/);
    assert.throws(() => applyFill(null, fill('buy', '-1', '1')), /quantity must be > 0/);
    assert.throws(() => applyFill(null, fill('buy', '1', '-1')), /price must be >= 0/);
    assert.throws(() => applyFill(null, { ...fill('buy', '1', '1'), fee: d(Number.NaN) }), /finite/);
    assert.throws(
      () => applyFill(null, { ...fill('buy', '1', '1'), side: 'hold' as 'buy' }),
      /side must be buy or sell/,
    );
    const broken: PositionState = {
      side: 'long',
      quantity: d(0),
      averageEntryPrice: d(1),
      costBasis: d(0),
      realizedPnl: d(0),
      status: 'open',
    };
    assert.throws(() => applyFill(broken, fill('sell', '1', '1')), /quantity > 0/);
  });
});

describe('unrealizedPnl and replayFills', () => {
  test('marks long and short at a price', () => {
    const long = run([fill('buy', '2', '100')]).position;
    const short = run([fill('sell', '3', '50')]).position;
    eq(unrealizedPnl(long, d(110)), '20', 'long');
    eq(unrealizedPnl(short, d(60)), '-30', 'short');
    const closed = run([fill('buy', '1', '1'), fill('sell', '1', '2')]).position;
    eq(unrealizedPnl(closed, d(100)), '0', 'closed');
  });

  test('replaying fills reproduces the stepwise result', () => {
    const fills = [
      fill('buy', '2', '100', '1'),
      fill('sell', '5', '110', '1'),
      fill('buy', '1', '100', '0.5'),
    ];
    const stepwise = run(fills);
    const replay = replayFills(fills);
    assert.deepEqual(replay.position, stepwise.position);
    eq(replay.cashDelta, stepwise.cash.toString(), 'cash');
    // 2×(110−100) − 2.5 fees + 1×(110−100) = 27.5
    eq(replay.realizedPnl, '27.5', 'total realized');
    assert.equal(replayFills([]).position, null);
  });
});
