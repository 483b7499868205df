/**
 * `db copy` throughput: 1,000,000 synthetic candles (BENCH_SCALE scales them) plus the demo data,
 * SQLite → PostgreSQL and back, next to the baseline of the same run: `psql \copy` loading the same
 * candles from a CSV file into an empty migrated database. The copy's figure includes what the
 * baseline does not do: reading the source, migrating the target, re-adding foreign keys and
 * reading everything back to compare checksums; the copy phase alone is printed too.
 * Standalone: `node bench/copy.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPgDatabase, dropPgDatabase, pgServerUrl } from '../src/db/scratch.ts';
import { openStore } from '../src/db/store.ts';
import { ensureAsset } from '../src/marketdata/assets.ts';
import { insertCandles } from '../src/marketdata/candles.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { seedDemo } from '../src/seed/demo.ts';
import { copyDatabase, type CopyReport } from '../src/transfer/copy.ts';
import { synthetic } from './candles.ts';
import { type Row, report, timed } from './stats.ts';

export interface CopyBenchOptions {
  assets: number;
  perAsset: number;
  log: (line: string) => void;
}

export async function benchCopy(o: CopyBenchOptions): Promise<Row[]> {
  const server = pgServerUrl();
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-copy-'));
  const source = `sqlite:${join(dir, 'source.db')}`;
  const back = `sqlite:${join(dir, 'back.db')}`;
  const bareUrl = await createPgDatabase(server, 'tradestore_bench');
  const pgUrl = await createPgDatabase(server, 'tradestore_bench');
  const rows: Row[] = [];
  try {
    const total = o.assets * o.perAsset;
    o.log(`db copy: ${total.toLocaleString()} candles plus the demo data, SQLite → PostgreSQL → SQLite`);
    const store = await openStore(source);
    await migrateUp(store);
    await seedDemo(store);
    const csv: string[] = [];
    for (let a = 0; a < o.assets; a++) {
      const id = await ensureAsset(store, { symbol: `COPY${a}/USDT`, venue: 'bench' });
      const data = synthetic(o.perAsset, a + 1);
      await insertCandles(store, id, '1m', data);
      csv.push(
        data.map((r) => `${id},1m,${r.ts},${r.open},${r.high},${r.low},${r.close},${r.volume}`).join('\n'),
      );
    }
    await store.close();

    // Baseline: psql \copy of the same candles into a migrated database holding the same assets
    // (the demo's first, so the ids match the source's).
    const bare = await openStore(bareUrl);
    await migrateUp(bare);
    await seedDemo(bare);
    for (let a = 0; a < o.assets; a++) await ensureAsset(bare, { symbol: `COPY${a}/USDT`, venue: 'bench' });
    await bare.close();
    const csvPath = join(dir, 'candles.csv');
    writeFileSync(csvPath, csv.join('\n'));
    const psql = await timed(() => {
      const r = spawnSync(
        'psql',
        [
          bareUrl,
          '-v',
          'ON_ERROR_STOP=1',
          '-qc',
          `\\copy candles (asset_id, timeframe, ts, open, high, low, close, volume) from '${csvPath}' with (format csv)`,
        ],
        { encoding: 'utf8' },
      );
      if (r.status !== 0) throw new Error(`psql \\copy failed: ${r.stderr}`);
    });

    const there = await timed(() => copyDatabase(source, pgUrl));
    const home = await timed(() => copyDatabase(pgUrl, back));
    const measured = (what: string, r: { seconds: number; value: CopyReport }, copyOnly: boolean): Row => ({
      dialect: 'sqlite ↔ postgresql',
      what,
      kind: 'throughput',
      target: 'report',
      bare: { seconds: psql.seconds, rows: total },
      ours: { seconds: copyOnly ? r.value.copySeconds : r.seconds, rows: r.value.rows },
    });
    rows.push(
      measured(
        `db copy SQLite → PostgreSQL ${there.value.rows.toLocaleString()} rows vs psql \\copy`,
        there,
        false,
      ),
      measured('  the copy phase alone (no read-back)', there, true),
      measured(
        `db copy PostgreSQL → SQLite ${home.value.rows.toLocaleString()} rows vs psql \\copy`,
        home,
        false,
      ),
      measured('  the copy phase alone (no read-back)', home, true),
    );
  } finally {
    await dropPgDatabase(server, bareUrl).catch(() => {});
    await dropPgDatabase(server, pgUrl).catch(() => {});
    rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (import.meta.main) {
  const scale = Number(process.env.BENCH_SCALE ?? 1);
  const rows = await benchCopy({
    assets: 10,
    perAsset: Math.round(100_000 * scale),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${report(rows)}\n`);
}
