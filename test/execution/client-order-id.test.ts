/** Generated client order ids are UUIDv7: the layout RFC 9562 gives, ordered by creation time. */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { test } from 'node:test';
import { timeOrderedUuid } from '../../src/execution/orders.ts';

const V7 = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('a generated client order id is a UUIDv7 carrying its creation time', () => {
  const before = Date.now();
  const id = timeOrderedUuid();
  const after = Date.now();
  assert.match(id, V7);
  const ms = parseInt(id.slice(0, 8) + id.slice(9, 13), 16);
  assert.ok(ms >= before && ms <= after, `${ms} not within [${before}, ${after}]`);
});

test('ids made in later milliseconds sort after earlier ones, and none repeats', async () => {
  const ids: string[] = [];
  for (let i = 0; i < 5; i++) {
    ids.push(timeOrderedUuid());
    await sleep(2);
  }
  assert.deepEqual([...ids].sort(), ids);
  const many = new Set(Array.from({ length: 10_000 }, () => timeOrderedUuid()));
  assert.equal(many.size, 10_000);
});
