/**
 * A column added with `not null default X` to a table holding rows: the SQLite rebuild MikroORM
 * generates copied `null` into it and failed; `fillAddedColumns` copies the default instead, and
 * the user_time_zone migration (users.time_zone, default 'UTC') applies over existing users on both
 * databases.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readMigrations } from '../../src/migrate/files.ts';
import { fillAddedColumns } from '../../src/migrate/generate.ts';
import { migrateUp } from '../../src/migrate/runner.ts';
import { eachDialect } from '../support/dialects.ts';

const ADDED = '20261201103909_user_time_zone';

test('the rebuild copies a new NOT NULL column’s default, not null; other columns and tables stay', () => {
  const generated = [
    'pragma foreign_keys = off;',
    "create table `users__temp_alter` (`id` integer not null primary key autoincrement, `role` text check (`role` in ('admin', 'viewer')) not null default 'viewer', `note` text null, `time_zone` text not null default 'UTC', `n` integer not null default 0, constraint `c` check (length(\"time_zone\") <= 64));",
    'insert into `users__temp_alter` select `id`, `role`, null as `note`, null as `time_zone`, null as `n` from `users`;',
    'create table `other__temp_alter` (`id` integer not null primary key, `x` text null);',
    'insert into `other__temp_alter` select `id`, null as `x` from `other`;',
  ].join('\n');
  const lines = fillAddedColumns(generated).split('\n');
  assert.equal(
    lines[2],
    "insert into `users__temp_alter` select `id`, `role`, null as `note`, 'UTC' as `time_zone`, 0 as `n` from `users`;",
  );
  assert.equal(lines[4], 'insert into `other__temp_alter` select `id`, null as `x` from `other`;');
  assert.equal(fillAddedColumns('select 1;'), 'select 1;');
});

eachDialect(
  'users.time_zone added over existing users',
  (ctx) => {
    test('existing users get UTC; the migration applies', async () => {
      const names = readMigrations(ctx.dialect).map((m) => m.name);
      await migrateUp(ctx.store, { to: names[names.indexOf(ADDED) - 1]! });
      const now = ctx.dialect === 'sqlite' ? Date.now() : new Date();
      await ctx.store.kysely
        .insertInto('users')
        .values({
          email: 'before@example.com',
          password_hash: 'x',
          role: 'viewer',
          is_active: ctx.dialect === 'sqlite' ? 1 : true,
          created_at: now,
          updated_at: now,
        } as never)
        .execute();
      await migrateUp(ctx.store, { to: ADDED });
      const rows = await ctx.store.kysely.selectFrom('users').select(['email', 'time_zone']).execute();
      assert.deepEqual(
        rows.map((r) => ({ ...r })),
        [{ email: 'before@example.com', time_zone: 'UTC' }],
      );
    });
  },
  { migrate: false },
);
