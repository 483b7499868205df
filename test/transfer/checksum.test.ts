/** The table checksum: independent of row order and column order, sensitive to any value. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TableChecksum } from '../../src/transfer/checksum.ts';
import type { Canonical, Column } from '../../src/transfer/columns.ts';

const columns: Column[] = [
  { name: 'id', kind: 'integer' },
  { name: 'pnl', kind: 'decimal' },
  { name: 'meta', kind: 'json' },
];
const rows: Canonical[][] = [
  [1, '1.5', '{"a":1,"b":[1,2]}'],
  [2, '-0.25', null],
  [3, '0', '"x"'],
];
const sum = (cols: Column[], data: Canonical[][]) => {
  const c = new TableChecksum(cols);
  for (const r of data) c.add(r);
  return c.hex();
};

test('the same rows in another order, or with the columns in another order, hash the same', () => {
  const base = sum(columns, rows);
  assert.equal(sum(columns, [...rows].reverse()), base);
  const swapped = [columns[2]!, columns[0]!, columns[1]!];
  assert.equal(
    sum(
      swapped,
      rows.map((r) => [r[2]!, r[0]!, r[1]!]),
    ),
    base,
  );
  // jsonb reorders keys and spacing: the same content hashes the same.
  assert.equal(sum(columns, [[1, '1.5', '{"b": [1, 2], "a": 1}'], rows[1]!, rows[2]!]), base);
});

test('any changed value, a missing row or a duplicated one changes the checksum', () => {
  const base = sum(columns, rows);
  assert.notEqual(sum(columns, [[1, '1.50001', rows[0]![2]!], rows[1]!, rows[2]!]), base);
  assert.notEqual(sum(columns, [[1, '1.5', null], rows[1]!, rows[2]!]), base);
  assert.notEqual(sum(columns, rows.slice(1)), base);
  assert.notEqual(sum(columns, [...rows, rows[0]!]), base);
  assert.notEqual(
    sum(columns, [
      [1, '1.5', rows[0]![2]!],
      [2, '-0.25', null],
      [3, 0, '"x"'],
    ]),
    base,
    'the number 0 is not the decimal "0"',
  );
});
