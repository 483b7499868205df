/**
 * Issue #9 items 2 and 3: `db restore` accepts only a tradestore backup of the database's dialect
 * that this build can continue, backs the current content up first, and replaces the content
 * completely (an older backup leaves a database `migrate up` can bring forward).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { test } from 'node:test';
import { backupDatabase, BackupRefusedError } from '../../src/db/backup.ts';
import { createPgDatabase, dropPgDatabase, pgServerUrl } from '../../src/db/scratch.ts';
import { openStore } from '../../src/db/store.ts';
import { readMigrations } from '../../src/migrate/files.ts';
import { restoreDatabase } from '../../src/migrate/restore.ts';
import { migrateDown, migrateUp, migrationState } from '../../src/migrate/runner.ts';
import { eachDialect } from '../support/dialects.ts';
import { allRows, rowCount, rowsAt } from '../support/rows.ts';
import { seedSample } from '../support/sample.ts';

const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const pgToolsInstalled = ['pg_dump', 'pg_restore', 'psql'].every(
  (tool) => spawnSync(tool, ['--version']).status === 0,
);

eachDialect('db restore', (ctx) => {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-restore-'));
  const first = () => readMigrations(ctx.dialect)[0]!.name;

  test('what is not a tradestore backup of this dialect is refused with the reason, nothing changed', async (t) => {
    if (ctx.dialect === 'postgresql' && !pgToolsInstalled)
      return t.skip('PostgreSQL client tools not installed');
    await seedSample(ctx.store);
    const before = await allRows(ctx.store);
    assert.ok(rowCount(before) > 50);

    const empty = join(dir, 'empty.bin');
    writeFileSync(empty, '');
    const foreignSqlite = join(dir, 'other-app.db');
    const other = new DatabaseSync(foreignSqlite);
    other.exec('create table notes (body text); insert into notes values (1)');
    other.close();
    const newer = join(dir, 'newer.db');
    const n = new DatabaseSync(newer);
    n.exec(
      `create table tradestore_migrations (name text primary key, checksum text not null, applied_at text not null, execution_ms integer not null);
       insert into tradestore_migrations values ('29990101000000_from_the_future', '${'0'.repeat(64)}', '2999-01-01', 1)`,
    );
    n.close();
    const folder = join(dir, 'a-folder');
    mkdirSync(folder, { recursive: true });
    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'not a backup at all\n');

    const cases: Array<[string, RegExp]> = [
      [empty, /empty \(0 bytes\)/],
      [folder, /is a directory/],
      [text, ctx.dialect === 'sqlite' ? /not a SQLite database/ : /not a pg_dump archive/],
      [join(dir, 'missing.db'), /does not exist/],
    ];
    if (ctx.dialect === 'sqlite') {
      cases.push([foreignSqlite, /no tradestore_migrations table/]);
      cases.push([newer, /29990101000000_from_the_future, which this build of tradestore does not have/]);
    } else {
      cases.push([foreignSqlite, /SQLite backup and this database is PostgreSQL/]);
      // A dump of a database that is not tradestore's.
      const server = pgServerUrl();
      const foreignUrl = await createPgDatabase(server, 'tradestore_foreign');
      try {
        spawnSync('psql', [
          foreignUrl,
          '-qc',
          'create table notes (body text); insert into notes values (1)',
        ]);
        const foreignDump = join(dir, 'foreign.dump');
        assert.equal(spawnSync('pg_dump', ['-Fc', '-f', foreignDump, foreignUrl]).status, 0);
        cases.push([foreignDump, /no tradestore_migrations table: not a tradestore backup/]);
      } finally {
        await dropPgDatabase(server, foreignUrl);
      }
    }
    for (const [file, reason] of cases) {
      await assert.rejects(
        () => restoreDatabase(ctx.store, file),
        (e: unknown) => e instanceof BackupRefusedError && reason.test(e.message),
        file,
      );
    }
    assert.deepEqual(await allRows(ctx.store), before);
    if (ctx.dialect === 'sqlite') {
      const db = ctx.url.slice('sqlite:'.length);
      assert.deepEqual(
        readdirSync(dirname(db)).filter((f) => f.includes('pre-restore') || f.endsWith('.restore')),
        [],
        'a refused restore writes no safety backup and leaves no temporary file',
      );
    }
  });

  test('an older backup replaces everything: safety backup first, then `migrate up` continues', async (t) => {
    if (ctx.dialect === 'postgresql' && !pgToolsInstalled)
      return t.skip('PostgreSQL client tools not installed');
    // The database as the backup will hold it: at the first migration, with data.
    await migrateDown(ctx.store, { to: first() });
    const atFirst = await allRows(ctx.store);
    const backup = join(dir, ctx.dialect === 'sqlite' ? 'first.db' : 'first.dump');
    await backupDatabase(ctx.store, backup);
    await migrateUp(ctx.store);
    const current = await allRows(ctx.store);
    assert.notDeepEqual(current, atFirst);

    const cwd = process.cwd();
    process.chdir(dir); // a PostgreSQL safety backup is written to the current directory
    let safety: string | null;
    let reported: string | undefined;
    try {
      const result = await restoreDatabase(ctx.store, backup, { onSafetyBackup: (p) => (reported = p) });
      safety = result.safetyBackup;
      assert.equal(result.version, first());
      assert.equal(result.migrations, 1);
    } finally {
      process.chdir(cwd);
    }
    assert.ok(safety && existsSync(safety), 'a safety backup was written');
    assert.equal(reported, safety);

    // Row for row what was backed up, and no table of a later migration survives.
    assert.deepEqual(await allRows(ctx.store), atFirst);
    const state = await migrationState(ctx.store);
    assert.equal(state.current, first());
    assert.equal(state.pending.length, readMigrations(ctx.dialect).length - 1);
    const { applied } = await migrateUp(ctx.store);
    assert.equal(applied.length, state.pending.length);

    // The safety backup holds the content as it was before the restore.
    if (ctx.dialect === 'sqlite') {
      assert.equal(dirname(safety), dirname(ctx.url.slice('sqlite:'.length)));
      assert.deepEqual(await rowsAt(`sqlite:${safety}`), current);
    } else {
      const server = pgServerUrl();
      const check = await createPgDatabase(server, 'tradestore_safety');
      try {
        const store = await openStore(check);
        try {
          await restoreDatabase(store, safety);
          assert.deepEqual(await allRows(store), current);
        } finally {
          await store.close();
        }
      } finally {
        await dropPgDatabase(server, check);
      }
    }
  });

  test('SQLite: a database another process has open is not replaced', async (t) => {
    if (ctx.dialect !== 'sqlite') return t.skip('SQLite only');
    const backup = join(dir, 'now.db');
    await backupDatabase(ctx.store, backup);
    const before = await allRows(ctx.store);
    const other = new DatabaseSync(ctx.url.slice('sqlite:'.length));
    other.exec('pragma journal_mode = wal');
    try {
      await assert.rejects(() => restoreDatabase(ctx.store, backup), /open in another process/);
    } finally {
      other.close();
    }
    assert.deepEqual(await allRows(ctx.store), before);
    // And the store is usable afterwards, and a restore now goes through.
    await restoreDatabase(ctx.store, backup);
    assert.deepEqual(await allRows(ctx.store), before);
  });

  test('SQLite: through a symlinked database path the linked file is replaced and the link stays', async (t) => {
    if (ctx.dialect !== 'sqlite') return t.skip('SQLite only');
    const real = join(dir, 'real.db');
    const link = join(dir, 'link.db');
    const bak = join(dir, 'real.bak');
    const original = await openStore(`sqlite:${real}`);
    await migrateUp(original);
    await seedSample(original);
    await backupDatabase(original, bak);
    const backedUp = await allRows(original);
    await original.close();
    symlinkSync(real, link);
    const viaLink = await openStore(`sqlite:${link}`);
    try {
      await viaLink.em().getConnection().execute('delete from bot_status');
      assert.notDeepEqual(await allRows(viaLink), backedUp);
      await restoreDatabase(viaLink, bak);
      assert.deepEqual(await allRows(viaLink), backedUp);
    } finally {
      await viaLink.close();
    }
    assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
    assert.deepEqual(await rowsAt(`sqlite:${real}`), backedUp);
  });

  test('PostgreSQL refuses to restore over a migration this build does not know; SQLite replaces the whole file', async (t) => {
    if (ctx.dialect === 'postgresql' && !pgToolsInstalled)
      return t.skip('PostgreSQL client tools not installed');
    const backup = join(dir, ctx.dialect === 'sqlite' ? 'known.db' : 'known.dump');
    await backupDatabase(ctx.store, backup);
    const conn = ctx.store.em().getConnection();
    await conn.execute(
      `insert into tradestore_migrations (name, checksum, applied_at, execution_ms) values ('29990101000000_newer', '${'0'.repeat(64)}', '2999-01-01', 1)`,
    );
    const before = await allRows(ctx.store);
    try {
      if (ctx.dialect === 'postgresql')
        await assert.rejects(
          () => restoreDatabase(ctx.store, backup),
          /29990101000000_newer, which this build does not have/,
        );
      else await restoreDatabase(ctx.store, backup); // a SQLite restore swaps the whole file: nothing of it can survive
      if (ctx.dialect === 'postgresql') assert.deepEqual(await allRows(ctx.store), before);
      else assert.equal((await migrationState(ctx.store)).unknown.length, 0);
    } finally {
      await conn.execute(`delete from tradestore_migrations where name = '29990101000000_newer'`);
    }
  });
});
