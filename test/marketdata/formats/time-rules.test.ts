import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import {
  type CandleReadOptions,
  detectCandleFormat,
  detectTickFormat,
  readCandles,
  readTicks,
} from '../../../src/marketdata/formats/readers.ts';
import { excerpt } from '../../../src/marketdata/formats/excerpt.ts';
import { collect, rejectLines } from './support.ts';

const T0 = Date.UTC(2024, 0, 1); // 1704067200000
const json = (rows: unknown[][]): string => JSON.stringify(rows);
/** An in-memory input in the given pieces (a stream, as stdin would be). */
const input = (...pieces: Array<string | Buffer>) => Readable.from(pieces, { objectMode: true });
const candles = (text: string, options: Partial<CandleReadOptions> = {}) =>
  collect(readCandles(input(text), { fileName: 'f', ...options }));

describe('one epoch unit per file, and a sane range', () => {
  test('freqtrade JSON is ms by its format: year 10000 and negative times are rejected, not rescaled', async () => {
    const got = await candles(
      json([
        [T0, 1, 2, 0.5, 1.5, 3],
        [253402300800000, 1, 2, 0.5, 1.5, 3], // 10000-01-01 in ms: was stored as 1978-01-11 (read as µs)
        [-1000, 1, 2, 0.5, 1.5, 3], // was stored as -1000000 (read as seconds)
        [T0 + 60_000, 1, 2, 0.5, 1.5, 3],
      ]),
    );
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0, T0 + 60_000],
    );
    assert.deepEqual(rejectLines(got.rejects), [
      [
        2,
        "time 253402300800000 has the size of microseconds, but this file's times are milliseconds (the freqtrade format's unit); units are not guessed per row: fix the file or set the time unit",
      ],
      [
        3,
        "time -1000 has the size of seconds, but this file's times are milliseconds (the freqtrade format's unit); units are not guessed per row: fix the file or set the time unit",
      ],
    ]);
  });

  test('an explicit unit is obeyed; then only the range decides', async () => {
    const got = await candles(
      json([
        [253402300800000, 1, 2, 0.5, 1.5, 3],
        [-1000, 1, 2, 0.5, 1.5, 3],
        [T0, 1, 2, 0.5, 1.5, 3],
      ]),
      { timeUnit: 'ms' },
    );
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0],
    );
    assert.deepEqual(rejectLines(got.rejects), [
      [
        1,
        'time +010000-01-01T00:00:00.000Z is outside the accepted range 1970-01-01T00:00:00.000Z .. 2200-01-01T00:00:00.000Z (read as milliseconds, as given)',
      ],
      [
        2,
        'time 1969-12-31T23:59:59.000Z is outside the accepted range 1970-01-01T00:00:00.000Z .. 2200-01-01T00:00:00.000Z (read as milliseconds, as given)',
      ],
    ]);
    const seconds = await candles(json([[T0 / 1000, 1, 2, 0.5, 1.5, 3]]), { timeUnit: 's' });
    assert.deepEqual(
      seconds.rows.map((r) => r.ts),
      [T0],
    );
  });

  test('CSV: the unit is decided by the first time; later rows of another size are rejected', async () => {
    const csv = [
      'ts,open,high,low,close,volume',
      `${T0 * 1000},1,2,0.5,1.5,3`, // µs decides
      `${(T0 + 60_000) * 1000},1,2,0.5,1.5,3`,
      `${T0 + 120_000},1,2,0.5,1.5,3`, // ms in a µs file
      `${(T0 + 180_000) / 1000},1,2,0.5,1.5,3`, // s
    ].join('\n');
    const got = await candles(csv);
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0, T0 + 60_000],
    );
    assert.deepEqual(
      got.rejects.map((r) => r.line),
      [4, 5],
    );
    assert.match(
      got.rejects[0]!.reason,
      /^time 1704067320000 has the size of milliseconds, but this file's times are microseconds/,
    );
    assert.match(
      got.rejects[1]!.reason,
      /^time 1704067380 has the size of seconds, but this file's times are microseconds/,
    );
    assert.match(got.rejects[0]!.reason, /\(decided from the first time, line 2\)/);
  });

  test('the accepted range is configurable', async () => {
    const rows = json([
      [T0, 1, 2, 0.5, 1.5, 3],
      [T0 + 86_400_000, 1, 2, 0.5, 1.5, 3],
    ]);
    const got = await candles(rows, { minTime: T0 + 1, maxTime: Date.UTC(2030, 0, 1) });
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0 + 86_400_000],
    );
    assert.match(
      got.rejects[0]!.reason,
      /^time 2024-01-01T00:00:00\.000Z is outside the accepted range 2024-01-01T00:00:00\.001Z \.\. 2030-01-01/,
    );
    await assert.rejects(
      candles(rows, { minTime: T0, maxTime: T0 }),
      /option maxTime: must be after minTime/,
    );
  });

  test('ticks: Kraken is seconds by its format, freqtrade trades ms; other sizes and far times are rejected', async () => {
    const kraken = [`${T0 / 1000},10,1`, `${T0},10,1`, `${T0 / 1000 + 1}.5,10,2`].join('\n');
    const got = await collect(readTicks(input(kraken), { fileName: 'k.csv', format: 'kraken' }));
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0, T0 + 1500],
    );
    assert.deepEqual(
      got.rejects.map((r) => r.line),
      [2],
    );
    assert.match(
      got.rejects[0]!.reason,
      /^time 1704067200000 has the size of milliseconds, but this file's times are seconds \(the kraken format's unit\)/,
    );
    const trades = json([
      [T0, 'a', null, 'buy', 1, 1, 1],
      [Date.UTC(2300, 0, 1), 'b', null, 'buy', 1, 1, 1],
    ]);
    const ft = await collect(readTicks(input(trades), { fileName: 't.json' }));
    assert.equal(ft.rows.length, 1);
    assert.deepEqual(rejectLines(ft.rejects), [
      [
        2,
        "time 2300-01-01T00:00:00.000Z is outside the accepted range 1970-01-01T00:00:00.000Z .. 2200-01-01T00:00:00.000Z (read as milliseconds, the freqtrade-trades format's unit)",
      ],
    ]);
  });
});

describe('candles on their timeframe boundary', () => {
  const rows = json([
    [T0, 1, 2, 0.5, 1.5, 3],
    [T0 + 60_000 + 123, 1, 2, 0.5, 1.5, 3], // the issue's 1700000000123-into-1m case
    [T0 + 60_000, 1, 2, 0.5, 1.5, 4],
  ]);

  test('a ts off the boundary is rejected, naming where its candle opens', async () => {
    const got = await candles(rows, { timeframe: '1m' });
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0, T0 + 60_000],
    );
    assert.deepEqual(rejectLines(got.rejects), [
      [
        2,
        `ts ${T0 + 60_123} (2024-01-01T00:01:00.123Z) is not on a 1m boundary: its candle opens at 2024-01-01T00:01:00.000Z; align floor (--align floor) moves it there`,
      ],
    ]);
  });

  test('align floor moves it to its candle, and the duplicate it then makes is rejected', async () => {
    const got = await candles(rows, { timeframe: '1m', align: 'floor' });
    assert.deepEqual(
      got.rows.map((r) => [r.ts, r.volume]),
      [
        [T0, 3],
        [T0 + 60_000, 3],
      ],
    );
    assert.match(got.rejects[0]!.reason, /^duplicate ts 1704067260000/);
  });

  test('weeks open on Monday and months on the 1st (UTC)', async () => {
    const monday = Date.UTC(2024, 0, 1); // 2024-01-01 is a Monday
    const week = await candles(
      json([
        [monday, 1, 2, 0.5, 1.5, 3],
        [Date.UTC(2024, 0, 4), 1, 2, 0.5, 1.5, 3],
      ]),
      { timeframe: '1w' },
    );
    assert.deepEqual(
      week.rejects.map((r) => r.line),
      [2],
    );
    const month = await candles(
      json([
        [Date.UTC(2024, 1, 1), 1, 2, 0.5, 1.5, 3],
        [Date.UTC(2024, 1, 15), 1, 2, 0.5, 1.5, 3],
      ]),
      { timeframe: '1M' },
    );
    assert.deepEqual(
      month.rejects.map((r) => r.line),
      [2],
    );
    await assert.rejects(candles(rows, { timeframe: '7x' }), /option timeframe: invalid timeframe "7x"/);
  });
});

describe('bare NaN and Infinity in JSON (Python json.dump)', () => {
  test('the row holding one is rejected; every other row is kept', async () => {
    const text =
      `[[${T0}, 1, 2, 0.5, 1.5, 3], [${T0 + 60_000}, NaN, 2, 0.5, 1.5, 3],\n` +
      ` [${T0 + 120_000}, 1, Infinity, 0.5, 1.5, 3], [${T0 + 180_000}, 1, 2, 0.5, 1.5, -Infinity],` +
      ` [${T0 + 240_000}, 1, 2, 0.5, 1.5, 3], [NaN, 1, 2, 0.5, 1.5, 3]]`;
    const got = await candles(text);
    assert.equal(got.last.format, 'freqtrade');
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0, T0 + 240_000],
    );
    assert.deepEqual(rejectLines(got.rejects), [
      [2, 'open is NaN (not a number)'],
      [3, 'high is Infinity (not a number)'],
      [4, 'volume is -Infinity (not a number)'],
      [6, 'unparseable time NaN'],
    ]);
    assert.equal(got.rejects[0]!.raw, `[${T0 + 60_000},NaN,2,0.5,1.5,3]`);
  });

  test('a file that starts with a NaN row, read in small chunks, and a trades file', async () => {
    const text = `[[${T0}, NaN, 2, 0.5, 1.5, 3], [${T0 + 60_000}, 1, 2, 0.5, 1.5, 3]]`;
    const pieces = text.match(/.{1,7}/gs)!;
    const got = await collect(readCandles(input(...pieces), { fileName: 'f' }));
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0 + 60_000],
    );
    assert.deepEqual(rejectLines(got.rejects), [[1, 'open is NaN (not a number)']]);
    const trades = `[[${T0}, "1", null, "buy", NaN, 1, 1], [${T0}, "2", null, "sell", 10, 1, 10]]`;
    assert.equal(detectTickFormat(trades), 'freqtrade-trades');
    const ticks = await collect(readTicks(input(trades), { fileName: 't' }));
    assert.deepEqual(
      ticks.rows.map((r) => r.tradeId),
      ['2'],
    );
    assert.deepEqual(rejectLines(ticks.rejects), [[1, 'price is NaN (not a number)']]);
  });

  test('a quoted "NaN" does not make candles look like trades', async () => {
    const text = `[[${T0}, "NaN", 2, 0.5, 1.5, 3], [${T0 + 60_000}, 1, 2, 0.5, 1.5, 3]]`;
    assert.equal(detectCandleFormat(text), 'freqtrade');
    assert.equal(detectTickFormat(text), null);
    const got = await candles(text);
    assert.deepEqual(rejectLines(got.rejects), [[1, 'open is not a number: "NaN"']]);
    assert.equal(got.rows.length, 1);
    // Strings that are words still mark trades, numeric trade ids too.
    assert.equal(detectCandleFormat(`[[${T0}, "126181333", null, "buy", 1, 1, 1]]`), null);
    assert.equal(detectCandleFormat(`[[${T0}, "NaN", "NaN", "NaN", "NaN", 1]]`), 'freqtrade');
  });

  test('other invalid JSON still fails the file, naming the row', async () => {
    await assert.rejects(
      candles(`[[${T0}, 1, 2, 0.5, 1.5, 3], [${T0}, nan, 2, 0.5, 1.5, 3]]`),
      /^Error: f: invalid JSON in row 2/,
    );
  });
});

describe('offending input in messages is at most 80 characters', () => {
  test('excerpt', () => {
    assert.equal(excerpt('abc'), '"abc"');
    const long = excerpt('\u0001'.repeat(500));
    assert.ok(long.length <= 80, long);
    assert.match(long, /^"(\\u0001)+…"$/);
  });

  /** A message around at most 80 characters of input: the reader's own words plus one excerpt. */
  const assertShort = (message: string) => assert.ok(message.length <= 250, `${message.length}: ${message}`);

  test('a runaway header line is named by its first columns and its column count', async () => {
    const header = Array.from({ length: 3000 }, (_, i) => `column_${i}_`.repeat(10)).join(',');
    const error = await candles(`${header}\n1,2,3\n`).catch((e: Error) => e);
    assert.ok(error instanceof Error);
    assert.match(error.message, /header is "column_0_column_0_.*…", … \(3000 columns\)$/);
    assertShort(error.message);
  });

  test('a binary file: the format error and every reject reason stay short', async () => {
    const bytes = randomBytes(20_000).map((b) => (b === 0x2c || b === 0x0a || b === 0x22 ? 1 : b));
    bytes[0] = 0x41; // not gzip, not '['
    const error = await candles(Buffer.from(bytes).toString('latin1')).then(
      () => null,
      (e: Error) => e,
    );
    assert.ok(error !== null);
    assert.match(error.message, /^f: unknown candle format; first line "A/);
    const quoted = /first line (".*"); set option/.exec(error.message);
    assert.ok(quoted !== null && quoted[1]!.length <= 80, error.message);
    // Forced to read it as CSV: a header of junk and rows of junk (commas, quotes and newlines kept).
    const junk = randomBytes(50_000);
    const forced = await collect(
      readCandles(input(Buffer.concat([Buffer.from('ts,open,high,low,close,volume\n'), junk])), {
        fileName: 'b',
        format: 'csv',
      }),
    ).catch((e: Error) => e);
    if (forced instanceof Error) assertShort(forced.message);
    else {
      assert.ok(forced.rejects.length > 0);
      for (const r of forced.rejects) assertShort(r.reason);
    }
  });
});
