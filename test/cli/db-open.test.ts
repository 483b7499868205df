/**
 * Issue #9 items 11 and 16 (database part): which commands may create a database, what an empty
 * `sqlite:` means, and what an unmigrated or unopenable database says.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { spawnCli } from '../support/cli.ts';
import { PG_ENABLED, scratchUrl } from '../support/dialects.ts';

const fresh = () => mkdtempSync(join(tmpdir(), 'tradestore-open-'));

describe('opening the database from the CLI', () => {
  test('every command but migrate up and db restore refuses a missing SQLite file and creates nothing', async () => {
    const dir = fresh();
    const db = join(dir, 'no', 'such', 'dir', 'x.db');
    const csv = join(dir, 'c.csv');
    writeFileSync(csv, 'ts,open,high,low,close,volume\n1700000040000,1,1,1,1,1\n');
    const commands = [
      ['db', 'health'],
      ['db', 'counts'],
      ['db', 'stats'],
      ['db', 'backup', join(dir, 'b.bak')],
      ['db', 'reset', '--yes'],
      ['db', 'seed', '--demo'],
      ['db', 'prune', '--dry-run'],
      ['migrate', 'status'],
      ['migrate', 'history'],
      ['migrate', 'down'],
      ['migrate', 'stamp', '--initial'],
      ['import', 'candles', csv, '--asset', 'BTC', '--timeframe', '1m'],
      ['strategies', 'list'],
    ];
    const runs = await Promise.all(
      commands.map((c) => spawnCli(['--db', `sqlite:${db}`, ...c], { cwd: dir })),
    );
    runs.forEach((r, i) => {
      assert.equal(r.code, 1, `${commands[i]!.join(' ')}: ${r.stderr}`);
      assert.match(
        r.stderr,
        new RegExp(
          `no database at ${db.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(run \`tradestore migrate up\` first\\)`,
        ),
      );
    });
    assert.equal(existsSync(join(dir, 'no')), false, 'no folder was created');
    assert.equal(existsSync(join(dir, 'b.bak')), false);

    const up = await spawnCli(['--db', `sqlite:${db}`, 'migrate', 'up'], { cwd: dir });
    assert.equal(up.code, 0, up.stderr);
    assert.ok(existsSync(db), 'migrate up creates the database');
  });

  test('--db sqlite: (empty path) and --db "" are usage errors, not an in-memory or default database', async () => {
    const dir = fresh();
    for (const url of ['sqlite:', '']) {
      const r = await spawnCli(['--db', url, 'migrate', 'up'], { cwd: dir });
      assert.equal(r.code, 2, r.stderr);
      assert.doesNotMatch(r.stdout + r.stderr, /applied/);
    }
    assert.equal(existsSync(join(dir, 'data')), false, 'the default database was not created instead');
  });

  test('migrate up on a path that cannot be a database says so, with no lock-file error', async () => {
    const dir = fresh();
    mkdirSync(join(dir, 'a-folder'));
    writeFileSync(join(dir, 'a-file'), 'x');
    for (const [path, reason] of [
      [join(dir, 'a-folder'), /cannot open the SQLite database at .*a-folder: it is a directory/],
      [join(dir, 'a-file', 'x.db'), /cannot create the SQLite database at .*a-file\/x\.db/],
    ] as const) {
      const r = await spawnCli(['--db', `sqlite:${path}`, 'migrate', 'up'], { cwd: dir });
      assert.equal(r.code, 1, r.stderr);
      assert.match(r.stderr, reason);
      assert.doesNotMatch(r.stderr, /migrate-lock|ENOENT/);
    }
  });

  test('db restore of a directory names it as a directory, not a disk I/O error', async () => {
    const dir = fresh();
    const db = `sqlite:${join(dir, 'x.db')}`;
    assert.equal((await spawnCli(['--db', db, 'migrate', 'up'], { cwd: dir })).code, 0);
    const r = await spawnCli(['--db', db, 'db', 'restore', dir], { cwd: dir });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /is a directory, not a backup file/);
    assert.doesNotMatch(r.stderr, /disk I\/O/);
    // A refused restore into a new path leaves no empty database there to be mistaken for one.
    const target = join(dir, 'new.db');
    const refused = await spawnCli(['--db', `sqlite:${target}`, 'db', 'restore', dir], { cwd: dir });
    assert.equal(refused.code, 1);
    assert.equal(existsSync(target), false);
  });

  for (const dialect of ['sqlite', 'postgresql'] as const) {
    test(
      `an unmigrated database says to run migrate up [${dialect}]`,
      { skip: dialect === 'postgresql' && !PG_ENABLED && 'PostgreSQL not available' },
      async () => {
        const scratch = await scratchUrl(dialect);
        const dir = fresh();
        try {
          if (dialect === 'sqlite') writeFileSync(scratch.url.slice('sqlite:'.length), '');
          const csv = join(dir, 'c.csv');
          writeFileSync(csv, 'ts,open,high,low,close,volume\n1700000040000,1,1,1,1,1\n');
          for (const args of [
            ['import', 'candles', csv, '--asset', 'BTC', '--timeframe', '1m'],
            ['strategies', 'list'],
          ]) {
            const r = await spawnCli(['--db', scratch.url, ...args], { cwd: dir });
            assert.equal(r.code, 1, r.stderr);
            assert.match(r.stderr, /is not migrated .*: run `tradestore migrate up`/);
            assert.doesNotMatch(r.stderr, /no such table|does not exist/);
          }
        } finally {
          await scratch.dispose();
        }
      },
    );
  }
});
