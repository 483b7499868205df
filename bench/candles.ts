/**
 * Candle benchmarks: tradestore against the bare engine in the same run, on the same schema.
 * SQLite baseline: bare `node:sqlite` prepared statements. PostgreSQL baseline: `psql \copy` for
 * loading, bare `pg` queries (named prepared statements) for reads.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import pg from 'pg';
import { createPgDatabase, dropPgDatabase, pgServerUrl } from '../src/db/scratch.ts';
import { openSqliteDatabase } from '../src/db/sqlite-connection.ts';
import { openStore, type Store } from '../src/db/store.ts';
import { ensureAsset } from '../src/marketdata/assets.ts';
import { writeCandleBatch } from '../src/marketdata/candle-writes.ts';
import { candleAt, insertCandles, rangeSql, readCandles } from '../src/marketdata/candles.ts';
import { readCandles as readCandleFile } from '../src/marketdata/formats/readers.ts';
import type { CandleRow } from '../src/marketdata/formats/types.ts';
import { resampleCandles, resampleSql } from '../src/marketdata/resample.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { type Measure, type Row, timed } from './stats.ts';

const MIN = 60_000;
const START = Date.UTC(2023, 0, 1);
const COLUMNS = 'asset_id, timeframe, ts, open, high, low, close, volume';

export interface CandleBenchOptions {
  assets: number;
  perAsset: number;
  lookups: number;
  log: (line: string) => void;
}

export function synthetic(n: number, seed: number, start = START): CandleRow[] {
  let s = seed;
  const rows: CandleRow[] = new Array(n);
  let price = 100 + seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const move = (s / 2147483648 - 0.5) * 0.4;
    const open = price;
    const close = price + move;
    rows[i] = {
      ts: start + i * MIN,
      open,
      high: Math.max(open, close) + 0.05,
      low: Math.min(open, close) - 0.05,
      close,
      volume: (s % 10_000) / 10,
    };
    price = close;
  }
  return rows;
}

async function series(n: number, fn: (i: number) => unknown): Promise<Measure> {
  // Warm caches and JIT on both sides before measuring.
  for (let i = 0; i < Math.min(3, n); i++) await fn(i);
  const latencies: number[] = new Array(n);
  const t0 = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn(i);
    latencies[i] = performance.now() - t;
  }
  return { seconds: (performance.now() - t0) / 1000, latencies };
}

/** Same seeded picks for both sides. */
function picks(n: number, assets: number[], perAsset: number): Array<[number, number]> {
  let s = 42;
  return Array.from({ length: n }, () => {
    s = (s * 1103515245 + 12345) % 2147483648;
    const asset = assets[s % assets.length]!;
    return [asset, START + (s % Math.max(1, perAsset)) * MIN];
  });
}

function freqtradeJson(rows: CandleRow[]): string {
  return `[${rows.map((r) => `[${r.ts},${r.open},${r.high},${r.low},${r.close},${r.volume}]`).join(',')}]`;
}

function binanceCsv(rows: CandleRow[]): string {
  return rows
    .map((r) => `${r.ts},${r.open},${r.high},${r.low},${r.close},${r.volume},${r.ts + MIN - 1},0,0,0,0,0`)
    .join('\n');
}

async function importFile(store: Store, assetId: number, path: string): Promise<number> {
  let n = 0;
  for await (const batch of readCandleFile(path, { fileName: path, batchSize: 50_000 })) {
    await writeCandleBatch(store, assetId, '1m', batch.rows);
    n += batch.rows.length;
  }
  return n;
}

// ---------------------------------------------------------------- SQLite

/** The baseline's write loop: one prepared row statement, 50,000 rows per transaction. */
function bareBatches(db: DatabaseSync, stmt: StatementSync, assetIds: number[], data: CandleRow[][]): void {
  data.forEach((list, a) => {
    for (let i = 0; i < list.length; i += 50_000) {
      db.exec('begin immediate');
      for (const r of list.slice(i, i + 50_000))
        stmt.run(assetIds[a]!, '1m', r.ts, r.open, r.high, r.low, r.close, r.volume);
      db.exec('commit');
    }
  });
}

export async function benchSqlite(o: CandleBenchOptions): Promise<Row[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-'));
  const rows: Row[] = [];
  const dialect = 'sqlite';
  try {
    const ours = await openStore(`sqlite:${join(dir, 'ours.db')}`);
    const bareStore = await openStore(`sqlite:${join(dir, 'bare.db')}`);
    await migrateUp(ours);
    await migrateUp(bareStore);
    const assetIds: number[] = [];
    for (let a = 0; a < o.assets; a++) {
      assetIds.push(await ensureAsset(ours, { symbol: `SYN${a}/USDT`, venue: 'bench' }));
      await ensureAsset(bareStore, { symbol: `SYN${a}/USDT`, venue: 'bench' });
    }
    await bareStore.close();
    const bare: DatabaseSync = openSqliteDatabase(join(dir, 'bare.db'));
    const data = assetIds.map((_, i) => synthetic(o.perAsset, i + 1));
    const total = o.assets * o.perAsset;
    o.log(`sqlite: ${total.toLocaleString()} candles for ${o.assets} assets`);

    // insert
    const insert = bare.prepare(`insert into candles (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?)`);
    const bareInsert = await timed(() => bareBatches(bare, insert, assetIds, data));
    const oursInsert = await timed(async () => {
      for (let a = 0; a < data.length; a++) await insertCandles(ours, assetIds[a]!, '1m', data[a]!);
    });
    rows.push({
      dialect,
      what: `insert ${total.toLocaleString()}`,
      kind: 'throughput',
      target: '≥ 0.9×',
      bare: { seconds: bareInsert.seconds, rows: total },
      ours: { seconds: oursInsert.seconds, rows: total },
    });

    // upsert of existing rows (every close changed)
    const changed = data.map((list) =>
      list.map((r) => ({ ...r, close: r.close + 0.01, high: r.high + 0.01 })),
    );
    const upsert = bare.prepare(
      `insert into candles (${COLUMNS}) values (?, ?, ?, ?, ?, ?, ?, ?) on conflict (asset_id, timeframe, ts) do update set open = excluded.open, high = excluded.high, low = excluded.low, close = excluded.close, volume = excluded.volume`,
    );
    const bareUpsert = await timed(() => bareBatches(bare, upsert, assetIds, changed));
    const oursUpsert = await timed(async () => {
      for (let a = 0; a < changed.length; a++)
        await insertCandles(ours, assetIds[a]!, '1m', changed[a]!, { onConflict: 'update' });
    });
    rows.push({
      dialect,
      what: `upsert ${total.toLocaleString()} existing`,
      kind: 'throughput',
      target: '≥ 0.9×',
      bare: { seconds: bareUpsert.seconds, rows: total },
      ours: { seconds: oursUpsert.seconds, rows: total },
    });

    // file imports (parsing included): 100k-candle freqtrade JSON and Binance CSV files
    const fileRows = synthetic(Math.min(o.perAsset, 100_000), 99, Date.UTC(2020, 0, 1));
    const jsonPath = join(dir, 'SYN-1m.json');
    const csvPath = join(dir, 'SYN-1m.csv');
    writeFileSync(jsonPath, freqtradeJson(fileRows));
    writeFileSync(csvPath, binanceCsv(fileRows));
    const jsonAsset = await ensureAsset(ours, { symbol: 'JSON/USDT', venue: 'bench' });
    const csvAsset = await ensureAsset(ours, { symbol: 'CSV/USDT', venue: 'bench' });
    bare.exec(
      `insert into assets (symbol, venue, kind, is_active, created_at, updated_at) values ('JSON/USDT', 'bench', 'crypto', 1, 0, 0), ('CSV/USDT', 'bench', 'crypto', 1, 0, 0)`,
    );
    const bareJsonAsset = Number(bare.prepare(`select id from assets where symbol = 'JSON/USDT'`).get()?.id);
    const bareCsvAsset = Number(bare.prepare(`select id from assets where symbol = 'CSV/USDT'`).get()?.id);
    const bareJson = await timed(() => {
      const parsed = JSON.parse(readFileSync(jsonPath, 'utf8')) as number[][];
      bare.exec('begin immediate');
      for (const r of parsed) insert.run(bareJsonAsset, '1m', r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
      bare.exec('commit');
    });
    const oursJson = await timed(() => importFile(ours, jsonAsset, jsonPath));
    rows.push({
      dialect,
      what: `import freqtrade JSON ${fileRows.length.toLocaleString()}`,
      kind: 'throughput',
      target: '≥ 0.8×',
      bare: { seconds: bareJson.seconds, rows: fileRows.length },
      ours: { seconds: oursJson.seconds, rows: oursJson.value },
    });
    const bareCsv = await timed(() => {
      const text = readFileSync(csvPath, 'utf8');
      bare.exec('begin immediate');
      for (const line of text.split('\n')) {
        const f = line.split(',');
        insert.run(
          bareCsvAsset,
          '1m',
          Number(f[0]),
          Number(f[1]),
          Number(f[2]),
          Number(f[3]),
          Number(f[4]),
          Number(f[5]),
        );
      }
      bare.exec('commit');
    });
    const oursCsv = await timed(() => importFile(ours, csvAsset, csvPath));
    rows.push({
      dialect,
      what: `import Binance CSV ${fileRows.length.toLocaleString()}`,
      kind: 'throughput',
      target: '≥ 0.8×',
      bare: { seconds: bareCsv.seconds, rows: fileRows.length },
      ours: { seconds: oursCsv.seconds, rows: oursCsv.value },
    });

    // point lookups
    const point = bare.prepare(
      `select ts, open, high, low, close, volume from candles where asset_id = ? and timeframe = ? and ts = ?`,
    );
    const targets = picks(o.lookups, assetIds, o.perAsset);
    const bareLookups = await series(targets.length, (i) => point.get(targets[i]![0], '1m', targets[i]![1]));
    const oursLookups = await series(targets.length, (i) =>
      candleAt(ours, targets[i]![0], '1m', targets[i]![1]),
    );
    for (const p of ['p50', 'p99']) {
      rows.push({
        dialect,
        what: `point lookup ${p}`,
        kind: 'latency',
        target: '≤ 2×',
        bare: bareLookups,
        ours: oursLookups,
      });
    }

    // 10,000-candle range reads
    const range = bare.prepare(rangeSql('sqlite', {}));
    const windows = picks(50, assetIds, o.perAsset - 10_000);
    const bareRange = await series(windows.length, (i) =>
      range.all(windows[i]![0], '1m', windows[i]![1], windows[i]![1] + 10_000 * MIN, -1),
    );
    const oursRange = await series(windows.length, (i) =>
      readCandles(ours, windows[i]![0], '1m', { from: windows[i]![1], to: windows[i]![1] + 10_000 * MIN }),
    );
    rows.push({
      dialect,
      what: '10,000-candle range read p50',
      kind: 'latency',
      target: '≤ 1.3×',
      bare: bareRange,
      ours: oursRange,
    });

    // daily resample of 100,000 1-minute candles
    const resample = bare.prepare(resampleSql('sqlite', '1d'));
    const span = Math.min(o.perAsset, 100_000) * MIN;
    const bareResample = await series(10, (i) =>
      resample.all(assetIds[i % assetIds.length]!, '1m', START, START + span),
    );
    const oursResample = await series(10, (i) =>
      resampleCandles(ours, assetIds[i % assetIds.length]!, '1m', '1d', { from: START, to: START + span }),
    );
    rows.push({
      dialect,
      what: 'daily resample of 100,000 1m p50',
      kind: 'latency',
      target: '≤ 1.3×',
      bare: bareResample,
      ours: oursResample,
    });

    bare.close();
    await ours.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

// ---------------------------------------------------------------- PostgreSQL

export async function benchPostgres(o: CandleBenchOptions & { partitioned?: boolean }): Promise<Row[]> {
  const server = pgServerUrl();
  const dialect = o.partitioned ? 'postgresql (partitioned)' : 'postgresql';
  const rows: Row[] = [];
  const bareUrl = await createPgDatabase(server, 'tradestore_bench');
  const oursUrl = await createPgDatabase(server, 'tradestore_bench');
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-'));
  const bareClient = new pg.Client({ connectionString: bareUrl });
  try {
    const ours = await openStore(oursUrl);
    const bareStore = await openStore(bareUrl);
    await migrateUp(ours);
    await migrateUp(bareStore);
    if (o.partitioned) {
      for (const s of [ours, bareStore]) {
        await (
          await s.pgPool()
        ).query(`drop table candles;
          create table candles (asset_id int not null references assets (id) on delete restrict, timeframe varchar(255) not null,
            ts bigint not null, open float8 not null, high float8 not null, low float8 not null, close float8 not null,
            volume float8 not null, primary key (asset_id, timeframe, ts)) partition by range (ts)`);
      }
    }
    const assetIds: number[] = [];
    for (let a = 0; a < o.assets; a++) {
      assetIds.push(await ensureAsset(ours, { symbol: `SYN${a}/USDT`, venue: 'bench' }));
      await ensureAsset(bareStore, { symbol: `SYN${a}/USDT`, venue: 'bench' });
    }
    await bareStore.close();
    await bareClient.connect();
    const data = assetIds.map((_, i) =>
      synthetic(o.perAsset, i + 1, o.partitioned ? Date.UTC(2021, 0, 1) : START),
    );
    const total = o.assets * o.perAsset;
    o.log(`${dialect}: ${total.toLocaleString()} candles for ${o.assets} assets`);

    const csvPath = join(dir, 'candles.csv');
    writeFileSync(
      csvPath,
      data
        .map((list, a) =>
          list
            .map((r) => `${assetIds[a]},1m,${r.ts},${r.open},${r.high},${r.low},${r.close},${r.volume}`)
            .join('\n'),
        )
        .join('\n'),
    );
    if (o.partitioned) {
      // psql \copy cannot create partitions as rows arrive: give the baseline every month up front.
      const months = new Set(
        data.flat().map((r) => Date.UTC(new Date(r.ts).getUTCFullYear(), new Date(r.ts).getUTCMonth(), 1)),
      );
      for (const from of months) {
        const d = new Date(from);
        const to = Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1);
        await bareClient.query(
          `create table candles_p${from} partition of candles for values from (${from}) to (${to})`,
        );
      }
    }
    const bareLoad = await timed(() => {
      const r = spawnSync(
        'psql',
        [
          bareUrl,
          '-v',
          'ON_ERROR_STOP=1',
          '-qc',
          `\\copy candles (${COLUMNS}) from '${csvPath}' with (format csv)`,
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`psql \\copy failed: ${r.stderr}`);
    });
    const oursLoad = await timed(async () => {
      for (let a = 0; a < data.length; a++) await insertCandles(ours, assetIds[a]!, '1m', data[a]!);
    });
    rows.push({
      dialect,
      what: `load ${total.toLocaleString()} vs psql \\copy`,
      kind: 'throughput',
      target: '≥ 0.75×',
      bare: { seconds: bareLoad.seconds, rows: total },
      ours: { seconds: oursLoad.seconds, rows: total },
    });
    await bareClient.query('analyze candles');
    await (await ours.pgPool()).query('analyze candles');

    const start = data[0]![0]!.ts;
    const lookupSql = `select ts, open, high, low, close, volume from candles where asset_id = $1 and timeframe = $2 and ts = $3`;
    const targets = picks(o.lookups, assetIds, o.perAsset).map(
      ([a, ts]) => [a, ts - START + start] as [number, number],
    );
    const bareLookups = await series(targets.length, (i) =>
      bareClient.query({ name: 'lookup', text: lookupSql, values: [targets[i]![0], '1m', targets[i]![1]] }),
    );
    const oursLookups = await series(targets.length, (i) =>
      candleAt(ours, targets[i]![0], '1m', targets[i]![1]),
    );
    for (const p of ['p50', 'p99']) {
      rows.push({
        dialect,
        what: `point lookup ${p}`,
        kind: 'latency',
        target: '≤ 2×',
        bare: bareLookups,
        ours: oursLookups,
      });
    }

    const windows = picks(30, assetIds, o.perAsset - 10_000).map(
      ([a, ts]) => [a, ts - START + start] as [number, number],
    );
    const rangeText = rangeSql('postgresql', {});
    const bareRange = await series(windows.length, (i) =>
      bareClient.query({
        name: 'range',
        text: rangeText,
        values: [windows[i]![0], '1m', windows[i]![1], windows[i]![1] + 10_000 * MIN, 10_000_000],
      }),
    );
    const oursRange = await series(windows.length, (i) =>
      readCandles(ours, windows[i]![0], '1m', { from: windows[i]![1], to: windows[i]![1] + 10_000 * MIN }),
    );
    rows.push({
      dialect,
      what: '10,000-candle range read p50',
      kind: 'latency',
      target: '≤ 1.3×',
      bare: bareRange,
      ours: oursRange,
    });

    const span = Math.min(o.perAsset, 100_000) * MIN;
    const resampleText = resampleSql('postgresql', '1d');
    const bareResample = await series(10, (i) =>
      bareClient.query({
        name: 'resample',
        text: resampleText,
        values: [assetIds[i % assetIds.length]!, '1m', start, start + span],
      }),
    );
    const oursResample = await series(10, (i) =>
      resampleCandles(ours, assetIds[i % assetIds.length]!, '1m', '1d', { from: start, to: start + span }),
    );
    rows.push({
      dialect,
      what: 'daily resample of 100,000 1m p50',
      kind: 'latency',
      target: '≤ 1.3×',
      bare: bareResample,
      ours: oursResample,
    });
    await ours.close();
  } finally {
    await bareClient.end().catch(() => {});
    await dropPgDatabase(server, bareUrl);
    await dropPgDatabase(server, oursUrl);
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}
