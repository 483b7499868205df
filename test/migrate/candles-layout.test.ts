/**
 * The candles table's SQLite layout (migration candles_without_rowid): a rebuild of a populated
 * table, run under the migration safety checks. bench/candles-migration.ts runs the same rebuild
 * on 1,000,000 candles; here a small table keeps it in CI.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { DatabaseSync } from 'node:sqlite';
import type { Store } from '../../src/db/store.ts';
import { openStore } from '../../src/db/store.ts';
import { ensureAsset } from '../../src/marketdata/assets.ts';
import { migrationsDir, readMigrations } from '../../src/migrate/files.ts';
import { keepWithoutRowid } from '../../src/migrate/generate.ts';
import { MigrationSafetyError } from '../../src/migrate/history.ts';
import { schemaFingerprint } from '../../src/migrate/introspect.ts';
import { migrateDown, migrateUp, migrationState } from '../../src/migrate/runner.ts';
import { scratchUrl } from '../support/dialects.ts';
import { copyMigrations } from '../support/migrations-copy.ts';
import { insertOldSchemaCandles } from '../support/old-schema-candles.ts';

const LAYOUT = '20261201090000_candles_without_rowid';
// The migration applied just before the layout change: the populated file starts there.
const BEFORE = (() => {
  const names = readMigrations('sqlite').map((m) => m.name);
  return names[names.indexOf(LAYOUT) - 1]!;
})();

const tableSql = (db: DatabaseSync) =>
  String(db.prepare(`select sql from sqlite_schema where type = 'table' and name = 'candles'`).get()?.sql);
const withoutRowid = (db: DatabaseSync) => /\)\s*without rowid$/i.test(tableSql(db));
/** Every candle, in key order, as one text: equal texts mean no row changed. */
const content = (db: DatabaseSync) =>
  JSON.stringify(
    db
      .prepare('select asset_id, timeframe, ts, open, high, low, close, volume from candles order by 1, 2, 3')
      .all(),
  );

async function populatedAtOldLayout(): Promise<{ store: Store; dispose: () => Promise<void> }> {
  const scratch = await scratchUrl('sqlite');
  const store = await openStore(scratch.url);
  await migrateUp(store, { to: BEFORE });
  for (const symbol of ['BTC/USDT', 'ETH/USDT']) {
    const asset = await ensureAsset(store, { symbol, venue: 'binance' });
    for (const timeframe of ['1m', '1h', '1M'] as const) {
      const rows = Array.from({ length: 700 }, (_, i) => ({
        ts: Date.UTC(2024, 0, 1) + i * 3_600_000,
        open: 100 + i / 7,
        high: 101 + i / 7,
        low: 99 + i / 7,
        close: 100.5 + i / 7,
        volume: i * 0.1,
      }));
      await insertOldSchemaCandles(store, asset, timeframe, rows);
    }
  }
  return {
    store,
    dispose: async () => {
      await store.close();
      await scratch.dispose();
    },
  };
}

describe('SQLite candles layout: WITHOUT ROWID, rebuilt under the safety checks', () => {
  let copy: ReturnType<typeof copyMigrations>;
  before(() => {
    copy = copyMigrations();
  });
  after(() => copy.restore());

  it('keeps every candle, the key, the allowed timeframes and the foreign key, up and down', async () => {
    const { store, dispose } = await populatedAtOldLayout();
    try {
      const original = await store.withSqlite((db) => {
        assert.equal(withoutRowid(db), false);
        return content(db);
      });
      const { applied } = await migrateUp(store);
      assert.ok(applied.includes(LAYOUT));
      await store.withSqlite((db) => {
        assert.equal(withoutRowid(db), true);
        assert.equal(content(db), original);
        assert.deepEqual(db.prepare('pragma foreign_key_check').all(), []);
        // The rules the table kept: an unknown timeframe, a duplicate key, a missing asset.
        const insert = db.prepare('insert into candles values (?, ?, ?, 1, 1, 1, 1, 1)');
        assert.throws(() => insert.run(1, '2m', 1), /CHECK constraint failed/);
        assert.throws(() => insert.run(1, '1m', Date.UTC(2024, 0, 1)), /UNIQUE constraint failed/);
        assert.throws(() => insert.run(999, '1m', 1), /FOREIGN KEY constraint failed/);
        // Deleting an asset that has candles is still restricted.
        assert.throws(() => db.prepare('delete from assets where id = 1').run(), /FOREIGN KEY constraint/);
      });
      assert.ok((await schemaFingerprint(store)).has('table candles: without rowid'));

      await migrateDown(store, { to: BEFORE });
      await store.withSqlite((db) => {
        assert.equal(withoutRowid(db), false);
        assert.equal(content(db), original);
      });
    } finally {
      await dispose();
    }
  });

  it('a rebuild of candles that loses rows is rolled back with the table named', async () => {
    // The same migration with a copy that misses the monthly candles: the row-count check must
    // refuse it and leave the old table, every row and the pending migration as they were.
    const path = join(migrationsDir('sqlite'), `${LAYOUT}.sql`);
    const text = readFileSync(path, 'utf8');
    writeFileSync(
      path,
      text.replace(
        'from `candles` order by `asset_id`, `timeframe`, `ts`;\ndrop table `candles`;\nalter table `candles__without_rowid`',
        "from `candles` where `timeframe` <> '1M' order by `asset_id`, `timeframe`, `ts`;\ndrop table `candles`;\nalter table `candles__without_rowid`",
      ),
    );
    const { store, dispose } = await populatedAtOldLayout();
    try {
      const original = await store.withSqlite((db) => content(db));
      await assert.rejects(
        () => migrateUp(store),
        (e: unknown) =>
          e instanceof MigrationSafetyError &&
          /table candles had 4200 rows before and 2800 after/.test(e.message),
      );
      await store.withSqlite((db) => {
        assert.equal(withoutRowid(db), false);
        assert.equal(content(db), original);
      });
      assert.equal((await migrationState(store)).pending[0]?.name, LAYOUT);
    } finally {
      writeFileSync(path, text);
      await dispose();
    }
  });
});

describe('generated rebuilds keep WITHOUT ROWID', () => {
  // What MikroORM writes when a SQLite column of candles changes (it cannot express the layout).
  const generated = [
    'pragma foreign_keys = off;',
    'create table `candles__temp_alter` (`asset_id` integer not null, `ts` bigint not null, primary key (`asset_id`, `ts`));',
    'insert into `candles__temp_alter` select `asset_id`, `ts` from `candles`;',
    'drop table `candles`;',
    'alter table `candles__temp_alter` rename to `candles`;',
    'create table `ticks__temp_alter` (`id` integer not null primary key autoincrement);',
  ].join('\n');

  it('marks the rebuilt table of a WITHOUT ROWID table, and only that one', () => {
    const kept = keepWithoutRowid(generated, ['candles']).split('\n');
    assert.equal(
      kept[1],
      'create table `candles__temp_alter` (`asset_id` integer not null, `ts` bigint not null, primary key (`asset_id`, `ts`)) without rowid;',
    );
    assert.equal(
      kept[5],
      'create table `ticks__temp_alter` (`id` integer not null primary key autoincrement);',
    );
    assert.equal(keepWithoutRowid(generated, []), generated);
  });
});
