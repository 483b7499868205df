import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { test } from 'node:test';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { insertCandles, readCandles } from '../../src/marketdata/candles.ts';
import { exportCandles } from '../../src/marketdata/export.ts';
import type { CandleRow } from '../../src/marketdata/formats/types.ts';
import { resampleCandles } from '../../src/marketdata/resample.ts';
import { eachDialect } from '../support/dialects.ts';
import { cli, summaryOf, tempDir } from './cli-support.ts';

const START = Date.UTC(2024, 0, 1);
const MIN = 60_000;

function minutes(n: number): CandleRow[] {
  return Array.from({ length: n }, (_, i) => {
    const open = 100 + (i % 89) / 8;
    const close = open + ((i % 5) - 2) / 16;
    return {
      ts: START + i * MIN,
      open,
      high: Math.max(open, close) + 0.125,
      low: Math.min(open, close) - 0.0625,
      close,
      volume: (i % 17) * 0.1,
    };
  });
}

/** A slow consumer (small buffer, asynchronous writes), so the exporter must wait for 'drain'. */
function slowSink(): { stream: Writable; text: () => Promise<string> } {
  const parts: Buffer[] = [];
  const stream = new Writable({
    highWaterMark: 16 * 1024,
    write(chunk, _enc, done) {
      parts.push(chunk);
      setImmediate(done);
    },
  });
  const text = async () => {
    stream.end();
    await finished(stream);
    return Buffer.concat(parts).toString('utf8');
  };
  return { stream, text };
}

function parseCsv(text: string): CandleRow[] {
  const [header, ...lines] = text.trimEnd().split('\n');
  assert.equal(header, 'ts,open,high,low,close,volume');
  return lines.map((l) => {
    const [ts, open, high, low, close, volume] = l.split(',').map(Number);
    return { ts: ts!, open: open!, high: high!, low: low!, close: close!, volume: volume! };
  });
}

eachDialect('export candles', (ctx) => {
  const N = 60_000;
  let id = 0;

  test('CSV and JSON stream every candle across pages, in order, with exact numbers', async () => {
    id = await ensureAsset(ctx.store, { symbol: 'EXP/USDT', venue: 'testvenue' });
    await insertCandles(ctx.store, id, '1m', minutes(N));
    const stored = await readCandles(ctx.store, id, '1m');
    assert.equal(stored.length, N);

    const csv = slowSink();
    assert.deepEqual(await exportCandles(ctx.store, id, { timeframe: '1m', format: 'csv' }, csv.stream), {
      candles: N,
      first: START,
      last: START + (N - 1) * MIN,
    });
    assert.deepEqual(parseCsv(await csv.text()), stored);

    const json = slowSink();
    await exportCandles(ctx.store, id, { timeframe: '1m', format: 'json' }, json.stream);
    assert.deepEqual(JSON.parse(await json.text()), stored);

    const empty = slowSink();
    await exportCandles(ctx.store, id, { timeframe: '1h', format: 'json' }, empty.stream);
    assert.deepEqual(JSON.parse(await empty.text()), []);
  });

  test('--resample goes through the SQL resampler window by window, same result as one call', async () => {
    // No ANALYZE on purpose: the resampler must not depend on fresh planner statistics.
    const whole = await resampleCandles(ctx.store, id, '1m', '5m');
    assert.equal(whole.length, N / 5);
    const sink = slowSink();
    // 12,000 buckets: two windows of 10,000.
    await exportCandles(ctx.store, id, { timeframe: '1m', format: 'json', resample: '5m' }, sink.stream);
    assert.deepEqual(JSON.parse(await sink.text()), whole);

    // A mid-bucket --from widens to the whole bucket (no partial first candle).
    const daily = slowSink();
    await exportCandles(
      ctx.store,
      id,
      {
        timeframe: '1m',
        format: 'csv',
        resample: '1d',
        from: START + 36 * 3_600_000,
        to: START + 3 * 86_400_000,
      },
      daily.stream,
    );
    const days = parseCsv(await daily.text());
    assert.deepEqual(days, (await resampleCandles(ctx.store, id, '1m', '1d')).slice(1, 3));

    await assert.rejects(
      exportCandles(ctx.store, id, { timeframe: '3d', format: 'csv', resample: '1w' }, slowSink().stream),
      /cannot resample 3d candles to 1w: a 3d candle would straddle two 1w buckets/,
    );
  });

  test('CLI round trip: export JSON and CSV of a range, import them again → 0 inserted', async () => {
    const dir = tempDir();
    const out = join(dir, 'range.json');
    const base = ['export', 'candles', '--asset', 'EXP/USDT', '--timeframe', '1m'];
    // ISO without a zone is UTC; --to is exclusive epoch ms.
    const range = ['--from', '2024-01-01T01:00', '--to', String(START + 3 * 3_600_000)];
    const json = await cli(ctx.url, [...base, ...range, '--format', 'json', '--out', out]);
    assert.equal(json.code, 0, json.stderr);
    assert.equal(existsSync(`${out}.partial`), false);
    const exported = JSON.parse(readFileSync(out, 'utf8'));
    assert.equal(exported.length, 120);
    assert.deepEqual(Object.keys(exported[0]), ['ts', 'open', 'high', 'low', 'close', 'volume']);
    assert.equal(exported[0].ts, START + 3_600_000);
    assert.deepEqual(exported, minutes(180).slice(60));

    const csv = await cli(ctx.url, [...base, ...range]);
    assert.equal(csv.code, 0, csv.stderr);
    assert.deepEqual(parseCsv(csv.stdout), exported);
    const csvFile = join(dir, 'range.csv');
    writeFileSync(csvFile, csv.stdout);

    for (const file of [out, csvFile]) {
      const again = summaryOf(
        await cli(ctx.url, ['import', 'candles', file, '--asset', 'EXP/USDT', '--timeframe', '1m', '--json']),
      );
      assert.deepEqual([again.read, again.inserted, again.skipped, again.rejected], [120, 0, 120, 0], file);
    }
  });

  test('export errors: unknown asset exit 1, bad --from or --resample exit 2', async () => {
    const none = await cli(ctx.url, ['export', 'candles', '--asset', 'NOPE', '--timeframe', '1m']);
    assert.equal(none.code, 1);
    assert.match(none.stderr, /no asset NOPE/);
    const badFrom = await cli(ctx.url, [
      'export',
      'candles',
      '--asset',
      'EXP/USDT',
      '--timeframe',
      '1m',
      '--from',
      'yesterday',
    ]);
    assert.equal(badFrom.code, 2);
    assert.match(badFrom.stderr, /--from "yesterday" is invalid/);
    const badTf = await cli(ctx.url, [
      'export',
      'candles',
      '--asset',
      'EXP/USDT',
      '--timeframe',
      '1m',
      '--resample',
      '1y',
    ]);
    assert.equal(badTf.code, 2);
  });
});
