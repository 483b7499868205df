import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { openStore } from '../../src/db/store.ts';
import { migrationsRoot, renderMigration } from '../../src/migrate/files.ts';
import { spawnCli } from '../support/cli.ts';
import { eachDialect, scratchUrl } from '../support/dialects.ts';
import { copyMigrations } from '../support/migrations-copy.ts';
import { seedSample } from '../support/sample.ts';

async function rawSql(ctx: { dialect: string; url: string }, sql: string): Promise<void> {
  if (ctx.dialect === 'sqlite') {
    const { DatabaseSync } = await import('node:sqlite');
    const db = new DatabaseSync(ctx.url.slice('sqlite:'.length));
    db.exec(sql);
    db.close();
    return;
  }
  const client = new pg.Client({ connectionString: ctx.url });
  await client.connect();
  await client.query(sql);
  await client.end();
}

eachDialect(
  'tradestore migrate (CLI)',
  (ctx) => {
    test('two `migrate up` at once: one applies, the other waits and finds nothing to do', async () => {
      const [a, b] = await Promise.all([
        spawnCli(['--db', ctx.url, 'migrate', 'up', '--json']),
        spawnCli(['--db', ctx.url, 'migrate', 'up', '--json']),
      ]);
      assert.equal(a.code, 0, a.stderr);
      assert.equal(b.code, 0, b.stderr);
      const applied = [JSON.parse(a.stdout).applied.length, JSON.parse(b.stdout).applied.length].sort();
      assert.deepEqual(applied, [0, readdirSync(join(migrationsRoot(), ctx.dialect)).length]);
    });

    test('check exits 0 on a freshly migrated database and 1 after a hand-made ALTER TABLE', async () => {
      const ok = await spawnCli(['--db', ctx.url, 'migrate', 'check']);
      assert.equal(ok.code, 0, ok.stderr);
      assert.match(ok.stderr, /agree/);
      await rawSql(ctx, 'ALTER TABLE trades ADD COLUMN x integer');
      const drift = await spawnCli(['--db', ctx.url, 'migrate', 'check', '--json']);
      assert.equal(drift.code, 1);
      const report = JSON.parse(drift.stdout);
      assert.equal(report.ok, false);
      assert.equal(report.unmigrated, '');
      assert.equal(report.live.extra.length, 1);
      assert.match(report.live.extra[0], /^column trades\.x: integer null$/);
      await rawSql(ctx, 'ALTER TABLE trades DROP COLUMN x');
      assert.equal((await spawnCli(['--db', ctx.url, 'migrate', 'check'])).code, 0);
    });

    test('status, history and sql', async () => {
      const status = JSON.parse((await spawnCli(['--db', ctx.url, 'migrate', 'status', '--json'])).stdout);
      assert.equal(status.dialect, ctx.dialect);
      assert.deepEqual(status.pending, []);
      const history = JSON.parse((await spawnCli(['--db', ctx.url, 'migrate', 'history', '--json'])).stdout);
      assert.equal(history.at(-1).name, status.current);
      assert.equal(history.length, readdirSync(join(migrationsRoot(), ctx.dialect)).length);
      const sql = await spawnCli(['migrate', 'sql', '--dialect', ctx.dialect, '--to', status.current]);
      assert.equal(sql.code, 0, sql.stderr);
      assert.match(sql.stdout, /create table "?`?users/);
    });
  },
  { migrate: false },
);

test('migrate sql touches neither a database nor the migrations folder', async () => {
  const dir = join(migrationsRoot(), 'sqlite');
  const mtimes = readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs);
  const dbPath = join(dirname(dir), '..', 'tmp-never-created', 'x.db');
  const r = await spawnCli(['migrate', 'sql'], { env: { DATABASE_URL: `sqlite:${dbPath}` } });
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /create table/);
  assert.equal(existsSync(dirname(dbPath)), false);
  assert.deepEqual(
    readdirSync(dir).map((f) => statSync(join(dir, f)).mtimeMs),
    mtimes,
  );
});

test('migrate create with unchanged entities says so and writes nothing', async () => {
  const before = ['sqlite', 'postgresql'].map((d) => readdirSync(join(migrationsRoot(), d)).join(','));
  const r = await spawnCli(['migrate', 'create', 'nothing_changed', '--dialect', 'sqlite']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr, /no changes/);
  assert.deepEqual(
    ['sqlite', 'postgresql'].map((d) => readdirSync(join(migrationsRoot(), d)).join(',')),
    before,
  );
});

test('migrate up on a SQLite file holding data backs it up beside itself first; --no-backup skips it', async () => {
  const scratch = await scratchUrl('sqlite');
  const copy = copyMigrations();
  try {
    const env = { TRADESTORE_MIGRATIONS_DIR: copy.root };
    assert.equal((await spawnCli(['--db', scratch.url, 'migrate', 'up'], { env })).code, 0);
    const store = await openStore(scratch.url);
    await seedSample(store);
    await store.close();
    const extra = (name: string) =>
      writeFileSync(
        join(copy.root, 'sqlite', `${name}.sql`),
        renderMigration(
          name,
          `create table ${name.slice(15)} (id integer primary key);`,
          `drop table ${name.slice(15)};`,
        ),
      );
    extra('29990101000000_probe_one');
    const skipped = await spawnCli(['--db', scratch.url, 'migrate', 'up', '--no-backup'], { env });
    assert.equal(skipped.code, 0, skipped.stderr);
    assert.doesNotMatch(skipped.stderr, /backup/);
    extra('29990102000000_probe_two');
    const up = await spawnCli(['--db', scratch.url, 'migrate', 'up'], { env });
    assert.equal(up.code, 0, up.stderr);
    const printed = /backup of the database before migrating: (\S+)/.exec(up.stderr)?.[1];
    assert.ok(printed && existsSync(printed), up.stderr);
    assert.equal(dirname(printed), dirname(scratch.url.slice('sqlite:'.length)));
    const { DatabaseSync } = await import('node:sqlite');
    const backup = new DatabaseSync(printed, { readOnly: true });
    const row = backup.prepare('select count(*) as n from candles').get();
    backup.close();
    assert.equal(Number(row?.n), 1000, 'the backup holds the data as it was before migrating');
  } finally {
    copy.restore();
    await scratch.dispose();
  }
});
