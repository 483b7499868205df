import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import {
  type CandleReadOptions,
  detectCandleFormat,
  detectTickFormat,
  readCandles,
  readTicks,
} from '../../../src/marketdata/formats/readers.ts';
import { collect, fixture } from './support.ts';

// Every fixture and what it is; null means "not this kind of data".
type Case = [
  string,
  ReturnType<typeof detectCandleFormat>,
  ReturnType<typeof detectTickFormat>,
  CandleReadOptions?,
];
const TIMES_MAP = {
  ts: 'When',
  open: 'Px Open',
  high: 'Px High',
  low: 'Px Low',
  close: 'Px Close',
  volume: 'Qty',
};
const CASES: Case[] = [
  ['freqtrade-btc-1m.json', 'freqtrade', null],
  ['freqtrade-btc-1m.json.gz', 'freqtrade', null],
  ['ccxt-null-volume.json', 'freqtrade', null],
  ['binance-btcusdt-1m.csv', 'binance', null],
  ['binance-btcusdt-1m-us.csv', 'binance', null],
  ['yahoo-nvda.csv', 'yahoo', null],
  ['yahoo-null.csv', 'yahoo', null],
  ['bt-minute.csv', 'csv', null],
  ['generic-bad.csv', 'csv', null],
  ['generic-times.csv', 'csv', null, { fileName: 'data', map: TIMES_MAP }],
  ['freqtrade-xrp-eth-trades.json.gz', null, 'freqtrade-trades'],
  ['freqtrade-trades-bad.json', null, 'freqtrade-trades'],
  ['kraken-bcheur.csv', null, 'kraken'],
  ['kraken-bad.csv', null, 'kraken'],
];

describe('format detection from content', () => {
  for (const [name, candleFormat, tickFormat, options] of CASES) {
    test(`${name}: first bytes → ${candleFormat ?? tickFormat}`, async () => {
      const head = readFileSync(fixture(name)).subarray(0, 4096);
      assert.equal(detectCandleFormat(head), candleFormat);
      assert.equal(detectTickFormat(head), tickFormat);
      // The readers make the same choice; the file name is no hint (it is replaced by a neutral one).
      if (candleFormat !== null) {
        const got = await collect(readCandles(fixture(name), options ?? { fileName: 'data' }));
        assert.equal(got.last.format, candleFormat);
      } else {
        const got = await collect(readTicks(fixture(name), { fileName: 'data' }));
        assert.equal(got.last.format, tickFormat);
      }
    });
  }

  test('strings work as well as buffers; blank and unknown input is null', () => {
    assert.equal(detectCandleFormat('\ufeff  [[1700000000000, 1, 2, 0.5, 1.5, 3]]'), 'freqtrade');
    assert.equal(detectCandleFormat('Date,Open,High,Low,Close,Adj Close,Volume\r\n'), 'yahoo');
    assert.equal(detectCandleFormat(''), null);
    assert.equal(detectCandleFormat('{"a": 1}'), null);
    assert.equal(detectCandleFormat('1,2,3'), null);
    assert.equal(detectTickFormat('1,2,3,4,5,6,7'), null);
  });
});
