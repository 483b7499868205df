import assert from 'node:assert/strict';
import { test } from 'node:test';
import { partOf } from '../../src/seed/demo-context.ts';

test('partOf: a share of a quantity, truncated exactly (floating point gives 0.056 for 0.095 × 0.6)', () => {
  assert.equal(partOf('0.095', '0.6', 3), '0.057');
  assert.equal(partOf('0.375', '0.6', 3), '0.225');
  assert.equal(partOf('0.015', '0.45', 3), '0.006');
  assert.equal(partOf('3', '0.45', 0), '1');
  assert.equal(partOf('1.15', '0.6', 2), '0.69');
});
