import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { insertCandles, latestCandle, readCandles } from '../../src/marketdata/candles.ts';
import type { CandleRow } from '../../src/marketdata/formats/types.ts';
import { findGaps, inputQuality, storedQuality } from '../../src/marketdata/quality.ts';
import { resampleCandles } from '../../src/marketdata/resample.ts';
import { eachDialect } from '../support/dialects.ts';

const MIN = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** Deterministic, irregular candles (a saw-tooth with noise from a simple LCG). */
function candles(start: number, step: number, n: number, seed = 7): CandleRow[] {
  let s = seed;
  const rnd = () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    return s / 2147483648;
  };
  return Array.from({ length: n }, (_, i) => {
    const open = 100 + (i % 37) + rnd();
    const close = open + rnd() * 2 - 1;
    return {
      ts: start + i * step,
      open,
      high: Math.max(open, close) + rnd(),
      low: Math.min(open, close) - rnd(),
      close,
      volume: Math.round(rnd() * 1000) / 10,
    };
  });
}

/** The reference fold, keyed by a bucket function: written independently of the SQL. */
function fold(rows: CandleRow[], key: (ts: number) => number): CandleRow[] {
  const out = new Map<number, CandleRow>();
  for (const r of [...rows].sort((a, b) => a.ts - b.ts)) {
    const k = key(r.ts);
    const c = out.get(k);
    if (!c) out.set(k, { ...r, ts: k });
    else {
      c.high = Math.max(c.high, r.high);
      c.low = Math.min(c.low, r.low);
      c.close = r.close;
      c.volume += r.volume;
    }
  }
  return [...out.values()];
}

const close = (a: CandleRow[], b: CandleRow[]) => {
  assert.equal(a.length, b.length);
  a.forEach((r, i) => {
    const e = b[i]!;
    assert.equal(r.ts, e.ts);
    for (const k of ['open', 'high', 'low', 'close'] as const) assert.equal(r[k], e[k], `${k} at ${r.ts}`);
    assert.ok(Math.abs(r.volume - e.volume) < 1e-9, `volume at ${r.ts}`);
  });
};

eachDialect('candles: reads, resample, gaps, quality', (ctx) => {
  test('range read honours from/to/limit/newest-first and latest is the last candle', async () => {
    const asset = await ensureAsset(ctx.store, { symbol: 'READ/USDT', venue: 'test' });
    const rows = candles(Date.UTC(2024, 0, 1), MIN, 300);
    assert.deepEqual(await insertCandles(ctx.store, asset, '1m', rows), {
      inserted: 300,
      updated: 0,
      skipped: 0,
    });
    const window = await readCandles(ctx.store, asset, '1m', { from: rows[10]!.ts, to: rows[20]!.ts });
    assert.deepEqual(window, rows.slice(10, 20));
    const newest = await readCandles(ctx.store, asset, '1m', { newestFirst: true, limit: 3 });
    assert.deepEqual(newest, rows.slice(-3).reverse());
    assert.deepEqual(await latestCandle(ctx.store, asset, '1m'), rows.at(-1));
    assert.deepEqual(await insertCandles(ctx.store, asset, '1m', rows.slice(0, 50)), {
      inserted: 0,
      updated: 0,
      skipped: 50,
    });
    const changed = rows.slice(0, 10).map((r, i) => (i < 4 ? { ...r, close: r.close + 1 } : r));
    assert.deepEqual(await insertCandles(ctx.store, asset, '1m', changed, { onConflict: 'update' }), {
      inserted: 0,
      updated: 4,
      skipped: 6,
    });
  });

  test('daily, weekly (Monday) and monthly (calendar) resampling match a reference fold', async () => {
    const asset = await ensureAsset(ctx.store, { symbol: 'RES/USDT', venue: 'test' });
    // 1-minute candles over 3 days with an hour missing; 1h candles across a week boundary; daily across a leap February.
    const minutes = candles(Date.UTC(2024, 2, 9, 22), MIN, 3 * 24 * 60).filter(
      (r) => (r.ts / HOUR) % 24 !== 5,
    );
    const hours = candles(Date.UTC(2024, 0, 5), HOUR, 24 * 6, 11);
    const days = candles(Date.UTC(2024, 0, 25), DAY, 45, 3);
    await insertCandles(ctx.store, asset, '1m', minutes);
    await insertCandles(ctx.store, asset, '1h', hours);
    await insertCandles(ctx.store, asset, '1d', days);

    close(
      await resampleCandles(ctx.store, asset, '1m', '1d'),
      fold(minutes, (ts) => ts - (ts % DAY)),
    );
    close(
      await resampleCandles(ctx.store, asset, '1m', '4h'),
      fold(minutes, (ts) => ts - (ts % (4 * HOUR))),
    );
    const monday = (ts: number) => {
      const d = new Date(ts);
      return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    };
    const weekly = await resampleCandles(ctx.store, asset, '1h', '1w');
    close(weekly, fold(hours, monday));
    assert.deepEqual(
      weekly.map((w) => new Date(w.ts).toISOString().slice(0, 10)),
      ['2024-01-01', '2024-01-08'],
    );
    const monthly = await resampleCandles(ctx.store, asset, '1d', '1M');
    close(
      monthly,
      fold(days, (ts) => Date.UTC(new Date(ts).getUTCFullYear(), new Date(ts).getUTCMonth(), 1)),
    );
    assert.deepEqual(
      monthly.map((m) => new Date(m.ts).toISOString().slice(0, 7)),
      ['2024-01', '2024-02', '2024-03'],
    );
    const ranged = await resampleCandles(ctx.store, asset, '1m', '1d', {
      from: Date.UTC(2024, 2, 10),
      to: Date.UTC(2024, 2, 11),
    });
    assert.equal(ranged.length, 1);
    await assert.rejects(() => resampleCandles(ctx.store, asset, '1h', '1m'), /must be longer/);
  });

  test('gaps and quality of stored candles', async () => {
    const asset = await ensureAsset(ctx.store, { symbol: 'GAP/USDT', venue: 'test' });
    const start = Date.UTC(2024, 5, 1);
    const rows = candles(start, MIN, 10).filter((_, i) => i !== 3 && i !== 4 && i !== 7);
    rows[0] = { ...rows[0]!, high: rows[0]!.low - 1 };
    rows[1] = { ...rows[1]!, volume: -5 };
    rows[2] = { ...rows[2]!, close: rows[2]!.high + 10 };
    await insertCandles(ctx.store, asset, '1m', rows);
    assert.deepEqual(await findGaps(ctx.store, asset, '1m'), [
      { from: start + 3 * MIN, to: start + 5 * MIN, missing: 2 },
      { from: start + 7 * MIN, to: start + 8 * MIN, missing: 1 },
    ]);
    const q = await storedQuality(ctx.store, asset, '1m');
    assert.equal(q.rows, 7);
    assert.equal(q.highBelowLow, 1);
    assert.equal(q.negativeVolume, 1);
    assert.equal(q.closeOutsideRange, 2, 'row 0 (high below low) and row 2');
    assert.equal(q.gaps, 2);
    assert.equal(q.missingCandles, 3);
  });
});

test('input quality counts duplicates, unsorted rows and misaligned timestamps', () => {
  const rows = candles(Date.UTC(2024, 0, 1), MIN, 5);
  const input = [rows[0]!, rows[2]!, rows[1]!, rows[1]!, { ...rows[4]!, ts: rows[4]!.ts + 1 }];
  const q = inputQuality(input, '1m');
  assert.equal(q.rows, 5);
  assert.equal(q.duplicates, 1);
  assert.equal(q.unsorted, 2);
  assert.equal(q.misaligned, 1);
});
