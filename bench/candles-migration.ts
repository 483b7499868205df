/**
 * The candles layout migration (candles_without_rowid) on a SQLite file holding 1,000,000 candles,
 * as a whole `tradestore migrate up` process: the table rebuild under the runner's safety checks
 * (row counts before and after, `pragma foreign_key_check`), then the same rebuild made lossy in a
 * copy of the migrations, which the row-count check must refuse with nothing changed.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatabaseSync } from 'node:sqlite';
import { openSqliteDatabase } from '../src/db/sqlite-connection.ts';
import { openStore } from '../src/db/store.ts';
import { ensureAsset } from '../src/marketdata/assets.ts';
import { migrationsRoot, readMigrations } from '../src/migrate/files.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { insertOldSchemaCandles } from '../test/support/old-schema-candles.ts';
import { synthetic } from './candles.ts';
import { BIN } from './processes.ts';

const LAYOUT = '20261201090000_candles_without_rowid';
// The migration applied just before the layout change: the populated file starts there.
const BEFORE = (() => {
  const names = readMigrations('sqlite').map((m) => m.name);
  return names[names.indexOf(LAYOUT) - 1]!;
})();

export interface MigrationDemo {
  candles: number;
  seconds: number;
  before: { rows: number; withoutRowid: boolean; digest: string };
  after: { rows: number; withoutRowid: boolean; digest: string; foreignKeyProblems: number };
  lossy: { refused: boolean; message: string; rowsAfter: number; withoutRowid: boolean };
}

function facts(path: string) {
  const db: DatabaseSync = openSqliteDatabase(path);
  try {
    const sql = String(db.prepare(`select sql from sqlite_schema where name = 'candles'`).get()?.sql);
    // Order-independent digest of every candle: equal digests, equal rows.
    const hash = createHash('sha256');
    for (const r of db
      .prepare('select asset_id, timeframe, ts, open, high, low, close, volume from candles order by 1, 2, 3')
      .iterate())
      hash.update(
        `${r.asset_id},${r.timeframe},${r.ts},${r.open},${r.high},${r.low},${r.close},${r.volume}\n`,
      );
    return {
      rows: Number(db.prepare('select count(*) as n from candles').get()?.n),
      withoutRowid: /without rowid$/i.test(sql),
      digest: hash.digest('hex').slice(0, 16),
      foreignKeyProblems: db.prepare('pragma foreign_key_check').all().length,
    };
  } finally {
    db.close();
  }
}

/** A file at the layout before the migration, holding `candles` candles over 10 assets. */
async function populated(path: string, candles: number): Promise<void> {
  const store = await openStore(`sqlite:${path}`);
  try {
    await migrateUp(store, { to: BEFORE });
    const perAsset = Math.ceil(candles / 10);
    for (let a = 0; a < 10; a++) {
      const asset = await ensureAsset(store, { symbol: `MIG${a}/USDT`, venue: 'bench' });
      await insertOldSchemaCandles(
        store,
        asset,
        '1m',
        synthetic(Math.min(perAsset, candles - a * perAsset), a + 1),
      );
    }
  } finally {
    await store.close();
  }
}

function migrate(path: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [BIN, '--db', `sqlite:${path}`, 'migrate', 'up', '--no-backup'], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
  });
}

export async function benchCandlesMigration(options: {
  candles: number;
  log: (line: string) => void;
}): Promise<MigrationDemo> {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-migration-'));
  try {
    options.log(
      `migration: candles_without_rowid on a file holding ${options.candles.toLocaleString()} candles`,
    );
    const lossyPath = join(dir, 'lossy.db');
    const path = join(dir, 'candles.db');
    await populated(path, options.candles);
    cpSync(path, lossyPath);
    const before = facts(path);
    const started = performance.now();
    const up = migrate(path);
    const seconds = (performance.now() - started) / 1000;
    if (up.status !== 0) throw new Error(`migrate up failed: ${up.stderr}`);
    const { foreignKeyProblems, ...after } = facts(path);

    // The same rebuild, losing the first asset's candles: the runner's count check must refuse it.
    const root = join(dir, 'migrations');
    cpSync(migrationsRoot(), root, { recursive: true });
    const file = join(root, 'sqlite', `${LAYOUT}.sql`);
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        'from `candles` order by `asset_id`, `timeframe`, `ts`;\ndrop table `candles`;\nalter table `candles__without_rowid`',
        'from `candles` where `asset_id` > 1 order by `asset_id`, `timeframe`, `ts`;\ndrop table `candles`;\nalter table `candles__without_rowid`',
      ),
    );
    const lossy = migrate(lossyPath, { TRADESTORE_MIGRATIONS_DIR: root });
    const lossyFacts = facts(lossyPath);
    return {
      candles: options.candles,
      seconds: Number(seconds.toFixed(2)),
      before: { rows: before.rows, withoutRowid: before.withoutRowid, digest: before.digest },
      after: { ...after, foreignKeyProblems },
      lossy: {
        refused: lossy.status !== 0,
        message: (/table \w+ had \d+ rows before and \d+ after[^\n]*/.exec(lossy.stderr) ?? [
          lossy.stderr.trim(),
        ])[0]!,
        rowsAfter: lossyFacts.rows,
        withoutRowid: lossyFacts.withoutRowid,
      },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export function migrationReport(d: MigrationDemo): string {
  return [
    `| candles layout migration on ${d.candles.toLocaleString('en-US')} candles (SQLite file) | before | after |`,
    '|---|---|---|',
    `| rows in candles | ${d.before.rows.toLocaleString('en-US')} | ${d.after.rows.toLocaleString('en-US')} |`,
    `| digest of every candle | ${d.before.digest} | ${d.after.digest} |`,
    `| WITHOUT ROWID | ${d.before.withoutRowid ? 'yes' : 'no'} | ${d.after.withoutRowid ? 'yes' : 'no'} |`,
    `| pragma foreign_key_check | - | ${d.after.foreignKeyProblems === 0 ? 'clean' : `${d.after.foreignKeyProblems} problems`} |`,
    `| \`tradestore migrate up\`, whole process | - | ${d.seconds} s |`,
    `| the same rebuild losing one asset's candles | ${d.before.rows.toLocaleString('en-US')} rows | ${d.lossy.refused ? 'refused' : 'NOT refused'} ("${d.lossy.message}"); ${d.lossy.rowsAfter.toLocaleString('en-US')} rows, WITHOUT ROWID ${d.lossy.withoutRowid ? 'yes' : 'no'} |`,
  ].join('\n');
}
