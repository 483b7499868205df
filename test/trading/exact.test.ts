import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { DIVISION_SCALE, divideRounded, exact } from '../../src/trading/exact.ts';

const d = (v: string) => new Decimal(v);

describe('divideRounded: one rounding, 18 places, half-even', () => {
  const cases: Array<[string, string, string]> = [
    ['1', '3', '0.333333333333333333'],
    ['2', '3', '0.666666666666666667'],
    ['-2', '3', '-0.666666666666666667'],
    ['2', '-3', '-0.666666666666666667'],
    // exact halves at the 19th place: to the even neighbour, symmetric around zero
    ['0.0000000000000000005', '1', '0'],
    ['0.0000000000000000015', '1', '0.000000000000000002'],
    ['0.0000000000000000025', '1', '0.000000000000000002'],
    ['-0.0000000000000000025', '1', '-0.000000000000000002'],
    ['-0.0000000000000000035', '1', '-0.000000000000000004'],
    ['3.333333333333333333', '2', '1.666666666666666666'],
    // a hair above a half must round up (a double rounding would misround this)
    ['0.00000000000000000250000000000000000000001', '1', '0.000000000000000003'],
    ['10', '4', '2.5'],
    ['0', '7', '0'],
  ];
  for (const [a, b, expected] of cases) {
    test(`${a} / ${b} = ${expected}`, () => {
      const q = divideRounded(d(a), d(b));
      assert.ok(q.eq(expected), `got ${q.toString()}`);
    });
  }

  test('agrees with a BigInt reference on random operands', () => {
    const SCALE = 10n ** BigInt(DIVISION_SCALE);
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 20n }),
        fc.boolean(),
        (a, b, negate) => {
          const divisor = negate ? -b : b;
          // a / divisor in units of 1e-18: floor division then half-even on the exact remainder
          const num = a * SCALE;
          let q = num / divisor; // truncates toward zero
          const r = num - q * divisor;
          const twice = 2n * (r < 0n ? -r : r);
          const absD = divisor < 0n ? -divisor : divisor;
          if (twice > absD || (twice === absD && q % 2n !== 0n)) q += num < 0n !== divisor < 0n ? -1n : 1n;
          const expected = new Decimal(`${q}e-${DIVISION_SCALE}`);
          const got = divideRounded(d(a.toString()), d(divisor.toString()));
          assert.ok(got.eq(expected), `${a}/${divisor}: ${got.toString()} vs ${expected.toString()}`);
        },
      ),
      { numRuns: 2000 },
    );
  });

  test('rejects division by zero and non-finite inputs', () => {
    assert.throws(() => divideRounded(d('1'), d('0')), /division by zero/);
    assert.throws(
      () => exact(new Decimal(Number.POSITIVE_INFINITY), 'price'),
      /price must be a finite decimal/,
    );
  });
});
