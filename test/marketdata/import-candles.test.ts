import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type CandleReadOptions, type CandleRow, readCandles } from '../../src/marketdata/formats/readers.ts';
import { ImportError, importCandleFile } from '../../src/marketdata/import-candles.ts';
import { eachDialect } from '../support/dialects.ts';
import { cli, spawnCli, storedCandles, summaryOf, tempDir } from './cli-support.ts';
import { collect, fixture } from './formats/support.ts';

const byTs = (rows: CandleRow[]) => [...rows].sort((a, b) => a.ts - b.ts);

/** n valid 1-minute candles from `start`, as freqtrade JSON text. */
function freqtradeJson(
  start: number,
  n: number,
  tweak: (i: number, c: number[]) => number[] = (_i, c) => c,
): string {
  const rows: number[][] = [];
  for (let i = 0; i < n; i++) {
    const open = 100 + (i % 7);
    rows.push(tweak(i, [start + i * 60_000, open, open + 2, open - 1, open + 1, 10 + i]));
  }
  return JSON.stringify(rows);
}

eachDialect('import candles (CLI)', (ctx) => {
  test('every fixture format lands exactly as the reader reads it', async () => {
    const cases: Array<{
      symbol: string;
      file: string;
      args: string[];
      read: CandleReadOptions;
      stdin?: boolean;
    }> = [
      { symbol: 'FT/GZ', file: 'freqtrade-btc-1m.json.gz', args: [], read: { fileName: 'x' } },
      { symbol: 'FT/STDIN', file: 'freqtrade-btc-1m.json', args: [], read: { fileName: 'x' }, stdin: true },
      {
        symbol: 'CCXT/NULL',
        file: 'ccxt-null-volume.json',
        // Its times are 20 s past the minute: floored onto the 1m boundary, as the reader is asked to.
        args: ['--format', 'ccxt', '--align', 'floor'],
        read: { fileName: 'x', format: 'ccxt', align: 'floor' },
      },
      { symbol: 'BIN/MS', file: 'binance-btcusdt-1m.csv', args: [], read: { fileName: 'x' } },
      {
        symbol: 'BIN/US',
        file: 'binance-btcusdt-1m-us.csv',
        args: ['--format', 'binance'],
        read: { fileName: 'x' },
      },
      {
        symbol: 'NVDA',
        file: 'yahoo-nvda.csv',
        args: ['--adjusted'],
        read: { fileName: 'x', adjusted: true },
      },
      {
        symbol: 'BT',
        file: 'bt-minute.csv',
        args: ['--tz', 'America/New_York'],
        read: { fileName: 'x', tz: 'America/New_York' },
      },
      {
        symbol: 'GEN/TIMES',
        file: 'generic-times.csv',
        args: [
          '--format',
          'csv',
          '--map',
          'ts=When,open=Px Open,high=Px High,low=Px Low,close=Px Close,volume=Qty',
        ],
        read: {
          fileName: 'x',
          map: {
            ts: 'When',
            open: 'Px Open',
            high: 'Px High',
            low: 'Px Low',
            close: 'Px Close',
            volume: 'Qty',
          },
        },
      },
      {
        symbol: 'GEN/DST',
        file: 'generic-dst.csv',
        args: ['--map', 'date=date,time=time,volume=volume', '--tz', 'America/New_York'],
        read: {
          fileName: 'x',
          map: { date: 'date', time: 'time', volume: 'volume' },
          tz: 'America/New_York',
        },
      },
    ];
    const runs = [];
    for (const c of cases) {
      runs.push(
        await (c.stdin
          ? spawnCli(
              ctx.url,
              ['import', 'candles', '-', '--asset', c.symbol, '--timeframe', '1m', '--json'],
              readFileSync(fixture(c.file)),
            )
          : cli(ctx.url, [
              'import',
              'candles',
              fixture(c.file),
              '--asset',
              c.symbol,
              '--timeframe',
              '1m',
              '--json',
              ...c.args,
            ])),
      );
    }
    for (const [i, c] of cases.entries()) {
      const summary = summaryOf(runs[i]!);
      const expected = await collect(readCandles(fixture(c.file), { timeframe: '1m', ...c.read }));
      assert.ok(expected.rows.length > 0, c.file);
      assert.deepEqual(byTs(await storedCandles(ctx.store, c.symbol, '1m')), byTs(expected.rows), c.file);
      assert.equal(summary.inserted, expected.rows.length, c.file);
      assert.equal(summary.rejected, expected.rejects.length, c.file);
      assert.equal(summary.read, expected.rows.length + expected.rejects.length, c.file);
      assert.equal(summary.file, c.stdin ? 'stdin' : fixture(c.file));
    }
  });

  test('bad rows: good rows land, every reject is listed with its line, exit 0', async () => {
    const dir = tempDir();
    const csvRejects = join(dir, 'r.csv');
    const jsonRejects = join(dir, 'r.jsonl');
    const csv = await cli(ctx.url, [
      'import',
      'candles',
      fixture('generic-bad.csv'),
      '--asset',
      'BAD/CSV',
      '--timeframe',
      '1m',
      '--rejects',
      csvRejects,
    ]);
    const json = await cli(ctx.url, [
      'import',
      'candles',
      fixture('freqtrade-bad.json'),
      '--asset',
      'BAD/JSON',
      '--timeframe',
      '1m',
      '--align',
      'floor',
      '--rejects',
      jsonRejects,
    ]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.equal(json.code, 0, json.stderr);

    const expectedCsv = await collect(
      readCandles(fixture('generic-bad.csv'), { fileName: fixture('generic-bad.csv') }),
    );
    assert.deepEqual(await storedCandles(ctx.store, 'BAD/CSV', '1m'), byTs(expectedCsv.rows));
    const lines = readFileSync(csvRejects, 'utf8').trimEnd().split('\n');
    assert.equal(lines[0], 'position,line,reason,raw');
    assert.equal(lines.length - 1, expectedCsv.rejects.length);
    assert.deepEqual(
      lines.slice(1).map((l) => Number(l.split(',')[1])),
      [3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 15],
    );
    assert.match(lines[1]!, /generic-bad\.csv:line 3,3,high is empty,"2024-01-01T00:01:00Z,10,,9,10\.5,100"/);
    assert.match(csv.stderr, /generic-bad\.csv:line 3: high is empty/);
    assert.match(csv.stdout, /read 13, inserted 2, skipped 0, rejected 11/);

    const expectedJson = await collect(
      readCandles(fixture('freqtrade-bad.json'), { fileName: 'x', timeframe: '1m', align: 'floor' }),
    );
    const jsonl = readFileSync(jsonRejects, 'utf8')
      .trimEnd()
      .split('\n')
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      jsonl.map((r) => [r.line, r.reason]),
      expectedJson.rejects.map((r) => [r.line, r.reason]),
    );
    assert.ok(jsonl.every((r) => r.position.endsWith(`freqtrade-bad.json:row ${r.line}`)));
    assert.deepEqual(await storedCandles(ctx.store, 'BAD/JSON', '1m'), byTs(expectedJson.rows));
  });

  test('only the first 20 rejects are printed; the rest are counted and pointed to', async () => {
    const dir = tempDir();
    const file = join(dir, 'many-bad.json');
    // Row 1 is good, rows 2..26 have a negative volume.
    writeFileSync(
      file,
      freqtradeJson(Date.UTC(2024, 3, 1), 26, (i, c) => (i === 0 ? c : [...c.slice(0, 5), -1])),
    );
    const r = await cli(ctx.url, ['import', 'candles', file, '--asset', 'MANYBAD', '--timeframe', '1m']);
    assert.equal(r.code, 0, r.stderr);
    const printed = r.stderr.split('\n').filter((l) => l.includes('negative volume'));
    assert.equal(printed.length, 20);
    assert.match(printed[0]!, /many-bad\.json:row 2: negative volume -1/);
    assert.match(printed[19]!, /many-bad\.json:row 21: /);
    assert.match(r.stderr, /… 5 more reject\(s\); write them all with --rejects <file>/);
  });

  test('nothing landed and rows rejected: exit 1', async () => {
    const r = await cli(ctx.url, [
      'import',
      'candles',
      fixture('yahoo-null.csv'),
      '--asset',
      'ALLBAD',
      '--timeframe',
      '1d',
      '--format',
      'binance',
    ]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no row imported: all 3 row\(s\) were rejected/);
  });

  test('--strict: one bad row in a later batch writes nothing, exit 1 naming it; without it the rest lands', async () => {
    const dir = tempDir();
    const file = join(dir, 'late-bad.json');
    // 30 good rows, then row 31 with high < low: with 10-row batches, 3 batches would commit first.
    writeFileSync(
      file,
      freqtradeJson(Date.UTC(2024, 0, 1), 31, (i, c) => (i === 30 ? [c[0]!, 5, 4, 6, 5, 1] : c)),
    );
    const strict = await cli(ctx.url, [
      'import',
      'candles',
      file,
      '--asset',
      'STRICT',
      '--timeframe',
      '1m',
      '--strict',
      '--batch-size',
      '10',
    ]);
    assert.equal(strict.code, 1);
    assert.match(
      strict.stderr,
      /late-bad\.json:row 31: high < low \(high 4, low 6\) \(--strict: .*nothing was written\)/,
    );
    assert.equal(
      strict.stderr
        .trim()
        .split('\n')
        .filter((l) => l.startsWith('tradestore:')).length,
      1,
    );
    assert.deepEqual(await storedCandles(ctx.store, 'STRICT', '1m').catch(() => []), []);

    const loose = summaryOf(
      await cli(ctx.url, [
        'import',
        'candles',
        file,
        '--asset',
        'STRICT',
        '--timeframe',
        '1m',
        '--batch-size',
        '10',
        '--json',
      ]),
    );
    assert.deepEqual([loose.inserted, loose.rejected, loose.batches], [30, 1, 3]);
  });

  test('importing twice changes nothing; --on-conflict update counts only changed rows (batched and strict)', async () => {
    const dir = tempDir();
    const start = Date.UTC(2024, 1, 1);
    const first = join(dir, 'a.json');
    writeFileSync(first, freqtradeJson(start, 20));
    const args = ['import', 'candles', first, '--asset', 'TWICE', '--timeframe', '1m', '--json'];
    assert.deepEqual(pick(summaryOf(await cli(ctx.url, args))), [20, 0, 0]);
    assert.deepEqual(pick(summaryOf(await cli(ctx.url, args))), [0, 0, 20]);

    const changed = join(dir, 'b.json');
    writeFileSync(
      changed,
      freqtradeJson(start, 22, (i, c) => (i % 7 === 0 ? [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, 999] : c)),
    );
    const update = summaryOf(
      await cli(ctx.url, [...args.slice(0, 2), changed, ...args.slice(3), '--on-conflict', 'update']),
    );
    // rows 0, 7, 14 changed volume; 20 and 21 are new.
    assert.deepEqual(pick(update), [2, 3, 17]);
    const stored = await storedCandles(ctx.store, 'TWICE', '1m');
    assert.deepEqual(
      stored.filter((c) => c.volume === 999).map((c) => (c.ts - start) / 60_000),
      [0, 7, 14, 21],
    );

    // The strict path writes through its own (one-transaction) statements: same counts.
    const again = join(dir, 'c.json');
    writeFileSync(
      again,
      freqtradeJson(start, 22, (i, c) => (i < 2 ? [c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, 555] : c)),
    );
    const strict = summaryOf(
      await cli(ctx.url, [
        ...args.slice(0, 2),
        again,
        ...args.slice(3),
        '--on-conflict',
        'update',
        '--strict',
        '--batch-size',
        '5',
      ]),
    );
    // 0 and 1 → 555; 7, 14, 21 back from 999 to the generated volume.
    assert.deepEqual(pick(strict), [0, 5, 17]);
    assert.equal(strict.batches, 1);
  });

  test('a whole-file error is one line naming the file and the reason, exit 1; usage errors exit 2', async () => {
    const dir = tempDir();
    const truncated = join(dir, 'truncated.json');
    writeFileSync(truncated, freqtradeJson(Date.UTC(2024, 2, 1), 25).slice(0, -30));
    const run = (args: string[]) => cli(ctx.url, ['import', 'candles', ...args]);
    const corrupt = await run([fixture('freqtrade-corrupt.json.gz'), '--asset', 'ERR1', '--timeframe', '1m']);
    const unknown = await run([fixture('kraken-bcheur.csv'), '--asset', 'ERR2', '--timeframe', '1m']);
    const partial = await run([truncated, '--asset', 'ERR3', '--timeframe', '1m', '--batch-size', '10']);
    const badTf = await run([truncated, '--asset', 'ERR4', '--timeframe', '7m']);
    const badMap = await run([truncated, '--asset', 'ERR4', '--timeframe', '1m', '--map', 'stamp=Date']);
    const missing = await run([join(dir, 'nope.json'), '--asset', 'ERR4', '--timeframe', '1m']);
    assert.equal(corrupt.code, 1);
    assert.match(
      corrupt.stderr,
      /^tradestore: .*freqtrade-corrupt\.json\.gz: corrupt or truncated gzip data .*; nothing was written\n$/,
    );
    assert.equal(unknown.code, 1);
    assert.match(
      unknown.stderr,
      /^tradestore: .*kraken-bcheur\.csv: unknown candle format \(it looks like public trades/,
    );
    assert.equal(unknown.stderr.trim().split('\n').length, 1);
    // Batches committed before the truncation stay, and the message says so.
    assert.equal(partial.code, 1);
    assert.match(
      partial.stderr,
      /truncated\.json: .*; 2 batch\(es\) committed before the error stay \(20 row\(s\) written\)/,
    );
    assert.equal((await storedCandles(ctx.store, 'ERR3', '1m')).length, 20);
    assert.equal(badTf.code, 2);
    assert.match(badTf.stderr, /--timeframe "7m" is invalid/);
    assert.equal(badMap.code, 2);
    assert.match(badMap.stderr, /--map "stamp=Date" is invalid/);
    assert.equal(missing.code, 2);
  });

  test('library: importCandleFile streams a source and throws ImportError with the counts', async () => {
    const summary = await importCandleFile(ctx.store, fixture('freqtrade-btc-1m.json'), {
      symbol: 'LIB/BTC',
      venue: 'lib',
      timeframe: '1m',
    });
    assert.equal(summary.inserted, 12);
    assert.equal(summary.asset.venue, 'lib');
    await assert.rejects(
      importCandleFile(ctx.store, fixture('freqtrade-bad.json'), {
        symbol: 'LIB/BTC',
        venue: 'lib',
        timeframe: '1m',
        align: 'floor',
        strict: true,
      }),
      (error: unknown) =>
        error instanceof ImportError &&
        error.committed === 0 &&
        error.firstReject?.line === 2 &&
        /row 2: high < low/.test(error.message),
    );
  });
});

function pick(s: { inserted: number; updated: number; skipped: number }): number[] {
  return [s.inserted, s.updated, s.skipped];
}
