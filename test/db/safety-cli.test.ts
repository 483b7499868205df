/**
 * Issue #9 items 1–4 as a user types them: the real binary in child processes, the database
 * checked byte for byte (SQLite file) or row for row afterwards.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, linkSync, mkdtempSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createPgDatabase, dropPgDatabase, pgServerUrl } from '../../src/db/scratch.ts';
import { openStore } from '../../src/db/store.ts';
import type { Dialect } from '../../src/db/url.ts';
import { readMigrations } from '../../src/migrate/files.ts';
import { restoreDatabase } from '../../src/migrate/restore.ts';
import { spawnCli } from '../support/cli.ts';
import { PG_ENABLED, scratchUrl } from '../support/dialects.ts';
import { allRows, type Rows, rowCount, rowsAt } from '../support/rows.ts';

const { DatabaseSync } = process.getBuiltinModule('node:sqlite');
const pgToolsInstalled = ['pg_dump', 'pg_restore', 'psql'].every(
  (tool) => spawnSync(tool, ['--version']).status === 0,
);
const sha = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

/** Every row a backup file holds: a SQLite backup is opened as it is, a dump restored into a scratch database. */
async function backupRows(dialect: Dialect, file: string): Promise<Rows> {
  if (dialect === 'sqlite') return rowsAt(`sqlite:${file}`);
  const check = await createPgDatabase(pgServerUrl(), 'tradestore_backup_check');
  try {
    const store = await openStore(check);
    try {
      await restoreDatabase(store, file);
      return await allRows(store);
    } finally {
      await store.close();
    }
  } finally {
    await dropPgDatabase(pgServerUrl(), check);
  }
}

for (const dialect of ['sqlite', 'postgresql'] as Dialect[]) {
  const skip =
    dialect === 'postgresql' && (!PG_ENABLED || !pgToolsInstalled)
      ? 'PostgreSQL or its client tools not available'
      : false;
  describe(`db backup/restore and migrate down safety (CLI) [${dialect}]`, { skip }, () => {
    let url: string;
    let dispose: () => Promise<void>;
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-safety-cli-'));
    const T = (...args: string[]) => spawnCli(['--db', url, ...args], { cwd: dir });
    const ok = async (...args: string[]) => {
      const r = await T(...args);
      assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
      return r;
    };
    const first = readMigrations(dialect)[0]!.name;

    before(async () => {
      const scratch = await scratchUrl(dialect);
      url = scratch.url;
      dispose = scratch.dispose;
      await ok('migrate', 'up');
      await ok('db', 'seed', '--demo');
    });
    after(() => dispose());

    test('item 1: backup onto the database (path, relative, symlink, hard link, -wal, -shm) is refused; "" is a usage error', async (t) => {
      if (dialect !== 'sqlite') return t.skip('a PostgreSQL database is not a file');
      const db = url.slice('sqlite:'.length);
      const before = sha(db);
      symlinkSync(db, join(dirname(db), 'link.db'));
      linkSync(db, join(dirname(db), 'hard.db'));
      const targets = [
        db,
        basename(db),
        join(dirname(db), 'x', '..', basename(db)),
        join(dirname(db), 'link.db'),
        join(dirname(db), 'hard.db'),
        `${db}-wal`,
        `${db}-shm`,
      ];
      for (const target of targets) {
        const r = await spawnCli(['--db', url, 'db', 'backup', target], { cwd: dirname(db) });
        assert.equal(r.code, 1, `${target}: ${r.stderr}`);
        assert.match(r.stderr, /is the database file itself|is the database's -(wal|shm) file/);
        assert.equal(sha(db), before, `${target} left the database byte for byte as it was`);
      }
      const empty = await T('db', 'backup', '');
      assert.equal(empty.code, 2);
      assert.match(empty.stderr, /needs a file name/);
      assert.equal(sha(db), before);
      assert.ok(rowCount(await rowsAt(url)) > 1000, 'the demo data is all there');
    });

    test('item 2: restore of a 0-byte file, another SQLite file or a directory is refused; the rows stay', async () => {
      const rows = await rowsAt(url);
      const empty = join(dir, 'empty.bak');
      writeFileSync(empty, '');
      const other = join(dir, 'other.db');
      const o = new DatabaseSync(other);
      o.exec('create table notes (body text); insert into notes values (1)');
      o.close();
      for (const [file, reason] of [
        [empty, /empty \(0 bytes\)/],
        [
          other,
          dialect === 'sqlite'
            ? /no tradestore_migrations table/
            : /SQLite backup and this database is PostgreSQL/,
        ],
        [dir, /is a directory/],
      ] as const) {
        const r = await T('db', 'restore', file);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stderr, reason);
        assert.match(r.stderr, /nothing was changed/);
      }
      assert.deepEqual(await rowsAt(url), rows);
      const health = JSON.parse((await ok('db', 'health', '--json')).stdout);
      assert.equal(health.pending_migrations, 0);
    });

    test('items 3 and 4: down (backed up, drops named) → backup → up → restore gives the old database row for row; up continues', async () => {
      const withQuantity = await rowsAt(url);
      const quantities = withQuantity['trade_ideas']!.filter((r) => JSON.parse(r).quantity !== null).length;

      const down = await ok('migrate', 'down', '--to', first);
      const backupPath = /backup of the database before reverting: (\S+)/.exec(down.stderr)?.[1];
      assert.ok(backupPath && existsSync(backupPath), down.stderr);
      assert.ok(quantities > 0, 'the demo data has sized trade ideas');
      assert.match(down.stderr, new RegExp(`trade_ideas\\.quantity \\(${quantities} values\\)`));
      // The backup taken before `down` holds the data `down` dropped.
      assert.deepEqual(await backupRows(dialect, backupPath), withQuantity);

      const atFirst = await rowsAt(url);
      const file = join(dir, dialect === 'sqlite' ? 'first.bak' : 'first.dump');
      await ok('db', 'backup', file);
      await ok('migrate', 'up');
      const restore = await ok('db', 'restore', file);
      const safety = /backup of the database before restoring: (\S+)/.exec(restore.stderr)?.[1];
      assert.ok(safety && existsSync(safety), restore.stderr);
      assert.deepEqual(await rowsAt(url), atFirst, 'row for row the backup, and no later table survives');
      const status = JSON.parse((await ok('migrate', 'status', '--json')).stdout);
      assert.equal(status.current, first);
      assert.equal(status.pending.length, readMigrations(dialect).length - 1);
      await ok('migrate', 'up');
      const health = JSON.parse((await ok('db', 'health', '--json')).stdout);
      assert.equal(health.pending_migrations, 0);
    });

    test('db reset --yes backs the data up first', async () => {
      const rows = await rowsAt(url);
      assert.ok(rowCount(rows) > 1000);
      const reset = await ok('db', 'reset', '--yes');
      const backupPath = /backup of the database before resetting: (\S+)/.exec(reset.stderr)?.[1];
      assert.ok(backupPath && existsSync(backupPath), reset.stderr);
      assert.deepEqual(await backupRows(dialect, backupPath), rows);
    });
  });
}
