import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { readTicks, type TickRow } from '../../../src/marketdata/formats/readers.ts';
import { collect, fixture, rejectLines } from './support.ts';

type Trade = [number, string | null, 'buy' | 'sell' | null, number, number];
const tick = ([ts, tradeId, side, price, amount]: Trade): TickRow => ({ ts, tradeId, side, price, amount });

describe('freqtrade trades', () => {
  test('reads the real gzip slice to the exact trades', async () => {
    const got = await collect(
      readTicks(fixture('freqtrade-xrp-eth-trades.json.gz'), { fileName: 't.json.gz' }),
    );
    assert.equal(got.last.format, 'freqtrade-trades');
    // Hand-copied from the fixture: [ts, id, type, side, price, amount, cost].
    const expected: Trade[] = [
      [1570752011620, '13519807', 'sell', 0.00141342, 23],
      [1570752011620, '13519808', 'sell', 0.00141266, 54],
      [1570752017964, '13519809', 'sell', 0.00141266, 8],
      [1570752028907, '13519810', 'buy', 0.00141379, 581],
      [1570752028990, '13519811', 'buy', 0.00141379, 590],
      [1570752033759, '13519812', 'buy', 0.00141557, 11],
      [1570752034552, '13519813', 'sell', 0.00141536, 201],
      [1570752051054, '13519814', 'sell', 0.0014148, 11],
      [1570752051054, '13519815', 'sell', 0.00141418, 3],
      [1570752072419, '13519816', 'buy', 0.00141597, 11],
    ];
    assert.deepEqual(got.rows, expected.map(tick));
    assert.deepEqual(got.rejects, []);
    assert.equal(got.last.unsortedRows, 0);
  });

  test('numeric and null ids, null side, and every reject reason', async () => {
    const got = await collect(readTicks(fixture('freqtrade-trades-bad.json'), { fileName: 'tb.json' }));
    assert.deepEqual(got.rows, [
      tick([1570752011620, 'a1', 'sell', 0.00141342, 23]),
      tick([1570752011621, '42', 'buy', 0.0014, 1]),
      tick([1570752011622, null, null, 0.0014, 2]),
      tick([1570752011000, 'a8', 'sell', 0.0015, 3]),
    ]);
    assert.deepEqual(rejectLines(got.rejects), [
      [4, 'unknown side "hold" (expected buy, sell or null)'],
      [5, 'price is null'],
      [6, 'non-positive amount 0'],
      [7, 'expected 7 values [ts, id, type, side, price, amount, cost], got 4'],
    ]);
    assert.equal(got.rejects[0]!.position, 'tb.json:row 4');
    assert.equal(got.last.unsortedRows, 1);
  });
});

describe('kraken', () => {
  test('reads the real slice; seconds become ms; no id or side', async () => {
    const got = await collect(readTicks(fixture('kraken-bcheur.csv'), { fileName: 'k.csv' }));
    assert.equal(got.last.format, 'kraken');
    const expected: [number, number, number][] = [
      [1672531436, 90.54, 1.1044842],
      [1672531471, 90.45, 1.0],
      [1672531647, 90.36, 0.286],
      [1672533909, 90.0, 0.05],
      [1672533909, 90.0, 0.55555555],
      [1672533909, 90.0, 0.05],
      [1672539535, 90.16, 5.15191003],
      [1672539535, 90.17, 6.19997081],
      [1672541045, 90.17, 0.1727097],
      [1672541045, 90.17, 0.81109774],
    ];
    assert.deepEqual(
      got.rows,
      expected.map(([s, price, amount]) => tick([s * 1000, null, null, price, amount])),
    );
    assert.equal(got.last.linesRead, 10);
  });

  test('fractional seconds to ms, and every reject reason with its line', async () => {
    const got = await collect(readTicks(fixture('kraken-bad.csv'), { fileName: 'kb.csv', format: 'kraken' }));
    assert.deepEqual(got.rows, [
      tick([1672531436123, null, null, 90.54, 1.5]),
      tick([1672531440500, null, null, 90.6, 0.25]),
      tick([1672531430000, null, null, 90.7, 1]),
    ]);
    assert.deepEqual(rejectLines(got.rejects), [
      [2, 'non-positive price 0'],
      [3, 'non-positive amount -1'],
      [4, 'expected 3 fields (unix_seconds,price,volume), got 2'],
      [5, 'unparseable time "oops"'],
    ]);
    assert.equal(got.last.unsortedRows, 1);
  });

  test('candles read as ticks say so', async () => {
    await assert.rejects(
      collect(readTicks(fixture('freqtrade-btc-1m.json'), { fileName: 'c.json' })),
      /^Error: c\.json: unknown trades format \(it looks like candles/,
    );
  });
});
