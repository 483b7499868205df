/**
 * Configuration from the command line, as a user's shell runs it: no secret in any output, and
 * flags that stand for a variable checked by its schema before anything touches a database.
 */
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { pgServerUrl } from '../../src/db/scratch.ts';
import { PG_ENABLED } from '../support/dialects.ts';
import { type CliResult, runCli } from '../support/cli.ts';

const PASSWORD = 'S3cretPW';
const SECRET_KEY = 'sk-9f3c1e7a52b84d06a1c3e5f7092b4d6e8a0c2e4f';

const everything = (results: CliResult[]) => results.map((r) => `${r.stdout}\n${r.stderr}`).join('\n');

describe('secrets in messages', () => {
  test('no config error, connection error or stack trace shows a password or the secret key', () => {
    const results: CliResult[] = [];
    const run = (args: string[], env: Record<string, string>, code: number, names: RegExp) => {
      const r = runCli(args, { env: { LOG_LEVEL: 'debug', ...env } });
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, names, 'the message still says what is wrong');
      results.push(r);
    };
    // The two: a password URL with a valid secret key, and a secret key that is too short.
    run(
      ['db', 'health'],
      { DATABASE_URL: `mysql://admin:${PASSWORD}@db/x`, SECRET_KEY },
      2,
      /DATABASE_URL="mysql:\/\/admin:\*\*\*@db\/x" is invalid/,
    );
    run(['db', 'health'], { SECRET_KEY: PASSWORD }, 2, /SECRET_KEY \(8 characters, not shown\) is invalid/);
    // The same as a flag, and a URL that does not parse.
    run(['--db', `mysql://admin:${PASSWORD}@db/x`, 'db', 'health'], { SECRET_KEY }, 2, /--db "mysql:/);
    run(
      ['--db', `postgres://admin:${PASSWORD}@127.0.0.1:abc/x`, 'migrate', 'status'],
      { SECRET_KEY },
      2,
      /not a valid URL/,
    );
    // A value from .env.local is hidden the same way.
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-cli-'));
    results.push(runCli(['db', 'health'], { cwd: dir, env: { SECRET_KEY: `${PASSWORD}-x` } }));
    assert.equal(results.at(-1)!.code, 2);

    if (PG_ENABLED) {
      // The server refuses these (no such role, no such database): the drivers' own messages, the
      // health report and the debug stack trace all pass through the same masking.
      const noRole = `postgres://tradestore_no_such_role:${PASSWORD}@127.0.0.1:5432/test`;
      const noDb = `postgres://root:${PASSWORD}@127.0.0.1:5432/tradestore_no_such_db`;
      run(['--db', noRole, 'migrate', 'status'], { SECRET_KEY }, 1, /does not exist/);
      run(['--db', noDb, 'migrate', 'status'], { SECRET_KEY }, 1, /does not exist/);
      const health = runCli(['--db', noDb, 'db', 'health', '--json'], { env: { SECRET_KEY } });
      assert.equal(JSON.parse(health.stdout).status, 'unhealthy');
      results.push(health);
    }
    const all = everything(results);
    assert.ok(!all.includes(PASSWORD), `a password was shown:\n${all}`);
    assert.ok(!all.includes(SECRET_KEY), `the secret key was shown:\n${all}`);
    assert.ok(!all.includes(SECRET_KEY.slice(0, 12)));
  });
});

describe('secrets on command lines', () => {
  test(
    'pg_dump gets the password in PGPASSWORD, never in its argv (readable by every local user)',
    { skip: !PG_ENABLED && 'PostgreSQL not available' },
    () => {
      // A stand-in pg_dump first on PATH records what it was given, then fails like a refused login.
      const bin = mkdtempSync(join(tmpdir(), 'tradestore-fake-pg-'));
      const record = join(bin, 'record.txt');
      writeFileSync(
        join(bin, 'pg_dump'),
        `#!/bin/sh\n[ "$1" = "--version" ] && exit 0\nprintf '%s\\n' "$@" > ${record}\necho "PGPASSWORD=$PGPASSWORD" >> ${record}\necho 'pg_dump: error: connection failed' >&2\nexit 1\n`,
      );
      chmodSync(join(bin, 'pg_dump'), 0o755);
      const server = new URL(pgServerUrl());
      server.password = PASSWORD;
      const dir = mkdtempSync(join(tmpdir(), 'tradestore-cli-'));
      const r = runCli(['--db', server.toString(), 'db', 'backup', join(dir, 'b.dump')], {
        cwd: dir,
        env: { PATH: `${bin}:${process.env.PATH}` },
      });
      assert.equal(r.code, 1, r.stderr);
      const seen = readFileSync(record, 'utf8');
      const argv = seen.split('\n').filter((l) => !l.startsWith('PGPASSWORD='));
      assert.ok(
        argv.some((a) => a.startsWith('postgres')),
        seen,
      );
      assert.ok(!argv.join(' ').includes(PASSWORD), `the password was on pg_dump's command line:\n${seen}`);
      assert.match(seen, new RegExp(`PGPASSWORD=${PASSWORD}`));
      assert.ok(!`${r.stdout}${r.stderr}`.includes(PASSWORD));
    },
  );
});

describe('flags that stand for a variable', () => {
  test('a bad --port, --host or --db is a usage error (exit 2) before any database is opened', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-cli-'));
    const file = join(dir, 'never.db');
    for (const [args, message] of [
      [['serve', '--port', '70000'], /^tradestore: --port "70000" is invalid: accepted: a whole number/],
      [['serve', '--port', 'abc'], /^tradestore: --port "abc" is invalid/],
      [['serve', '--host', 'not a host'], /^tradestore: --host "not a host" is invalid/],
      [['db', 'prune', '--snapshot-days', '0'], /^tradestore: --snapshot-days "0" is invalid/],
    ] as const) {
      const r = runCli(['--db', `sqlite:${file}`, ...args], { cwd: dir });
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1);
      assert.equal(existsSync(file), false, `${args.join(' ')} opened the database`);
    }
    const r = runCli(['--db', '', 'db', 'health'], { cwd: dir });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--db is empty/);
  });

  test('a valid flag wins over a bad variable', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-cli-'));
    const url = `sqlite:${join(dir, 'x.db')}`;
    assert.equal(runCli(['--db', url, 'migrate', 'up'], { cwd: dir }).code, 0);
    const health = runCli(['--db', url, 'db', 'health', '--json'], {
      cwd: dir,
      env: { DATABASE_URL: `mysql://admin:${PASSWORD}@db/x` },
    });
    assert.equal(health.code, 0, health.stderr);
    assert.equal(JSON.parse(health.stdout).database, join(dir, 'x.db'));
    const prune = runCli(['--db', url, 'db', 'prune', '--dry-run', '--snapshot-days', '5', '--json'], {
      cwd: dir,
      env: { RETENTION_SNAPSHOT_DAYS: 'abc' },
    });
    assert.equal(prune.code, 0, prune.stderr);
    // Without the flag the bad variable still stops the command.
    const bad = runCli(['--db', url, 'db', 'prune', '--dry-run'], {
      cwd: dir,
      env: { RETENTION_SNAPSHOT_DAYS: 'abc' },
    });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /RETENTION_SNAPSHOT_DAYS="abc" is invalid/);
  });
});
