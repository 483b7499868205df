import assert from 'node:assert/strict';
import { createReadStream, readFileSync } from 'node:fs';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import { type CandleRow, readCandles } from '../../../src/marketdata/formats/readers.ts';
import { collect, fixture, rejectLines } from './support.ts';

type Values = [number, number, number, number, number, number];
const candle = ([ts, open, high, low, close, volume]: Values): CandleRow => ({
  ts,
  open,
  high,
  low,
  close,
  volume,
});

// Copied by hand from test/fixtures/marketdata/freqtrade-btc-1m.json (the first 12 candles of the real file).
const BTC_1M: CandleRow[] = (
  [
    [1509836520000, 0.00162008, 0.00162008, 0.00162008, 0.00162008, 108.14853839],
    [1509836580000, 0.00161, 0.00161, 0.00161, 0.00161, 82.390199],
    [1509836640000, 0.00161, 0.00161, 0.00161, 0.00161, 236.33244948],
    [1509836700000, 0.00161, 0.00162, 0.00161, 0.00162, 64.53000899],
    [1509836760000, 0.00162, 0.00162, 0.00162, 0.00162, 13.7469126],
    [1509836820000, 0.00162, 0.00162, 0.00160345, 0.00160345, 19.60000001],
    [1509837240000, 0.00161902, 0.00161902, 0.00161902, 0.00161902, 6.34875668],
    [1509837300000, 0.0016034, 0.0016034, 0.0016034, 0.0016034, 3.0],
    [1509837360000, 0.0016034, 0.0016034, 0.0016034, 0.0016034, 16.23657741],
    [1509837420000, 0.0016034, 0.0016034, 0.0016009, 0.0016009, 85.1959082],
    [1509837480000, 0.00160356, 0.00160356, 0.0016034, 0.0016034, 4.06965488],
    [1509837600000, 0.00160372, 0.00160372, 0.00160356, 0.00160356, 117.25068418],
  ] as Values[]
).map(candle);

describe('freqtrade / ccxt JSON', () => {
  test('reads the real freqtrade slice to the exact candles', async () => {
    const file = fixture('freqtrade-btc-1m.json');
    const got = await collect(readCandles(file, { fileName: 'btc.json' }));
    assert.deepEqual(got.rows, BTC_1M);
    assert.deepEqual(got.rejects, []);
    assert.equal(got.last.format, 'freqtrade');
    assert.equal(got.last.linesRead, 12);
    assert.equal(got.last.bytesRead, readFileSync(file).length);
    assert.equal(got.last.unsortedRows, 0);
  });

  test('gzip is recognised by magic bytes; bytesRead counts compressed bytes', async () => {
    const file = fixture('freqtrade-btc-1m.json.gz');
    const got = await collect(readCandles(file, { fileName: 'btc.json.gz' }));
    assert.deepEqual(got.rows, BTC_1M);
    assert.equal(got.last.bytesRead, readFileSync(file).length);
  });

  test('gzip from a stream whose first chunk is a single byte', async () => {
    const bytes = readFileSync(fixture('freqtrade-btc-1m.json.gz'));
    const stream = Readable.from([bytes.subarray(0, 1), bytes.subarray(1, 50), bytes.subarray(50)]);
    const got = await collect(readCandles(stream, { fileName: '-' }));
    assert.deepEqual(got.rows, BTC_1M);
  });

  test('tiny chunks split numbers and elements anywhere', async () => {
    const text = readFileSync(fixture('freqtrade-btc-1m.json'));
    const pieces: Buffer[] = [];
    for (let i = 0; i < text.length; i += 7) pieces.push(text.subarray(i, i + 7));
    const got = await collect(readCandles(Readable.from(pieces), { fileName: '-' }));
    assert.deepEqual(got.rows, BTC_1M);
  });

  test('batches hold batchSize rows; counters are cumulative', async () => {
    const seen: [number, number][] = [];
    for await (const batch of readCandles(fixture('freqtrade-btc-1m.json'), {
      fileName: 'b',
      batchSize: 5,
    })) {
      seen.push([batch.rows.length, batch.linesRead]);
    }
    assert.deepEqual(seen, [
      [5, 12],
      [5, 12],
      [2, 12],
    ]);
  });

  test('every reject reason with its row number', async () => {
    const got = await collect(readCandles(fixture('freqtrade-bad.json'), { fileName: 'bad.json' }));
    const T0 = 1700000000000;
    assert.deepEqual(
      got.rows.map((r) => r.ts),
      [T0, T0 + 300000, T0 + 360000, T0 + 30000, T0 + 420000, T0 + 540000],
    );
    // Row 19 holds numeric strings: tolerated and converted.
    assert.deepEqual(got.rows[5], candle([T0 + 540000, 1, 2, 0.5, 1.5, 3]));
    assert.deepEqual(rejectLines(got.rejects), [
      [2, 'high < low (high 99, low 101)'],
      [3, 'open 102 outside [low 99.5, high 101.5]'],
      [4, 'close 98 outside [low 99, high 101]'],
      [5, 'negative volume -1'],
      [7, 'duplicate ts 1700000000000 (2023-11-14T22:13:20.000Z) already read from this file'],
      [9, 'duplicate ts 1700000360000 (2023-11-14T22:19:20.000Z) already read from this file'],
      [10, 'volume is null'],
      [11, 'open is not a number: "abc"'],
      [12, 'expected 6 values [ts, open, high, low, close, volume], got 3'],
      [13, 'row is not an array [ts, open, high, low, close, volume]'],
      [14, 'unparseable time "yesterday"'],
      [16, 'duplicate ts 1700000030000 (2023-11-14T22:13:50.000Z) already read from this file'],
      [18, 'unparseable time: 1700000480000.5 is not a whole epoch millisecond'],
      [20, 'high is not finite (Infinity)'],
    ]);
    assert.equal(got.rejects[0]!.position, 'bad.json:row 2');
    assert.equal(got.rejects[0]!.file, 'bad.json');
    assert.equal(got.rejects[0]!.raw, '[1700000060000,100.5,99,101,100,5]');
    assert.equal(got.last.unsortedRows, 1);
    assert.equal(got.last.linesRead, 20);
  });

  test('ccxt null volume is a reject, not a crash', async () => {
    const got = await collect(
      readCandles(fixture('ccxt-null-volume.json'), { fileName: 'c', format: 'ccxt' }),
    );
    assert.deepEqual(got.rows, [candle([1700000060000, 1.55, 1.57, 1.5, 1.52, 12.5])]);
    assert.deepEqual(rejectLines(got.rejects), [[1, 'volume is null']]);
    assert.equal(got.last.format, 'ccxt');
  });

  test('a truncated file throws naming the file', async () => {
    await assert.rejects(
      collect(readCandles(fixture('freqtrade-truncated.txt'), { fileName: 'cut.json' })),
      /^Error: cut\.json: truncated JSON: input ends inside the array after row 5/,
    );
  });

  test('corrupt gzip throws naming the file', async () => {
    await assert.rejects(
      collect(readCandles(fixture('freqtrade-corrupt.json.gz'), { fileName: 'bad.json.gz' })),
      /^Error: bad\.json\.gz: corrupt or truncated gzip data/,
    );
  });

  test('invalid JSON throws with the row it follows', async () => {
    await assert.rejects(
      collect(readCandles(fixture('freqtrade-invalid.txt'), { fileName: 'inv.json' })),
      /^Error: inv\.json: invalid JSON in row 2: Unexpected token ','/,
    );
  });

  test('CSV forced through the JSON reader is not JSON', async () => {
    await assert.rejects(
      collect(readCandles(fixture('yahoo-nvda.csv'), { fileName: 'y.csv', format: 'freqtrade' })),
      /^Error: y\.csv: not JSON rows: expected '\[' at the start/,
    );
  });

  test('strings containing brackets fall back to the exact scanner', async () => {
    const text =
      '[[1700000000000, 1, 2, 0.5, 1.5, 3], ["]]x", 1, 2, 0.5, 1.5, 3], [1700000060000, 1, 2, 0.5, 1.5, 4]]';
    const pieces = [text.slice(0, 45), text.slice(45, 50), text.slice(50)].map((s) => Buffer.from(s));
    const got = await collect(readCandles(Readable.from(pieces), { fileName: '-' }));
    assert.deepEqual(
      got.rows.map((r) => r.volume),
      [3, 4],
    );
    assert.deepEqual(rejectLines(got.rejects), [[2, 'unparseable time "]]x"']]);
  });

  test('data after the closing bracket throws', async () => {
    const stream = Readable.from([Buffer.from('[[1700000000000, 1, 2, 0.5, 1.5, 3]] [')]);
    await assert.rejects(collect(readCandles(stream, { fileName: '-' })), /^Error: -: unexpected data after/);
  });

  test('an empty array is zero rows, still one batch', async () => {
    const got = await collect(readCandles(Readable.from([Buffer.from(' [ ] ')]), { fileName: '-' }));
    assert.deepEqual(got.batches, [0]);
  });
});

describe('binance klines', () => {
  test('ms open times, no header', async () => {
    const got = await collect(readCandles(fixture('binance-btcusdt-1m.csv'), { fileName: 'k.csv' }));
    assert.equal(got.last.format, 'binance');
    assert.deepEqual(got.rows, [
      candle([1704067200000, 42283.58, 42298.62, 42283.57, 42298.61, 35.92724]),
      candle([1704067260000, 42298.62, 42320.0, 42298.61, 42310.0, 21.0752]),
      candle([1704067320000, 42310.0, 42310.0, 42263.3, 42286.27, 39.7627]),
    ]);
  });

  test('µs open times normalise to ms; header line skipped; 13 fields rejected', async () => {
    const got = await collect(readCandles(fixture('binance-btcusdt-1m-us.csv'), { fileName: 'k.csv' }));
    assert.equal(got.last.format, 'binance');
    assert.deepEqual(got.rows, [
      candle([1735689600000, 93576.0, 93610.93, 93537.5, 93610.93, 8.21827]),
      candle([1735689660000, 93610.93, 93652.0, 93606.3, 93636.98, 14.50128]),
    ]);
    assert.deepEqual(rejectLines(got.rejects), [[4, 'expected 12 fields, got 13']]);
    assert.equal(got.rejects[0]!.position, 'k.csv:line 4');
  });
});

describe('yahoo', () => {
  // Hand-copied from yahoo-nvda.csv lines 2-4 (Date, Open, High, Low, Close, Adj Close, Volume).
  const first: [string, number, number, number, number, number, number][] = [
    ['1999-01-22', 1.75, 1.953125, 1.552083, 1.640625, 1.518424, 67867200],
    ['1999-01-25', 1.770833, 1.833333, 1.640625, 1.8125, 1.677496, 12762000],
    ['1999-01-26', 1.833333, 1.869792, 1.645833, 1.671875, 1.547346, 8580000],
  ];
  const day = (d: string): number => {
    const [y, m, dd] = d.split('-').map(Number) as [number, number, number];
    return Date.UTC(y, m - 1, dd);
  };

  test('dates are UTC midnight; all 12 rows', async () => {
    const got = await collect(readCandles(fixture('yahoo-nvda.csv'), { fileName: 'nvda.csv' }));
    assert.equal(got.last.format, 'yahoo');
    assert.equal(got.rows.length, 12);
    assert.deepEqual(
      got.rows.slice(0, 3),
      first.map(([d, o, h, l, c, , v]) => candle([day(d), o, h, l, c, v])),
    );
    assert.deepEqual(
      got.rows[11],
      candle([Date.UTC(1999, 1, 8), 1.661458, 1.666667, 1.59375, 1.59375, 3852000]),
    );
    assert.equal(got.last.linesRead, 13);
  });

  test('adjusted scales OHLC by Adj Close / Close, volume unchanged', async () => {
    const got = await collect(
      readCandles(fixture('yahoo-nvda.csv'), { fileName: 'nvda.csv', adjusted: true }),
    );
    const [d, o, h, l, c, a, v] = first[0]!;
    const f = a / c;
    assert.deepEqual(got.rows[0], candle([day(d), o * f, h * f, l * f, c * f, v]));
    assert.ok(Math.abs(got.rows[0]!.close - a) < 1e-12);
  });

  test('a null row is rejected (CRLF file)', async () => {
    const got = await collect(readCandles(fixture('yahoo-null.csv'), { fileName: 'y.csv' }));
    assert.deepEqual(got.rows, [
      candle([Date.UTC(2019, 0, 2), 1, 2, 0.5, 1.5, 100]),
      candle([Date.UTC(2019, 0, 4), 1.5, 2.5, 1, 2, 200]),
    ]);
    assert.deepEqual(rejectLines(got.rejects), [[3, 'open is null']]);
    assert.equal(got.rejects[0]!.raw, '2019-01-03,null,null,null,null,null,null');
  });

  test('tz puts the trading day at local midnight', async () => {
    const got = await collect(
      readCandles(fixture('yahoo-null.csv'), { fileName: 'y.csv', tz: 'America/New_York' }),
    );
    assert.equal(got.rows[0]!.ts, Date.UTC(2019, 0, 2, 5));
  });
});

describe('generic csv', () => {
  test('every reject reason with its line number', async () => {
    const got = await collect(readCandles(fixture('generic-bad.csv'), { fileName: 'g.csv' }));
    assert.equal(got.last.format, 'csv');
    assert.deepEqual(got.rows, [
      candle([Date.UTC(2024, 0, 1, 0, 0), 10, 11, 9, 10.5, 100]),
      candle([Date.UTC(2024, 0, 1, 0, 9), 10, 11, 9, 10, 7]),
    ]);
    assert.deepEqual(rejectLines(got.rejects), [
      [3, 'high is empty'],
      [4, 'close is not a number: "abc"'],
      [5, 'unparseable time "not-a-date"'],
      [6, 'high < low (high 9, low 11)'],
      [8, 'open 12 outside [low 9, high 11]'],
      [9, 'close 8 outside [low 9, high 11]'],
      [10, 'negative volume -5'],
      [11, 'duplicate ts 1704067200000 (2024-01-01T00:00:00.000Z) already read from this file'],
      [12, 'expected at least 6 fields, got 5'],
      [13, 'volume is not a number: "NaN"'],
      [15, 'unparseable time "2024-02-30T00:00:00Z"'],
    ]);
    assert.equal(got.last.linesRead, 15);
  });

  test('map by header name; one epoch unit per file, ISO with fraction and offset, date only, YYYYMMDD', async () => {
    const map = {
      ts: 'When',
      open: 'px open',
      high: 'Px High',
      low: 'Px Low',
      close: 'Px Close',
      volume: 'Qty',
    };
    const got = await collect(readCandles(fixture('generic-times.csv'), { fileName: 'g.csv', map }));
    // The first time (line 2) is in seconds: the ms and µs times after it are rejected, not re-guessed.
    assert.deepEqual(rejectLines(got.rejects), [
      [
        3,
        "time 1704067260000 has the size of milliseconds, but this file's times are seconds (decided from the first time, line 2); units are not guessed per row: fix the file or set the time unit",
      ],
      [
        4,
        "time 1704067320000000 has the size of microseconds, but this file's times are seconds (decided from the first time, line 2); units are not guessed per row: fix the file or set the time unit",
      ],
    ]);
    assert.deepEqual(
      got.rows.map((r) => [r.ts, r.volume]),
      [
        [Date.UTC(2024, 0, 1, 0, 0), 10],
        [Date.UTC(2024, 0, 1, 0, 3, 0, 250), 13],
        [Date.UTC(2024, 0, 1, 0, 4), 14],
        [Date.UTC(2024, 0, 1, 0, 5), 15],
        [Date.UTC(2024, 0, 2), 16],
        [Date.UTC(2024, 0, 3), 17],
      ],
    );
  });

  test('map by 0-based column number', async () => {
    const map = { ts: '0', open: '1', high: '2', low: '3', close: '4', volume: '5' };
    const got = await collect(readCandles(fixture('generic-times.csv'), { fileName: 'g.csv', map }));
    assert.equal(got.rows.length, 6);
  });

  test('a missing mapped column throws naming the file, column and option', async () => {
    await assert.rejects(
      collect(readCandles(fixture('generic-times.csv'), { fileName: 'g.csv', map: { ts: 'Nope' } })),
      /^Error: g\.csv: column "Nope" \(option map\.ts\) not found; header is "When", "Px Open"/,
    );
  });

  test('unrecognised headers without a map throw naming the missing field', async () => {
    await assert.rejects(
      collect(readCandles(fixture('generic-times.csv'), { fileName: 'g.csv', map: { ts: 'When' } })),
      /^Error: g\.csv: no open column found; set option map\.open/,
    );
  });

  test('backtrader layout: unnamed time column after the date, read as UTC', async () => {
    const got = await collect(readCandles(fixture('bt-minute.csv'), { fileName: 'bt.csv' }));
    assert.equal(got.last.format, 'csv');
    assert.equal(got.rows.length, 10);
    assert.deepEqual(got.rows[0], candle([Date.UTC(2006, 0, 2, 9, 1), 3602, 3603, 3597, 3599, 5699]));
    assert.deepEqual(got.rows[9], candle([Date.UTC(2006, 0, 2, 9, 10), 3600, 3601, 3600, 3601, 476]));
  });

  test('separate date and time columns with tz=America/New_York give UTC ms', async () => {
    const opts = { fileName: 'bt.csv', tz: 'America/New_York', map: { date: 'Date', time: 'Time' } };
    const got = await collect(readCandles(fixture('bt-minute.csv'), opts));
    // 2006-01-02 09:01 EST (UTC-5) = 14:01 UTC = 1136210460 s (checked with `date -u`).
    assert.equal(got.rows[0]!.ts, 1136210460000);
    assert.equal(got.rows[9]!.ts, 1136210460000 + 9 * 60_000);
  });

  test('DST: skipped local times move forward, repeated ones take the first (EDT) instant', async () => {
    const got = await collect(
      readCandles(fixture('generic-dst.csv'), { fileName: 'd.csv', tz: 'America/New_York' }),
    );
    assert.deepEqual(
      got.rows.map((r) => new Date(r.ts).toISOString()),
      [
        '2024-03-10T06:59:00.000Z', // 01:59 EST
        '2024-03-10T07:30:00.000Z', // 02:30 does not exist: read as 03:30 EDT
        '2024-03-10T07:00:00.000Z', // 03:00 EDT
        '2024-11-03T05:30:00.000Z', // 01:30 happens twice: EDT first
        '2024-11-03T07:00:00.000Z', // 02:00 EST
      ],
    );
    assert.equal(got.last.unsortedRows, 1);
  });

  test('quoted fields go through csv-parse with the right line numbers', async () => {
    const text =
      'ts,open,high,low,close,volume\n1704067200000,1,2,0.5,1.5,1\n"1704067260000","1","2","0.5","1.5","2"\n1704067320000,"3",2,0.5,1.5,3\n';
    const got = await collect(readCandles(Readable.from([Buffer.from(text)]), { fileName: '-' }));
    assert.deepEqual(
      got.rows.map((r) => r.volume),
      [1, 2],
    );
    assert.deepEqual(rejectLines(got.rejects), [[4, 'open 3 outside [low 0.5, high 2]']]);
    assert.equal(got.rejects[0]!.file, '-');
  });
});

describe('whole-file errors and options', () => {
  test('unknown format names the file and the first line', async () => {
    await assert.rejects(
      collect(readCandles(Readable.from([Buffer.from('hello world\n')]), { fileName: 'x.txt' })),
      /^Error: x\.txt: unknown candle format; first line "hello world"/,
    );
  });

  test('a trades file read as candles says so', async () => {
    await assert.rejects(
      collect(readCandles(fixture('freqtrade-xrp-eth-trades.json.gz'), { fileName: 't.json.gz' })),
      /^Error: t\.json\.gz: unknown candle format \(it looks like public trades/,
    );
  });

  test('a missing file names it', async () => {
    await assert.rejects(
      collect(readCandles(fixture('nope.json'), { fileName: 'nope.json' })),
      /^Error: nope\.json: cannot read/,
    );
  });

  test('bad options name the option', async () => {
    await assert.rejects(
      collect(readCandles(fixture('bt-minute.csv'), { fileName: 'bt.csv', tz: 'Mars/Olympus' })),
      /^Error: bt\.csv: option tz: unknown time zone "Mars\/Olympus"/,
    );
    await assert.rejects(
      collect(readCandles(fixture('bt-minute.csv'), { fileName: 'bt.csv', batchSize: 0 })),
      /^Error: bt\.csv: option batchSize/,
    );
    await assert.rejects(
      // @ts-expect-error a misspelt option must not pass silently
      collect(readCandles(fixture('bt-minute.csv'), { fileName: 'bt.csv', timezone: 'UTC' })),
      /^Error: bt\.csv: option \(options\): Unrecognized key: "timezone"/,
    );
    await assert.rejects(
      collect(readCandles(fixture('binance-btcusdt-1m.csv'), { fileName: 'k.csv', adjusted: true })),
      /^Error: k\.csv: option adjusted applies only to the yahoo format/,
    );
  });

  test('stopping early on a path releases the file without errors', async () => {
    for await (const batch of readCandles(fixture('freqtrade-btc-1m.json'), {
      fileName: 'f',
      batchSize: 1,
    })) {
      assert.equal(batch.rows.length, 1);
      break;
    }
    for await (const batch of readCandles(fixture('freqtrade-btc-1m.json.gz'), {
      fileName: 'f',
      batchSize: 1,
    })) {
      assert.equal(batch.rows.length, 1);
      break;
    }
  });

  test('stopping early closes the stream', async () => {
    const stream = createReadStream(fixture('freqtrade-btc-1m.json'), { highWaterMark: 64 });
    for await (const batch of readCandles(stream, { fileName: '-', batchSize: 1 })) {
      assert.equal(batch.rows.length, 1);
      break;
    }
    assert.equal(stream.destroyed, true);
  });
});
