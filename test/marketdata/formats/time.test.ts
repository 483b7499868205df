import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { TimestampLedger } from '../../../src/marketdata/formats/ledger.ts';
import {
  epochToMs,
  parseDateAndTime,
  parseTimestamp,
  WallClock,
} from '../../../src/marketdata/formats/time.ts';
import { bucketStart, nextBucketStart, parseTimeframe } from '../../../src/marketdata/timeframes.ts';

describe('timestamps', () => {
  test('epoch units by magnitude', () => {
    assert.equal(epochToMs(1704067200), 1704067200000);
    assert.equal(epochToMs(1704067200.123), 1704067200123);
    assert.equal(epochToMs(1704067200000), 1704067200000);
    assert.equal(epochToMs(1704067200000999), 1704067200000);
    // ns beyond 2^53 arrive rounded to 256 ns; the ms result is unaffected.
    assert.equal(epochToMs(1704067200000500000), 1704067200000);
  });

  test('ISO forms; naive ones follow the zone, explicit offsets do not', () => {
    const ny = new WallClock('America/New_York');
    assert.equal(parseTimestamp('2024-01-01T00:00:00Z', ny), Date.UTC(2024, 0, 1));
    assert.equal(parseTimestamp('2024-01-01 00:00:00', ny), Date.UTC(2024, 0, 1, 5));
    assert.equal(parseTimestamp('2024-07-01', ny), Date.UTC(2024, 6, 1, 4));
    assert.equal(parseTimestamp('2024-01-01T05:30:00+0530', null), Date.UTC(2024, 0, 1));
    assert.equal(parseTimestamp('2024-01-01T00:00:00.123456Z', null), Date.UTC(2024, 0, 1, 0, 0, 0, 123));
    assert.equal(parseTimestamp('2024/01/01 00:00', null), Date.UTC(2024, 0, 1));
    assert.ok(Number.isNaN(parseTimestamp('2023-02-29', null)));
    assert.ok(Number.isNaN(parseTimestamp('2024-01-01T24:00:00Z', null)));
    assert.ok(Number.isNaN(parseTimestamp('', null)));
    assert.equal(parseDateAndTime('2024-02-29', '23:59:59', null), Date.UTC(2024, 1, 29, 23, 59, 59));
    assert.ok(Number.isNaN(parseDateAndTime('2024-02-29', '9am', null)));
  });

  test('zones east of UTC and half-hour offsets', () => {
    assert.equal(new WallClock('Asia/Kolkata').toUtc(Date.UTC(2024, 0, 1, 5, 30)), Date.UTC(2024, 0, 1));
    assert.equal(
      new WallClock('Europe/Berlin').toUtc(Date.UTC(2024, 2, 31, 2, 30)),
      Date.UTC(2024, 2, 31, 1, 30),
    );
  });
});

describe('TimestampLedger', () => {
  test('sorted grid with gaps holds one run per gap', () => {
    const ledger = new TimestampLedger();
    for (let i = 0; i < 1000; i++) assert.equal(ledger.admit(i * 60_000), true);
    for (let i = 2000; i < 3000; i++) assert.equal(ledger.admit(i * 60_000), true);
    assert.equal(ledger.footprint, 2);
    assert.equal(ledger.admit(999 * 60_000), false);
    assert.equal(ledger.admit(2500 * 60_000), false);
    assert.equal(ledger.unsortedRows, 0);
  });

  test('out-of-order rows: exact duplicates, unsorted count, Set only for late rows', () => {
    const ledger = new TimestampLedger();
    for (const ts of [0, 60, 120, 600, 660]) ledger.admit(ts);
    assert.equal(ledger.admit(300), true);
    assert.equal(ledger.admit(300), false);
    assert.equal(ledger.admit(60), false);
    assert.equal(ledger.admit(90), true);
    assert.equal(ledger.admit(720), true);
    // 300 after 660 and 90 after 300 (rejected duplicates do not count).
    assert.equal(ledger.unsortedRows, 2);
    assert.equal(ledger.footprint, 2 + 2);
  });
});

describe('timeframes', () => {
  test('parse', () => {
    assert.deepEqual(parseTimeframe('15m'), { text: '15m', count: 15, unit: 'm', ms: 900_000 });
    assert.deepEqual(parseTimeframe('1w'), { text: '1w', count: 1, unit: 'w' });
    assert.deepEqual(parseTimeframe('1M'), { text: '1M', count: 1, unit: 'M' });
    assert.throws(() => parseTimeframe('1y'), /invalid timeframe "1y"/);
    assert.throws(() => parseTimeframe('0m'), /invalid timeframe/);
  });

  test('buckets: epoch-aligned for fixed units, Monday weeks, calendar months', () => {
    const ts = Date.UTC(2024, 1, 29, 13, 37, 12); // Thursday
    assert.equal(bucketStart(ts, '1m'), Date.UTC(2024, 1, 29, 13, 37));
    assert.equal(bucketStart(ts, '15m'), Date.UTC(2024, 1, 29, 13, 30));
    assert.equal(bucketStart(ts, '4h'), Date.UTC(2024, 1, 29, 12));
    assert.equal(bucketStart(ts, '1d'), Date.UTC(2024, 1, 29));
    assert.equal(bucketStart(ts, '1w'), Date.UTC(2024, 1, 26)); // Monday
    assert.equal(bucketStart(Date.UTC(2024, 1, 26), '1w'), Date.UTC(2024, 1, 26));
    assert.equal(bucketStart(Date.UTC(2024, 1, 25, 23, 59), '1w'), Date.UTC(2024, 1, 19));
    assert.equal(bucketStart(ts, '1M'), Date.UTC(2024, 1, 1));
    assert.equal(nextBucketStart(ts, '1M'), Date.UTC(2024, 2, 1));
    assert.equal(bucketStart(ts, '3M'), Date.UTC(2024, 0, 1));
    assert.equal(nextBucketStart(Date.UTC(2024, 11, 31), '1M'), Date.UTC(2025, 0, 1));
    assert.equal(bucketStart(Date.UTC(1969, 11, 31, 12), '1d'), Date.UTC(1969, 11, 31));
  });
});
