import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Store } from '../../src/db/store.ts';
import { openStore } from '../../src/db/store.ts';
import { migrationsDir, renderMigration } from '../../src/migrate/files.ts';
import { MigrationSafetyError } from '../../src/migrate/history.ts';
import { migrateUp, migrationState } from '../../src/migrate/runner.ts';
import { scratchUrl } from '../support/dialects.ts';
import { copyMigrations } from '../support/migrations-copy.ts';
import { seedSample } from '../support/sample.ts';

// The rebuild SQLite needs for a column type change, in the shape schema tools generate it:
// new table, copy, drop the parent, rename. `select` decides which rows are copied.
const rebuild = (select: string) => `pragma foreign_keys = off;
create table assets__rebuild (id integer not null primary key autoincrement, symbol varchar(64) not null, venue varchar(64) not null, kind text check (kind in ('crypto', 'equity', 'future', 'fx', 'prediction')) not null, base text null, quote text null, tick_size text null, lot_size text null, is_active integer not null default true, created_at datetime not null, updated_at datetime not null, notes text not null default 'none');
insert into assets__rebuild (id, symbol, venue, kind, base, quote, tick_size, lot_size, is_active, created_at, updated_at) ${select};
drop table assets;
alter table assets__rebuild rename to assets;
create index assets_kind_is_active_index on assets (kind, is_active);
create unique index assets_venue_symbol_unique on assets (venue, symbol);
pragma foreign_keys = on;`;
const ALL =
  'select id, symbol, venue, kind, base, quote, tick_size, lot_size, is_active, created_at, updated_at from assets';

let store: Store;
let copy: ReturnType<typeof copyMigrations>;
let dispose: () => Promise<void>;
const counts = async () => {
  const conn = store.em().getConnection();
  const out: Record<string, number> = {};
  for (const t of ['assets', 'candles', 'signals']) {
    const [r] = (await conn.execute(`select count(*) as n from ${t}`)) as Array<{ n: number }>;
    out[t] = Number(r?.n);
  }
  return out;
};
const add = (name: string, up: string) =>
  writeFileSync(join(migrationsDir('sqlite'), `${name}.sql`), renderMigration(name, up, 'select 1;'));

before(async () => {
  copy = copyMigrations();
  const scratch = await scratchUrl('sqlite');
  dispose = scratch.dispose;
  store = await openStore(scratch.url);
  await migrateUp(store);
  await seedSample(store);
});
after(async () => {
  await store.close();
  await dispose();
  copy.restore();
});

test('SQLite: a rebuild that drops rows is rolled back with the table named', async () => {
  const before = await counts();
  add('29990101000000_lossy_rebuild', rebuild(`${ALL} where symbol = 'BTC/USDT'`));
  await assert.rejects(
    () => migrateUp(store),
    (e: unknown) =>
      e instanceof MigrationSafetyError && /table assets had 2 rows before and 1 after/.test(e.message),
  );
  assert.deepEqual(await counts(), before);
  assert.equal((await migrationState(store)).pending.length, 1);
  rmSync(join(migrationsDir('sqlite'), '29990101000000_lossy_rebuild.sql'));
});

test('SQLite: a rebuild that orphans children is rolled back', async () => {
  const before = await counts();
  add('29990102000000_renumbering_rebuild', rebuild(ALL.replace('select id,', 'select id + 1000,')));
  await assert.rejects(() => migrateUp(store), /would break foreign keys/);
  assert.deepEqual(await counts(), before);
  rmSync(join(migrationsDir('sqlite'), '29990102000000_renumbering_rebuild.sql'));
});

test('SQLite: NOT NULL column with a default plus a type change on a populated parent keeps every row and child', async () => {
  const before = await counts();
  assert.ok(before.candles! >= 1000 && before.signals! >= 5);
  add('29990103000000_rebuild_assets', rebuild(ALL));
  const { applied } = await migrateUp(store);
  assert.deepEqual(applied, ['29990103000000_rebuild_assets']);
  assert.deepEqual(await counts(), before);
  const conn = store.em().getConnection();
  assert.deepEqual(await conn.execute('pragma foreign_key_check'), []);
  const cols = (await conn.execute(`select name, type from pragma_table_info('assets')`)) as Array<{
    name: string;
    type: string;
  }>;
  assert.equal(cols.find((c) => c.name === 'symbol')?.type, 'varchar(64)');
  assert.ok(cols.some((c) => c.name === 'notes'));
  const [fk] = (await conn.execute('pragma foreign_keys')) as Array<{ foreign_keys: number }>;
  assert.equal(fk?.foreign_keys, 1, 'foreign keys are switched back on');
  // Children still join to their parents.
  const [joined] = (await conn.execute(
    'select count(*) as n from candles c join assets a on a.id = c.asset_id',
  )) as Array<{ n: number }>;
  assert.equal(Number(joined?.n), before.candles);
});
