import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { describe, test } from 'node:test';
import type { Store } from '../../src/db/store.ts';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { readCandles as storedRange } from '../../src/marketdata/candles.ts';
import { readCandles, readTicks } from '../../src/marketdata/formats/readers.ts';
import { buildCandlesFromTicks } from '../../src/marketdata/from-ticks.ts';
import { DerivedTradeIds, importTickFile } from '../../src/marketdata/import-ticks.ts';
import { type TickInsert, writeTickBatch } from '../../src/marketdata/tick-writes.ts';
import { eachDialect } from '../support/dialects.ts';
import { assetId, cli, spawnCli, summaryOf } from './cli-support.ts';
import { collect, fixture } from './formats/support.ts';

interface StoredTick {
  ts: number;
  tradeId: string;
  side: string | null;
  price: number;
  amount: number;
}

async function storedTicks(store: Store, symbol: string): Promise<StoredTick[]> {
  const id = await assetId(store, symbol);
  const rows = await store.kysely
    .selectFrom('ticks')
    .select(['ts', 'trade_id', 'side', 'price', 'amount'])
    .where('asset_id', '=', id)
    .orderBy('id')
    .execute();
  return rows.map((r) => ({
    ts: Number(r.ts),
    tradeId: String(r.trade_id),
    side: r.side ?? null,
    price: Number(r.price),
    amount: Number(r.amount),
  }));
}

const H = 3_600_000;
/** 2023-01-01T00:00Z, a Sunday. */
const JAN1 = Date.UTC(2023, 0, 1);

describe('derived trade ids', () => {
  test('count identical trades per millisecond; late rows get their own namespace', () => {
    const ids = new DerivedTradeIds('k');
    assert.deepEqual(
      [
        ids.next(1000, 90, 0.05),
        ids.next(1000, 90, 0.5),
        ids.next(1000, 90, 0.05),
        ids.next(2000, 90, 0.05),
        ids.next(1000, 90, 0.05),
        ids.next(1000, 90, 0.05),
        ids.next(2000, 90, 0.05),
      ],
      [
        'k:1000:90:0.05:0',
        'k:1000:90:0.5:0',
        'k:1000:90:0.05:1',
        'k:2000:90:0.05:0',
        'k:1000:90:0.05:0:late',
        'k:1000:90:0.05:1:late',
        'k:2000:90:0.05:1',
      ],
    );
  });
});

eachDialect('ticks: import, idempotence, candles from ticks', (ctx) => {
  test('Kraken CSV via the CLI: every trade stored with a derived id; a re-import inserts nothing', async () => {
    const args = ['import', 'ticks', fixture('kraken-bcheur.csv'), '--asset', 'BCH/EUR', '--json'];
    const first = summaryOf(await cli(ctx.url, args));
    assert.deepEqual([first.format, first.inserted, first.skipped], ['kraken', 10, 0]);
    const expected = await collect(readTicks(fixture('kraken-bcheur.csv'), { fileName: 'k' }));
    const stored = await storedTicks(ctx.store, 'BCH/EUR');
    assert.deepEqual(
      stored.map(({ tradeId: _id, ...t }) => t),
      expected.rows.map(({ tradeId: _id, ...t }) => t),
    );
    // Two identical trades (same second, price and amount) are both kept, told apart by n.
    assert.deepEqual(
      stored.filter((t) => t.ts === 1672533909000).map((t) => t.tradeId),
      ['k:1672533909000:90:0.05:0', 'k:1672533909000:90:0.55555555:0', 'k:1672533909000:90:0.05:1'],
    );
    const again = summaryOf(await cli(ctx.url, args));
    assert.deepEqual([again.inserted, again.skipped], [0, 10]);
    assert.equal((await storedTicks(ctx.store, 'BCH/EUR')).length, 10);
  });

  test('freqtrade trades .json.gz from stdin (the real binary): ids and sides kept; re-import inserts nothing', async () => {
    const { readFileSync } = await import('node:fs');
    const gz = readFileSync(fixture('freqtrade-xrp-eth-trades.json.gz'));
    const args = ['import', 'ticks', '-', '--asset', 'XRP/ETH', '--venue', 'testvenue', '--json'];
    const first = summaryOf(await spawnCli(ctx.url, args, gz));
    assert.deepEqual([first.format, first.inserted, first.file], ['freqtrade-trades', 10, 'stdin']);
    const expected = await collect(readTicks(fixture('freqtrade-xrp-eth-trades.json.gz'), { fileName: 't' }));
    assert.deepEqual(await storedTicks(ctx.store, 'XRP/ETH'), expected.rows);
    const again = summaryOf(
      await cli(ctx.url, [
        'import',
        'ticks',
        fixture('freqtrade-xrp-eth-trades.json.gz'),
        '--asset',
        'XRP/ETH',
        '--json',
      ]),
    );
    assert.deepEqual([again.inserted, again.skipped], [0, 10]);
  });

  test('bad trades are rejected with their lines; --strict writes nothing', async () => {
    const strict = await cli(ctx.url, [
      'import',
      'ticks',
      fixture('kraken-bad.csv'),
      '--asset',
      'KBAD',
      '--strict',
    ]);
    assert.equal(strict.code, 1);
    assert.match(strict.stderr, /kraken-bad\.csv:line 2: non-positive price 0 \(--strict/);
    const loose = await cli(ctx.url, [
      'import',
      'ticks',
      fixture('kraken-bad.csv'),
      '--asset',
      'KBAD',
      '--json',
    ]);
    const summary = summaryOf(loose);
    assert.deepEqual([summary.inserted, summary.rejected, summary.unsorted], [3, 4, 1]);
    assert.match(loose.stderr, /kraken-bad\.csv:line 5: unparseable time "oops"/);
    // 1672531430 came after 1672531440.5: out of order, so it takes the late namespace.
    assert.deepEqual(
      (await storedTicks(ctx.store, 'KBAD')).map((t) => t.tradeId),
      ['k:1672531436123:90.54:1.5:0', 'k:1672531440500:90.6:0.25:0', 'k:1672531430000:90.7:1:0:late'],
    );
  });

  test('candles build --from-ticks matches a hand-computed expectation (hours, day, Monday week, month)', async () => {
    // The Kraken fixture's trades (stored by the first test), in seconds:
    //   00:03:56 90.54 x1.1044842 | 00:04:31 90.45 x1 | 00:07:27 90.36 x0.286 | 00:45:09 90 x0.05, 90 x0.55555555, 90 x0.05
    //   02:18:55 90.16 x5.15191003, 90.17 x6.19997081 | 02:44:05 90.17 x0.1727097, 90.17 x0.81109774
    const build = (tf: string, more: string[] = []) =>
      cli(ctx.url, [
        'candles',
        'build',
        '--from-ticks',
        '--asset',
        'BCH/EUR',
        '--timeframe',
        tf,
        '--json',
        ...more,
      ]);
    const hourly = summaryOf(await build('1h'));
    assert.deepEqual([hourly.ticks, hourly.candles, hourly.inserted], [10, 2, 2]);
    const id = await assetId(ctx.store, 'BCH/EUR');
    const near = (a: number, b: number) => Math.abs(a - b) < 1e-9;
    const hours = await storedRange(ctx.store, id, '1h');
    assert.equal(hours.length, 2);
    // open is the first trade of 02:18:55 by id (90.16), not the higher-priced one in the same second.
    assert.deepEqual(
      hours.map(({ volume: _v, ...c }) => c),
      [
        { ts: JAN1, open: 90.54, high: 90.54, low: 90, close: 90 },
        { ts: JAN1 + 2 * H, open: 90.16, high: 90.17, low: 90.16, close: 90.17 },
      ],
    );
    assert.ok(near(hours[0]!.volume, 3.04603975) && near(hours[1]!.volume, 12.33568828));

    summaryOf(await build('1d'));
    summaryOf(await build('1w'));
    summaryOf(await build('1M'));
    const whole = { open: 90.54, high: 90.54, low: 90, close: 90.17 };
    for (const [tf, ts] of [
      ['1d', JAN1],
      ['1w', Date.UTC(2022, 11, 26)], // the Monday before Sunday 2023-01-01
      ['1M', JAN1],
    ] as const) {
      const [c, ...rest] = await storedRange(ctx.store, id, tf);
      assert.equal(rest.length, 0, tf);
      assert.deepEqual({ ...c, volume: 0 }, { ts, ...whole, volume: 0 }, tf);
      assert.ok(near(c!.volume, 15.38172803), tf);
    }

    // A mid-bucket --from is widened to the whole bucket; a second build skips; --on-conflict update
    // recomputes after a new trade arrives.
    const ranged = summaryOf(await build('1h', ['--from', '2023-01-01T02:30', '--to', String(JAN1 + 3 * H)]));
    assert.deepEqual([ranged.ticks, ranged.candles, ranged.inserted, ranged.skipped], [4, 1, 0, 1]);
    await importTickFile(ctx.store, toLines(['1672541100,91,1']), { symbol: 'BCH/EUR', venue: 'testvenue' });
    const updated = summaryOf(await build('1h', ['--on-conflict', 'update']));
    assert.deepEqual([updated.ticks, updated.inserted, updated.updated, updated.skipped], [11, 0, 1, 1]);
    const last = (await storedRange(ctx.store, id, '1h')).at(-1)!;
    assert.deepEqual([last.high, last.close], [91, 91]);
  });

  test('building from many ticks pages through same-millisecond runs like a reference fold', async () => {
    const id = await ensureAsset(ctx.store, { symbol: 'MANY', venue: 'testvenue' });
    const ticks: TickInsert[] = [];
    // 120,000 trades, 4 per millisecond, so pages of 50,000 end inside a millisecond's run.
    for (let i = 0; i < 120_000; i++) {
      const ts = JAN1 + Math.floor(i / 4) * 37;
      ticks.push({
        ts,
        tradeId: `t${i}`,
        side: i % 2 ? 'buy' : 'sell',
        price: 100 + ((i * 7919) % 1000) / 100,
        amount: 1 + (i % 5),
      });
    }
    for (let i = 0; i < ticks.length; i += 50_000)
      await writeTickBatch(ctx.store, id, ticks.slice(i, i + 50_000));
    const summary = await buildCandlesFromTicks(ctx.store, id, { timeframe: '5m' });
    const reference = new Map<
      number,
      { ts: number; open: number; high: number; low: number; close: number; volume: number }
    >();
    for (const t of ticks) {
      const k = t.ts - (t.ts % 300_000);
      const c = reference.get(k);
      if (!c)
        reference.set(k, {
          ts: k,
          open: t.price,
          high: t.price,
          low: t.price,
          close: t.price,
          volume: t.amount,
        });
      else {
        c.high = Math.max(c.high, t.price);
        c.low = Math.min(c.low, t.price);
        c.close = t.price;
        c.volume += t.amount;
      }
    }
    assert.equal(summary.ticks, 120_000);
    assert.deepEqual(await storedRange(ctx.store, id, '5m'), [...reference.values()]);
  });

  test(
    'a failed import leaves no file open',
    {
      skip: !existsSync('/proc/self/fd') && 'no /proc',
    },
    async () => {
      const open = () => readdirSync('/proc/self/fd').length;
      const before = open();
      for (let i = 0; i < 5; i++) {
        await assert.rejects(
          collect(readCandles(fixture('kraken-bcheur.csv'), { fileName: 'k' })),
          /unknown candle format/,
        );
        await assert.rejects(
          collect(readTicks(fixture('yahoo-nvda.csv'), { fileName: 'y' })),
          /unknown trades format/,
        );
      }
      assert.ok(open() - before < 5, `file descriptors: ${before} → ${open()}`);
    },
  );
});

async function* toLines(lines: string[]): AsyncGenerator<string> {
  yield `${lines.join('\n')}\n`;
}
