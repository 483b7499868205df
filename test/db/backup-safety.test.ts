/** Issue #9 item 1: a backup never destroys the database or an existing file before it is complete. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { linkSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { test } from 'node:test';
import pg from 'pg';
import { backupDatabase, BackupRefusedError } from '../../src/db/backup.ts';
import { pgToolConnection } from '../../src/db/url.ts';
import { openStore } from '../../src/db/store.ts';
import { eachDialect } from '../support/dialects.ts';
import { allRows } from '../support/rows.ts';
import { seedSample } from '../support/sample.ts';

const pgDumpInstalled = spawnSync('pg_dump', ['--version']).status === 0;
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

eachDialect('db backup safety', (ctx) => {
  test('a backup onto the database file, by any name, is refused and the file is untouched', async (t) => {
    if (ctx.dialect !== 'sqlite') return t.skip('a PostgreSQL database is not a file');
    await seedSample(ctx.store);
    const db = ctx.url.slice('sqlite:'.length);
    const dir = dirname(db);
    await ctx.store.withSqlite((d) => d.exec('pragma wal_checkpoint(truncate)'));
    const before = sha(db);
    const rows = await allRows(ctx.store);
    symlinkSync(db, join(dir, 'link.db'));
    linkSync(db, join(dir, 'hard.db'));
    const names = [
      db,
      relative(process.cwd(), db),
      join(dir, 'sub', '..', basename(db)),
      join(dir, 'link.db'),
      join(dir, 'hard.db'),
      `${db}-wal`,
      `${db}-shm`,
      `${db}-journal`,
    ];
    for (const name of names) {
      await assert.rejects(
        () => backupDatabase(ctx.store, name),
        (e: unknown) => e instanceof BackupRefusedError && /is the database|database's -/.test(e.message),
        name,
      );
    }
    await assert.rejects(() => backupDatabase(ctx.store, ''), BackupRefusedError);
    await assert.rejects(() => backupDatabase(ctx.store, dir), /is a directory/);
    assert.equal(sha(db), before);
    assert.deepEqual(await allRows(ctx.store), rows);
  });

  test('an existing target stays whole until the new backup is complete', async (t) => {
    if (ctx.dialect !== 'sqlite') return t.skip('pg_dump has no progress hook; see the failing pg_dump test');
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-backup-'));
    const target = join(dir, 'nightly.db');
    writeFileSync(target, 'yesterday’s backup');
    // More than one step of the backup API (1000 pages), so progress is reported mid-copy.
    await ctx.store.withSqlite((db) =>
      db.exec(
        `create table pad (b blob); with recursive n(i) as (select 1 union all select i + 1 from n where i < 2000) insert into pad select randomblob(3000) from n`,
      ),
    );
    let seen = 0;
    await backupDatabase(ctx.store, target, () => {
      seen++;
      assert.equal(readFileSync(target, 'utf8'), 'yesterday’s backup');
    });
    assert.ok(seen > 0, 'the backup reported progress');
    assert.equal(readFileSync(target).subarray(0, 16).toString('latin1'), 'SQLite format 3\0');
    const copy = await openStore(`sqlite:${target}`, { mustExist: true });
    try {
      assert.deepEqual(await allRows(copy), await allRows(ctx.store));
    } finally {
      await copy.close();
    }
    assert.deepEqual(readdirSync(dir), ['nightly.db'], 'no temporary file is left');
  });

  test('a failing pg_dump leaves the existing target as it was and no temporary file', async (t) => {
    if (ctx.dialect !== 'postgresql') return t.skip('PostgreSQL only');
    if (!pgDumpInstalled) return t.skip('pg_dump not installed');
    // A role that may connect but read nothing: pg_dump fails on its first table lock.
    const role = `tradestore_noread_${process.pid}`;
    const admin = new pg.Client({ connectionString: ctx.url });
    await admin.connect();
    await admin.query(`create role ${role} login`);
    const url = new URL(ctx.url);
    url.username = role;
    const store = await openStore(url.toString());
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-backup-'));
    const target = join(dir, 'nightly.dump');
    writeFileSync(target, 'yesterday’s backup');
    try {
      await assert.rejects(() => backupDatabase(store, target), /pg_dump failed/);
      assert.equal(readFileSync(target, 'utf8'), 'yesterday’s backup');
      assert.deepEqual(readdirSync(dir), ['nightly.dump']);
    } finally {
      await store.close();
      await admin.query(`drop role ${role}`);
      await admin.end();
    }
  });
});

test('pg_dump/psql get the password through PGPASSWORD, never on their command line', () => {
  const c = pgToolConnection('postgres://trader:s%40cret@db.example:5433/prod');
  assert.equal(c.url.includes('s%40cret') || c.url.includes('s@cret'), false);
  assert.match(c.url, /^postgres:\/\/trader@db\.example:5433\/prod$/);
  assert.equal(c.env.PGPASSWORD, 's@cret');
  assert.equal(pgToolConnection('postgres://root@127.0.0.1/test').env.PGPASSWORD, process.env.PGPASSWORD);
});
