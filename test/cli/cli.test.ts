import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { BIN, runCli } from '../support/cli.ts';

describe('tradestore CLI', () => {
  test('a bad DATABASE_URL is one line naming the variable, exit 2', () => {
    const r = runCli(['db', 'health'], { env: { DATABASE_URL: 'mysql://root@localhost/x' } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /DATABASE_URL="mysql:\/\/root@localhost\/x" is invalid: accepted: sqlite:/);
  });

  test('PORT=abc is one line naming the variable, exit 2', () => {
    const r = runCli(['serve'], { env: { PORT: 'abc' } });
    assert.equal(r.code, 2);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.match(r.stderr, /^tradestore: PORT="abc" is invalid/);
  });

  test('--db overrides DATABASE_URL and a usage error exits 2', () => {
    const r = runCli(['--db', 'oracle://x', 'db', 'health']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--db "oracle:\/\/x" is invalid/);
    assert.equal(runCli(['db', 'no-such-command']).code, 2);
    assert.equal(runCli(['db', 'reset']).code, 2);
  });

  test(
    'an old Node prints the requirement and how to run it, exit 1, no stack trace',
    {
      skip: !existsSync('/usr/bin/node') && 'no system node',
    },
    () => {
      const version = spawnSync('/usr/bin/node', ['--version'], { encoding: 'utf8' }).stdout.trim();
      if (Number(version.slice(1).split('.')[0]) >= 22) return;
      const r = spawnSync('/usr/bin/node', [BIN, 'db', 'health'], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /needs Node\.js 22\.17\.0 or newer/);
      assert.match(r.stderr, /npx tradestore/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    },
  );

  test('db health --json on an empty SQLite file reports pending migrations', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-cli-'));
    // Only `migrate up`, `serve` and `db restore` create a database file (test/cli/db-open.test.ts).
    writeFileSync(join(dir, 'x.db'), '');
    const r = runCli(['db', 'health', '--json'], {
      env: { DATABASE_URL: `sqlite:${join(dir, 'x.db')}` },
      cwd: dir,
    });
    assert.equal(r.code, 0, r.stderr);
    const h = JSON.parse(r.stdout);
    assert.equal(h.status, 'healthy');
    assert.equal(h.dialect, 'sqlite');
    assert.equal(h.schema_version, null);
    assert.ok(h.pending_migrations >= 1);
    assert.equal(typeof h.latency_ms, 'number');
  });
});
