import assert from 'node:assert/strict';
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { migrationsDir, renderMigration } from '../../src/migrate/files.ts';
import type { Store } from '../../src/db/store.ts';
import { HISTORY_TABLE } from '../../src/migrate/history.ts';
import { schemaFingerprint } from '../../src/migrate/introspect.ts';
import { MigrationError, migrateUp, migrationState, stampMigrations } from '../../src/migrate/runner.ts';
import { eachDialect } from '../support/dialects.ts';
import { copyMigrations } from '../support/migrations-copy.ts';
import { seedSample } from '../support/sample.ts';

async function count(ctx: { store: Store }, table: string): Promise<number> {
  const [row] = (await ctx.store
    .em()
    .getConnection()
    .execute(`select count(*) as n from ${table}`)) as Array<{ n: unknown }>;
  return Number(row?.n);
}

eachDialect('migration safety', (ctx) => {
  let copy: ReturnType<typeof copyMigrations>;
  before(() => {
    copy = copyMigrations();
  });
  after(() => copy.restore());

  test('a broken migration leaves version and data as they were', async () => {
    await seedSample(ctx.store);
    const before = await migrationState(ctx.store);
    const assets = await count(ctx, 'assets');
    const schema = await schemaFingerprint(ctx.store);
    const broken = join(migrationsDir(ctx.dialect), '29991231000000_broken.sql');
    writeFileSync(
      broken,
      renderMigration(
        'broken',
        `create table broken_probe (id integer primary key);\ndelete from bot_status;\nupdate assets set venue = 'x';\nselect * from table_that_does_not_exist;`,
        'drop table broken_probe;',
      ),
    );
    await assert.rejects(() => migrateUp(ctx.store), /table_that_does_not_exist/);
    const after = await migrationState(ctx.store);
    assert.equal(after.current, before.current);
    assert.deepEqual(
      after.pending.map((p) => p.name),
      ['29991231000000_broken'],
    );
    assert.equal(await count(ctx, 'assets'), assets);
    assert.equal(await count(ctx, 'bot_status'), 1);
    const [venue] = (await ctx.store
      .em()
      .getConnection()
      .execute('select distinct venue from assets')) as Array<{ venue: string }>;
    assert.equal(venue?.venue, 'binance');
    assert.deepEqual([...(await schemaFingerprint(ctx.store))].sort(), [...schema].sort());
    const { rmSync } = await import('node:fs');
    rmSync(broken);
  });

  test('an edited applied migration is refused by name before anything runs', async () => {
    const state = await migrationState(ctx.store);
    const applied = state.files.find((f) => f.name === state.current)!;
    appendFileSync(applied.path, '\n-- a harmless-looking edit\n');
    await assert.rejects(
      () => migrateUp(ctx.store),
      (e: unknown) =>
        e instanceof MigrationError &&
        e.message.includes(applied.name) &&
        /edited after it was applied/.test(e.message),
    );
    const edited = await migrationState(ctx.store);
    assert.deepEqual(
      edited.edited.map((e) => e.name),
      [applied.name],
    );
  });

  test('stamp --initial adopts a database that has the schema but no history', async () => {
    const conn = ctx.store.em().getConnection();
    await conn.execute(`delete from ${HISTORY_TABLE}`);
    const { stamped } = await stampMigrations(ctx.store, { initial: true });
    assert.equal(stamped.length, 1);
    const state = await migrationState(ctx.store);
    assert.equal(state.applied.length, 1);
    assert.equal(state.current, state.files[0]!.name);
  });
});
