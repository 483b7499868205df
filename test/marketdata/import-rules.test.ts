/**
 * What an import refuses instead of rewriting (issue 9, items 5–8, 12, 16), through the CLI and the
 * library, on both databases: one time unit per file and a sane time window, candles on their
 * timeframe's boundary, bare NaN rows rejected alone, a failed --strict import leaving no asset, one
 * set of text limits for both databases, trimmed asset names everywhere, exit 1 when nothing was
 * imported, and short messages for binary input.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { sql } from 'kysely';
import { AssetSchema, entities } from '../../src/entities/all-tables.ts';
import { InvalidInputError } from '../../src/input/errors.ts';
import { ensureAsset, findAsset } from '../../src/marketdata/assets.ts';
import { ImportError, importCandleFile } from '../../src/marketdata/import-candles.ts';
import { importTickFile } from '../../src/marketdata/import-ticks.ts';
import { recordFill } from '../../src/execution/fills.ts';
import { placeOrder } from '../../src/execution/orders.ts';
import { createAssets, createTestPortfolio, createUser, tradingState } from '../execution/fixtures.ts';
import { spawnCli as spawnTradestore } from '../support/cli.ts';
import { type DialectContext, eachDialect } from '../support/dialects.ts';
import { cli, storedCandles, summaryOf, tempDir } from './cli-support.ts';

const T0 = Date.UTC(2024, 0, 1);
const MIN = 60_000;

/** A freqtrade JSON file of `ts` values, every candle valid otherwise. */
function candleFile(dir: string, name: string, times: Array<number | string>): string {
  const path = join(dir, name);
  writeFileSync(path, `[${times.map((t) => `[${t}, 1, 2, 0.5, 1.5, 3]`).join(',\n')}]`);
  return path;
}

async function assetCount(ctx: DialectContext, symbol: string) {
  const row = await ctx.store.kysely
    .selectFrom('assets')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('symbol', '=', symbol)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

eachDialect('import rules', (ctx) => {
  const dir = tempDir();

  // ---------------------------------------------------------------- item 5: time units and range

  test('a time in another unit than the file, or outside 1970..2200, is rejected with file:row; never rescaled', async () => {
    const file = candleFile(dir, 'units.json', [T0, 253402300800000, -1000, T0 / 1000, T0 + MIN]);
    const r = await cli(ctx.url, [
      'import',
      'candles',
      file,
      '--asset',
      'UNITS',
      '--timeframe',
      '1m',
      '--json',
    ]);
    const summary = summaryOf(r);
    assert.deepEqual([summary.inserted, summary.rejected], [2, 3]);
    assert.deepEqual(
      (await storedCandles(ctx.store, 'UNITS', '1m')).map((c) => c.ts),
      [T0, T0 + MIN],
    );
    assert.match(
      r.stderr,
      /units\.json:row 2: time 253402300800000 has the size of microseconds, but this file's times are milliseconds/,
    );
    assert.match(r.stderr, /units\.json:row 3: time -1000 has the size of seconds/);
    assert.match(r.stderr, /units\.json:row 4: time 1704067200 has the size of seconds/);
  });

  test('--time-unit reads every time in that unit; --min-time/--max-time and IMPORT_MIN_TIME set the window', async () => {
    const seconds = candleFile(dir, 'seconds.json', [T0 / 1000, T0 / 1000 + 60, T0 / 1000 + 86_400]);
    const r = await cli(ctx.url, [
      'import',
      'candles',
      seconds,
      '--asset',
      'SECS',
      '--timeframe',
      '1m',
      '--time-unit',
      's',
      '--max-time',
      '2024-01-02',
      '--json',
    ]);
    assert.deepEqual([summaryOf(r).inserted, summaryOf(r).rejected], [2, 1]);
    assert.match(
      r.stderr,
      /seconds\.json:row 3: time 2024-01-02T00:00:00\.000Z is outside the accepted range 1970-01-01T00:00:00\.000Z \.\. 2024-01-02T00:00:00\.000Z/,
    );
    // From the environment (a child process, so the variable is really read from there).
    const env = await spawnTradestore(
      [
        '--db',
        ctx.url,
        'import',
        'candles',
        seconds,
        '--asset',
        'SECS_ENV',
        '--timeframe',
        '1m',
        '--time-unit',
        's',
        '--json',
      ],
      { env: { DEFAULT_VENUE: 'testvenue', IMPORT_MIN_TIME: '2024-01-01T00:01:00Z' } },
    );
    assert.equal(env.code, 0, env.stderr);
    assert.deepEqual([JSON.parse(env.stdout).inserted, JSON.parse(env.stdout).rejected], [2, 1]);
    const bad = await cli(ctx.url, [
      'import',
      'candles',
      seconds,
      '--asset',
      'X',
      '--timeframe',
      '1m',
      '--min-time',
      'soon',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--min-time "soon" is invalid/);
    const empty = await cli(ctx.url, [
      'import',
      'candles',
      seconds,
      '--asset',
      'X',
      '--timeframe',
      '1m',
      '--min-time',
      '2024-01-02',
      '--max-time',
      '2024-01-01',
    ]);
    assert.equal(empty.code, 2);
    assert.match(empty.stderr, /the accepted time range is empty/);
  });

  test('a candle off its timeframe boundary is rejected; --align floor moves it', async () => {
    const file = candleFile(dir, 'offgrid.json', [T0, 1700000000123, T0 + MIN]);
    const strict = await cli(ctx.url, ['import', 'candles', file, '--asset', 'GRID', '--timeframe', '1m']);
    assert.equal(strict.code, 0, strict.stderr);
    assert.match(
      strict.stderr,
      /offgrid\.json:row 2: ts 1700000000123 \(2023-11-14T22:13:20\.123Z\) is not on a 1m boundary: its candle opens at 2023-11-14T22:13:00\.000Z; align floor \(--align floor\) moves it there/,
    );
    assert.deepEqual(
      (await storedCandles(ctx.store, 'GRID', '1m')).map((c) => c.ts),
      [T0, T0 + MIN],
    );
    const floored = await cli(ctx.url, [
      'import',
      'candles',
      file,
      '--asset',
      'GRID',
      '--timeframe',
      '1m',
      '--align',
      'floor',
      '--json',
    ]);
    assert.deepEqual([summaryOf(floored).inserted, summaryOf(floored).skipped], [1, 2]);
    assert.deepEqual(
      (await storedCandles(ctx.store, 'GRID', '1m')).map((c) => c.ts),
      [1700000000123 - 20_123, T0, T0 + MIN],
    );
  });

  test('ticks: a Kraken file is unix seconds; a millisecond time in it is rejected, not guessed', async () => {
    const file = join(dir, 'kraken.csv');
    writeFileSync(file, `${T0 / 1000},10,1\n${T0 + 5000},10,1\n${T0 / 1000 + 2},11,2\n`);
    const summary = await importTickFile(ctx.store, file, { symbol: 'KR/EUR', venue: 'k' });
    assert.deepEqual([summary.inserted, summary.rejected], [2, 1]);
  });

  // ---------------------------------------------------------------- item 6: bare NaN in JSON

  test('a bare NaN or Infinity rejects its row only; the good rows of the file land', async () => {
    const file = candleFile(dir, 'nan.json', [T0, T0 + MIN, T0 + 2 * MIN, T0 + 3 * MIN]);
    const text = `[[${T0}, 1, 2, 0.5, 1.5, 3], [${T0 + MIN}, NaN, 2, 0.5, 1.5, 3], [${T0 + 2 * MIN}, 1, 2, 0.5, 1.5, Infinity], [${T0 + 3 * MIN}, 1, 2, 0.5, 1.5, 3]]`;
    writeFileSync(file, text);
    const r = await cli(ctx.url, [
      'import',
      'candles',
      file,
      '--asset',
      'NAN',
      '--timeframe',
      '1m',
      '--json',
    ]);
    assert.deepEqual([summaryOf(r).inserted, summaryOf(r).rejected], [2, 2]);
    assert.match(r.stderr, /nan\.json:row 2: open is NaN \(not a number\)/);
    assert.match(r.stderr, /nan\.json:row 3: volume is Infinity \(not a number\)/);
    // A quoted "NaN" is a bad value in a candle file, not a sign of a trades file.
    writeFileSync(file, `[[${T0}, "NaN", 2, 0.5, 1.5, 3], [${T0 + MIN}, 1, 2, 0.5, 1.5, 3]]`);
    const quoted = await cli(ctx.url, [
      'import',
      'candles',
      file,
      '--asset',
      'QNAN',
      '--timeframe',
      '1m',
      '--json',
    ]);
    assert.equal(summaryOf(quoted).format, 'freqtrade');
    assert.deepEqual([summaryOf(quoted).inserted, summaryOf(quoted).rejected], [1, 1]);
  });

  // ---------------------------------------------------------------- item 7: strict leaves no asset

  test('--strict that fails writes nothing: no candle and no asset row', async () => {
    // The bad row comes after the first 64 KB read, so the first batch is clean and writes first.
    const good = Array.from({ length: 5000 }, (_, i) => T0 + i * MIN);
    const file = candleFile(dir, 'strict.json', [...good, `"soon"`]);
    const r = await cli(ctx.url, [
      'import',
      'candles',
      file,
      '--asset',
      'STRICT/NEW',
      '--timeframe',
      '1m',
      '--strict',
      '--batch-size',
      '1000',
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /strict\.json:row 5001: unparseable time "soon" \(--strict: .*nothing was written\)/,
    );
    assert.equal(await assetCount(ctx, 'STRICT/NEW'), 0);
    // The same through the library, ticks included; a clean strict import creates the asset with its rows.
    const ticks = join(dir, 'strict-ticks.json');
    const trades = good.map((t, i) => `[${t}, "${i}", null, "buy", 10, 1, 10]`);
    writeFileSync(ticks, `[${trades.join(',\n')}, [${T0}, "x", null, "hold", 10, 1, 10]]`);
    await assert.rejects(
      importTickFile(ctx.store, ticks, {
        symbol: 'STRICT/TICK',
        venue: 'testvenue',
        strict: true,
        batchSize: 1000,
      }),
      (e: unknown) => e instanceof ImportError && e.committed === 0,
    );
    assert.equal(await assetCount(ctx, 'STRICT/TICK'), 0);
    const clean = await importCandleFile(ctx.store, candleFile(dir, 'good.json', [T0, T0 + MIN]), {
      symbol: 'STRICT/OK',
      venue: 'testvenue',
      timeframe: '1m',
      strict: true,
    });
    assert.equal(clean.inserted, 2);
    assert.equal(await assetCount(ctx, 'STRICT/OK'), 1);
    assert.equal(clean.asset.id, Number((await findAsset(ctx.store, { symbol: 'STRICT/OK' }))!.id));
  });

  // ---------------------------------------------------------------- item 8: one set of limits

  test('a 10 kB --asset or --venue, or a blank venue, is refused by name before anything is stored', async () => {
    const file = candleFile(dir, 'limits.json', [T0]);
    const long = 'V'.repeat(10_000);
    const run = (...args: string[]) =>
      cli(ctx.url, ['import', 'candles', file, '--timeframe', '1m', ...args]);
    const venue = await run('--asset', 'LIM', '--venue', long);
    assert.equal(venue.code, 2);
    assert.equal(venue.stderr, 'tradestore: --venue: must be at most 64 characters\n');
    const asset = await run('--asset', long);
    assert.equal(asset.code, 2);
    assert.equal(asset.stderr, 'tradestore: --asset: must be at most 64 characters\n');
    const blank = await run('--asset', 'LIM', '--venue', '   ');
    assert.equal(blank.code, 2);
    assert.equal(blank.stderr, 'tradestore: --venue: must not be empty or blank\n');
    const ticks = await cli(ctx.url, ['import', 'ticks', file, '--asset', 'LIM', '--venue', '']);
    assert.equal(ticks.code, 2);
    // An empty --venue is already refused by the configuration's DEFAULT_VENUE schema (flags are
    // checked like the variable they stand for); a blank or long one reaches the asset schema.
    assert.match(ticks.stderr, /^tradestore: --venue( "" is invalid: |: must not be empty)/);
    assert.equal(await assetCount(ctx, 'LIM'), 0);
    // The library refuses the same, naming the field, on both databases alike.
    for (const ref of [
      { symbol: 'LIM', venue: long },
      { symbol: long, venue: 'v' },
      { symbol: 'LIM', venue: ' ' },
      { symbol: `${'B'.repeat(40)}/USDT`, venue: 'v' },
    ]) {
      await assert.rejects(ensureAsset(ctx.store, ref), (e: unknown) => {
        assert.ok(e instanceof InvalidInputError, String(e));
        assert.match(e.message, /^invalid asset: (symbol|venue): /);
        return true;
      });
    }
  });

  test('services refuse the same way: a fill venue is trimmed, never blank, at most 64 characters', async () => {
    const owner = (await createUser(ctx.store)).id;
    const [asset] = await createAssets(ctx.store, ['FILL/USDT'], 'fillvenue');
    const portfolio = await createTestPortfolio(ctx.store, owner);
    const { order } = await placeOrder(ctx.store, {
      portfolioId: portfolio.id,
      assetId: asset!,
      side: 'buy',
      quantity: '1',
      type: 'limit',
      limitPrice: '10',
    });
    const before = await tradingState(ctx.store);
    for (const [venue, message] of [
      [' ', /invalid fill: venue: must not be empty or blank/],
      ['v'.repeat(65), /invalid fill: venue: must be at most 64 characters/],
    ] as const) {
      await assert.rejects(
        recordFill(ctx.store, { orderId: order.id, quantity: '1', price: '10', venue }),
        message,
      );
    }
    assert.deepEqual(await tradingState(ctx.store), before);
    const fill = await recordFill(ctx.store, {
      orderId: order.id,
      quantity: '1',
      price: '10',
      venue: ' fillvenue ',
    });
    assert.equal(fill.fill.venue, 'fillvenue');
  });

  test('the database itself refuses over-long text in every length-limited column (SQLite CHECKs)', async () => {
    const tooLong = 'x'.repeat(65);
    await assert.rejects(
      ctx.store.kysely
        .insertInto('assets')
        .values({
          symbol: tooLong,
          venue: 'v',
          kind: 'crypto',
          is_active: ctx.dialect === 'sqlite' ? 1 : true,
          created_at: ctx.dialect === 'sqlite' ? Date.now() : new Date(),
          updated_at: ctx.dialect === 'sqlite' ? Date.now() : new Date(),
        } as never)
        .execute(),
      ctx.dialect === 'sqlite' ? /CHECK constraint failed: assets_symbol_length_check/ : /value too long/,
    );
    if (ctx.dialect !== 'sqlite') return;
    // Every string column with a declared length has its CHECK, except in tables with an expression
    // index (see addLengthChecks).
    const missing: string[] = [];
    let checked = 0;
    for (const schema of entities) {
      const meta = schema.meta;
      if ([...meta.indexes, ...meta.uniques].some((i) => i.expression !== undefined)) continue;
      const table = meta.tableName ?? meta.collection;
      const { rows } = await sql<{
        sql: string;
      }>`select sql from sqlite_master where type = 'table' and name = ${table}`.execute(ctx.store.kysely);
      const ddl = rows[0]?.sql ?? '';
      for (const [name, prop] of Object.entries(
        meta.properties as Record<string, { length?: number; type?: unknown }>,
      )) {
        if (prop.length === undefined || !String((prop.type as { name?: string })?.name).includes('String'))
          continue;
        const column = name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
        checked++;
        if (
          !ddl.includes(
            `constraint \`${table}_${column}_length_check\` check (length("${column}") <= ${prop.length})`,
          )
        ) {
          missing.push(`${table}.${column}`);
        }
      }
    }
    assert.ok(checked > 60, `${checked} columns checked`);
    assert.deepEqual(missing, []);
    assert.equal(AssetSchema.meta.properties.symbol.length, 64);
  });

  test('asset names are trimmed in every command: export --asset " BTC " finds what import stored as BTC', async () => {
    const file = candleFile(dir, 'trim.json', [T0, T0 + MIN]);
    const imported = summaryOf(
      await cli(ctx.url, [
        'import',
        'candles',
        file,
        '--asset',
        '  TRIM/BTC ',
        '--venue',
        ' trimvenue ',
        '--timeframe',
        '1m',
        '--json',
      ]),
    );
    const stored = imported.asset as { id: number };
    assert.deepEqual(imported.asset, { id: stored.id, symbol: 'TRIM/BTC', venue: 'trimvenue' });
    const out = await cli(ctx.url, [
      'export',
      'candles',
      '--asset',
      ' TRIM/BTC ',
      '--venue',
      ' trimvenue',
      '--timeframe',
      '1m',
    ]);
    assert.equal(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim().split('\n').length, 3);
    const built = await cli(ctx.url, [
      'candles',
      'build',
      '--from-ticks',
      '--asset',
      ' TRIM/BTC',
      '--timeframe',
      '1h',
      '--json',
    ]);
    assert.equal(built.code, 0, built.stderr);
    assert.equal(await assetCount(ctx, 'TRIM/BTC'), 1);
    // Blank names are usage errors here too, naming the flag; an unknown one is "no asset".
    const blank = await cli(ctx.url, ['export', 'candles', '--asset', ' ', '--timeframe', '1m']);
    assert.deepEqual([blank.code, blank.stderr], [2, 'tradestore: --asset: must not be empty or blank\n']);
    const noVenue = await cli(ctx.url, [
      'export',
      'candles',
      '--asset',
      'TRIM/BTC',
      '--venue',
      '',
      '--timeframe',
      '1m',
    ]);
    assert.equal(noVenue.code, 2);
    assert.match(noVenue.stderr, /^tradestore: --venue( "" is invalid: |: must not be empty)/);
    const blankVenue = await cli(ctx.url, [
      'export',
      'candles',
      '--asset',
      'TRIM/BTC',
      '--venue',
      '  ',
      '--timeframe',
      '1m',
    ]);
    assert.deepEqual(
      [blankVenue.code, blankVenue.stderr],
      [2, 'tradestore: --venue: must not be empty or blank\n'],
    );
    const unknown = await cli(ctx.url, ['export', 'candles', '--asset', ' NOPE ', '--timeframe', '1m']);
    assert.deepEqual([unknown.code, unknown.stderr], [1, 'tradestore: no asset NOPE in this database\n']);
  });

  // ---------------------------------------------------------------- item 12: exit 1 when nothing was imported

  test('a header-only CSV or an empty JSON array exits 1 saying why, and creates no asset', async () => {
    const header = join(dir, 'header.csv');
    writeFileSync(header, 'ts,open,high,low,close,volume\n');
    const empty = join(dir, 'empty.json');
    writeFileSync(empty, '[]');
    for (const [file, symbol] of [
      [header, 'EMPTY/CSV'],
      [empty, 'EMPTY/JSON'],
    ] as const) {
      const r = await cli(ctx.url, ['import', 'candles', file, '--asset', symbol, '--timeframe', '1m']);
      assert.equal(r.code, 1, `${file}: ${r.stderr}`);
      assert.match(
        r.stderr,
        /no row imported: the file holds no data rows \(only a header, or an empty array\)/,
      );
      assert.equal(await assetCount(ctx, symbol), 0);
    }
    const ticks = await cli(ctx.url, ['import', 'ticks', empty, '--asset', 'EMPTY/TICKS', '--json']);
    assert.equal(ticks.code, 1);
    assert.equal(JSON.parse(ticks.stdout).ok, false);
    // A re-import of rows already stored is not "nothing imported": they are there.
    const twice = candleFile(dir, 'twice.json', [T0]);
    assert.equal(
      (await cli(ctx.url, ['import', 'candles', twice, '--asset', 'TWICE', '--timeframe', '1m'])).code,
      0,
    );
    assert.equal(
      (await cli(ctx.url, ['import', 'candles', twice, '--asset', 'TWICE', '--timeframe', '1m'])).code,
      0,
    );
  });

  // ---------------------------------------------------------------- item 16: binary input

  test('a binary file gets a one-line error quoting at most 80 characters of it', async () => {
    const file = join(dir, 'binary.dat');
    const bytes = randomBytes(4000).map((b) =>
      b === 0x0a || b === 0x2c || b === 0x5b || b === 0x1f ? 0 : b,
    );
    writeFileSync(file, bytes);
    const r = await cli(ctx.url, ['import', 'candles', file, '--asset', 'BIN', '--timeframe', '1m']);
    assert.equal(r.code, 1);
    const quoted = /first line (".*?…?"); set option/.exec(r.stderr);
    assert.ok(quoted !== null, r.stderr);
    assert.ok(quoted[1]!.length <= 80, `${quoted[1]!.length} characters: ${quoted[1]}`);
    assert.ok(r.stderr.length < 400, r.stderr);
  });
});
