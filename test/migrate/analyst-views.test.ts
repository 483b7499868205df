/**
 * SQLite's analyst views (`<table>_numeric`, decimals as REAL): numeric ORDER BY and SUM where the
 * base table compares text, read-only, tolerated by `migrate check` (and a dropped view is drift),
 * kept across a later table rebuild; PostgreSQL gets none.
 */
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { migrationsDir, readMigrations, renderMigration } from '../../src/migrate/files.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { seedDemo } from '../../src/seed/demo.ts';
import { cli } from '../marketdata/cli-support.ts';
import { eachDialect } from '../support/dialects.ts';
import { copyMigrations } from '../support/migrations-copy.ts';

eachDialect('analyst views', (ctx) => {
  before(async () => seedDemo(ctx.store));
  const all = async (sql: string) =>
    (await ctx.store.em().getConnection().execute(sql)) as Array<Record<string, unknown>>;

  if (ctx.dialect === 'postgresql') {
    test('PostgreSQL has numeric columns and no analyst views', async () => {
      assert.deepEqual(await all(`select viewname from pg_views where schemaname = current_schema()`), []);
      assert.ok(!readMigrations('postgresql').some((f) => f.name.endsWith('_analyst_numeric_views')));
    });
    return;
  }

  test('trades_numeric sorts and sums pnl as numbers, where the TEXT column does not', async () => {
    const exact = (await all('select id, pnl from trades where pnl is not null')).map((r) => ({
      id: Number(r.id),
      pnl: new Decimal(String(r.pnl)),
    }));
    assert.ok(exact.length > 10);
    const byValue = [...exact].sort((a, b) => a.pnl.comparedTo(b.pnl) || a.id - b.id).map((r) => r.id);
    const viaView = (await all('select id from trades_numeric where pnl is not null order by pnl, id')).map(
      (r) => Number(r.id),
    );
    const viaText = (await all('select id from trades where pnl is not null order by pnl, id')).map((r) =>
      Number(r.id),
    );
    assert.deepEqual(viaView, byValue);
    assert.notDeepEqual(viaText, byValue, 'text order differs (the reason for the views)');
    const sum = exact.reduce((a, r) => a.plus(r.pnl), new Decimal(0));
    const [row] = await all('select sum(pnl) as s, typeof(sum(pnl)) as t from trades_numeric');
    assert.equal(row!.t, 'real');
    assert.ok(Math.abs(Number(row!.s) - sum.toNumber()) < 1e-6 * Math.max(1, Math.abs(sum.toNumber())));
  });

  test('every table with decimal columns has its view; they take no writes', async () => {
    const views = (await all(`select name from sqlite_schema where type = 'view' order by name`)).map(
      (r) => r.name,
    );
    for (const v of [
      'trades_numeric',
      'orders_numeric',
      'fills_numeric',
      'positions_numeric',
      'portfolio_snapshots_numeric',
    ])
      assert.ok(views.includes(v), `${v} exists`);
    await assert.rejects(
      all(`update trades_numeric set pnl = 1`),
      /cannot modify trades_numeric because it is a view/,
    );
  });

  test('migrate check accepts the views and reports a dropped one', async () => {
    const ok = await cli(ctx.url, ['migrate', 'check']);
    assert.equal(ok.code, 0, ok.stdout + ok.stderr);
    await all('drop view fills_numeric');
    const drift = await cli(ctx.url, ['migrate', 'check']);
    assert.equal(drift.code, 1);
    assert.match(drift.stdout + drift.stderr, /view fills_numeric/);
  });

  test('a later migration that rebuilds a table keeps its view, derived again with the new column', async () => {
    const copy = copyMigrations();
    try {
      const name = '29990101000000_assets_notes';
      const up = `create table assets__rebuild (id integer not null primary key autoincrement, symbol varchar(64) not null, venue varchar(64) not null, kind text check (kind in ('crypto', 'equity', 'future', 'fx', 'prediction')) not null, base text null, quote text null, tick_size text null, lot_size text null, is_active integer not null default true, created_at datetime not null, updated_at datetime not null, notes text null);
insert into assets__rebuild (id, symbol, venue, kind, base, quote, tick_size, lot_size, is_active, created_at, updated_at) select id, symbol, venue, kind, base, quote, tick_size, lot_size, is_active, created_at, updated_at from assets;
drop table assets;
alter table assets__rebuild rename to assets;
create index assets_kind_is_active_index on assets (kind, is_active);
create unique index assets_venue_symbol_unique on assets (venue, symbol);`;
      writeFileSync(
        join(migrationsDir('sqlite'), `${name}.sql`),
        renderMigration('assets notes', up, 'select 1;'),
      );
      const { applied } = await migrateUp(ctx.store);
      assert.deepEqual(applied, [name]);
      const [row] = await all(
        `select typeof(tick_size) as t, notes from assets_numeric where tick_size is not null limit 1`,
      );
      assert.equal(row!.t, 'real');
      assert.ok('notes' in row!);
    } finally {
      copy.restore();
    }
  });
});
