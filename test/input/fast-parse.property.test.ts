/**
 * The fast path of actOnSignal's input (src/input/fast-parse.ts) against its zod schema, on
 * generated inputs that mix valid values with the edge cases each field's schema refuses or
 * transforms (blank and padded text, too many fractional digits, floats, negative sizes, string
 * dates, unknown and undefined fields, Decimals from another clone, bigints): whenever the fast
 * path accepts an input, zod accepts it too and outputs the same value (Decimals as the same
 * exact number and class, Dates as the same instant); and the bots' common input takes the fast path.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import fc from 'fast-check';
import { ActOnSignalInput, fastActOnSignal } from '../../src/execution/chain.ts';
import { ZOD } from '../../src/input/fast-parse.ts';
import { Exact } from '../../src/trading/exact.ts';

/** A parsed value as comparable data: the class and digits of a Decimal, the instant of a Date. */
function normal(v: unknown): unknown {
  if (v instanceof Decimal) return { decimal: v.toFixed(), exact: v instanceof Exact };
  if (v instanceof Date) return { date: v.getTime() };
  if (Array.isArray(v)) return v.map(normal);
  if (typeof v === 'object' && v !== null)
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normal(x)]));
  return v;
}

const Other = Decimal.clone({ precision: 5 });
/** Mostly `valid`, now and then `edge`. */
const mostly = (valid: fc.Arbitrary<unknown>, edge: fc.Arbitrary<unknown>) =>
  fc.oneof({ weight: 40, arbitrary: valid }, { weight: 1, arbitrary: edge });
const decimalLike = mostly(
  fc.oneof(
    fc.constantFrom('0.5', '42000.5', ' 7 ', '0.000000000000000001', '1e3'),
    fc.integer({ min: 1, max: 1_000_000 }),
    fc.constantFrom(new Decimal('1.25'), new Exact('0.5'), new Other('123.45'), new Decimal(3)),
  ),
  fc.oneof(
    fc.constantFrom('0', '-1', '1e-19', '0.1234567890123456789', '1e40', 'abc', '', ' ', 'Infinity', 'NaN'),
    fc.constantFrom(0, -5, 1.5, Number.MAX_SAFE_INTEGER + 2, Number.NaN, new Decimal(-3), new Decimal(0)),
    fc.bigInt({ min: -10n, max: 10n ** 30n }),
    fc.double(),
  ),
);
const text = mostly(
  fc.string({ minLength: 1, maxLength: 20 }),
  fc.constantFrom(
    '',
    ' ',
    '  bot-1 ',
    'x'.repeat(64),
    'x'.repeat(65),
    '   ' + 'y'.repeat(64),
    'x'.repeat(256),
  ),
);
const instant = mostly(
  fc.oneof(
    fc.date({ min: new Date(0), max: new Date(4e12) }),
    fc.integer({ min: 0, max: 4_102_444_800_000 }),
  ),
  fc.constantFrom(new Date(Number.NaN), -1, '2026-01-01T00:00:00Z', '2026-01-01', 1.5, Number.NaN, 9e15),
);
const id = mostly(fc.integer({ min: 1, max: 1000 }), fc.constantFrom(0, -2, 1.5, '3', 2 ** 60, Number.NaN));
const anything = fc.oneof(fc.constant(undefined), fc.constant(null), fc.string(), fc.integer(), fc.boolean());

/**
 * An object of `required` fields and some of the `optional` ones, each value mostly valid; rarely
 * a field given as undefined or null, or an unknown key.
 */
function objectOf(
  required: Record<string, fc.Arbitrary<unknown>>,
  optional: Record<string, fc.Arbitrary<unknown>>,
) {
  const field = (arb: fc.Arbitrary<unknown>) =>
    fc.oneof({ weight: 100, arbitrary: arb }, { weight: 1, arbitrary: anything });
  return fc
    .tuple(
      fc.record(Object.fromEntries(Object.entries(required).map(([k, a]) => [k, field(a)]))),
      fc.record(Object.fromEntries(Object.entries(optional).map(([k, a]) => [k, field(a)])), {
        requiredKeys: [],
      }),
      mostly(fc.constant(null), fc.constantFrom('extra', 'ts2', '__proto__')),
    )
    .map(([req, opt, extra]) => {
      const out: Record<string, unknown> = { ...req, ...opt };
      if (typeof extra === 'string') Object.defineProperty(out, extra, { value: 1, enumerable: true });
      return out;
    });
}

const signal = objectOf(
  {
    assetId: id,
    price: decimalLike,
    action: mostly(fc.constantFrom('buy', 'sell', 'hold'), fc.constantFrom('BUY', '')),
    confidence: mostly(
      fc.double({ min: 0, max: 1, noNaN: true }),
      fc.constantFrom(-0.1, 1.5, Number.NaN, Infinity),
    ),
  },
  {
    portfolioId: id,
    strategyId: id,
    strategyVersion: text,
    ts: instant,
    aggregationMethod: text,
    components: mostly(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 })),
      fc.constantFrom([], null, 'x', Object.create(null) as object, new Date(0)),
    ),
    reason: text,
    targetPrice: decimalLike,
    quantity: decimalLike,
    testMode: mostly(fc.boolean(), fc.constantFrom('true', 0)),
    botVersion: text,
  },
);
const input = fc.record(
  {
    signal,
    idea: objectOf(
      {},
      {
        quantity: decimalLike,
        stopLoss: decimalLike,
        takeProfit: decimalLike,
        entryRangeLow: decimalLike,
        entryRangeHigh: decimalLike,
        expectedHold: text,
        rationale: text,
        snapshotRef: text,
        expiresAt: instant,
      },
    ),
    order: objectOf(
      {},
      {
        type: mostly(fc.constantFrom('market', 'limit', 'stop', 'stop_limit'), fc.constant('iceberg')),
        limitPrice: decimalLike,
        stopPrice: decimalLike,
        timeInForce: mostly(fc.constantFrom('gtc', 'ioc', 'fok', 'day'), fc.constant('GTC')),
        clientOrderId: text,
        exchangeOrderId: text,
      },
    ),
    fill: objectOf(
      {},
      {
        price: decimalLike,
        quantity: decimalLike,
        fee: decimalLike,
        feeCurrency: text,
        ts: instant,
        exchangeTradeId: text,
      },
    ),
  },
  { requiredKeys: ['signal'] },
);

test('whatever the fast path accepts, zod accepts with the same output', () => {
  let fast = 0;
  fc.assert(
    fc.property(input, (x) => {
      const f = fastActOnSignal(x);
      if (f === ZOD) return;
      fast += 1;
      const z = ActOnSignalInput.safeParse(x);
      assert.ok(z.success, `fast path accepted what zod refuses: ${z.error?.message}`);
      assert.deepEqual(normal(f), normal(z.data));
    }),
    { numRuns: 4000 },
  );
  // The generator must reach the fast path often enough for the property to say something.
  assert.ok(fast > 400, `only ${fast} inputs took the fast path`);
});

test("a bot's common input takes the fast path, with zod's output", () => {
  const x = {
    signal: {
      portfolioId: 1,
      strategyId: 2,
      assetId: 3,
      price: new Decimal('42000.5'),
      action: 'buy',
      confidence: 0.8,
      quantity: '0.5',
      aggregationMethod: 'weighted',
      components: { trend: { action: 'buy', confidence: 0.8 } },
      botVersion: ' bench ',
    },
    idea: { rationale: 'bench' },
    fill: { fee: '0.05' },
  };
  const f = fastActOnSignal(x);
  assert.notEqual(f, ZOD);
  assert.deepEqual(normal(f), normal(ActOnSignalInput.parse(x)));
});
