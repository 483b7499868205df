/**
 * `wireJson` writes views straight to JSON text for the outbox; it must equal
 * `JSON.stringify(toWire(…))`, the form the HTTP API sends, for every kind of value a view holds.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import { isoTime, toWire, wireJson, wireJsonAfter } from '../../src/db/wire.ts';

const at = new Date(Date.UTC(2026, 11, 1, 13, 23, 52, 563));

const values: Record<string, unknown> = {
  flat: {
    portfolioId: 1,
    price: new Decimal('997.50'),
    tiny: new Decimal('1e-12'),
    huge: new Decimal('123456789012345678901234567890'),
    negative: new Decimal('-0.05'),
    filledAt: at,
    note: 'quote " backslash \\ newline \n tab \t unicode é 🚀 nul \u0000',
    empty: '',
    ratio: 0.8,
    nan: Number.NaN,
    inf: Number.POSITIVE_INFINITY,
    negZero: -0,
    big: 12345678901234567890n,
    yes: true,
    no: false,
    missing: null,
    notSet: undefined,
    fn: () => 1,
  },
  nested: {
    legs: [{ fillPrice: new Decimal('1.5'), ts: at }, null, [new Decimal(2), 'x', undefined]],
    positionView: { averageEntryPrice: new Decimal('10'), closedAt: null },
    emptyObject: {},
    emptyArray: [],
  },
  opaqueKeysKeptAsGiven: {
    components: { trendScore: new Decimal('0.7'), camelKey: at, inner: [1, 'two', null] },
    riskCheckResult: { maxLotSize: new Decimal('10'), rules: [{ ruleName: 'cap', passed: true }] },
    parameters: null,
    metadata: undefined,
  },
  topLevelArray: [1, new Decimal('0.1'), at, 'a', null],
  topLevelScalars: 'plain',
};

for (const [name, value] of Object.entries(values))
  test(`wireJson equals JSON.stringify(toWire(…)): ${name}`, () => {
    const expected = JSON.stringify(toWire(value));
    assert.equal(wireJson(value), expected);
    assert.deepEqual(JSON.parse(wireJson(value)), JSON.parse(expected));
  });

test('wireJsonAfter puts the head first, then the same fields', () => {
  for (const view of [values.flat, values.nested, values.opaqueKeysKeptAsGiven, {}] as object[])
    assert.equal(
      wireJsonAfter('{"change":"filled"', view),
      JSON.stringify({ change: 'filled', ...(toWire(view) as object) }),
    );
});

test('wireJsonAfter: one head, many shapes, fields changing kind, keys that are not identifiers', () => {
  const head = '{"change":"shapes"';
  const expected = (view: object) => JSON.stringify({ change: 'shapes', ...(toWire(view) as object) });
  const kinds = [
    'text',
    new Decimal('1.25'),
    null,
    at,
    7,
    true,
    undefined,
    [new Decimal(1)],
    { nested: at },
    12n,
    Number.NaN,
  ];
  // The first view of a shape compiles its writer; every later kind must still be written right.
  for (const kind of kinds)
    for (const other of kinds) {
      const view = { portfolioId: 1, field: kind, otherField: other };
      assert.equal(wireJsonAfter(head, view), expected(view));
    }
  const awkwardKeys = {
    'quote"key': 1,
    "it's": 'x',
    'back\\slash': at,
    '${injected}': new Decimal(2),
    'new\nline': null,
  };
  assert.equal(wireJsonAfter(head, awkwardKeys), expected(awkwardKeys));
  assert.equal(wireJsonAfter(head, awkwardKeys), expected(awkwardKeys));
  // More shapes than are compiled for one head.
  for (let i = 0; i < 20; i++) {
    const view = { [`key${i}`]: new Decimal(i), at, [`other${i}`]: `v${i}` };
    assert.equal(wireJsonAfter(head, view), expected(view));
  }
  // Same keys, another order: another shape.
  assert.equal(wireJsonAfter(head, { b: 1, a: 2 }), expected({ b: 1, a: 2 }));
  assert.equal(wireJsonAfter(head, { a: 2, b: 1 }), expected({ a: 2, b: 1 }));
});

test('wireJson leaves out inherited properties, like toWire', () => {
  const view = Object.create({ inherited: 1 }) as Record<string, unknown>;
  view.ownPrice = new Decimal('3');
  assert.equal(wireJson(view), '{"own_price":"3"}');
  assert.equal(wireJson(view), JSON.stringify(toWire(view)));
});

test('isoTime is toISOString, for many instants, past its cache size', () => {
  for (let i = 0; i < 1000; i++) {
    const d = new Date(Date.UTC(1970 + (i % 300), i % 12, 1 + (i % 28), i % 24, i % 60, i % 60, i));
    assert.equal(isoTime(d), d.toISOString());
    assert.equal(isoTime(new Date(d.getTime())), d.toISOString());
  }
  assert.throws(() => isoTime(new Date(Number.NaN)), RangeError);
});
