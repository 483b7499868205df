/**
 * A command loads only what it runs: `--help` and `--version` nothing but the argument parser,
 * `db health` on SQLite neither the ORM nor the PostgreSQL driver nor the HTTP server. Asserted from
 * the modules the real binary resolves (test/support/record-loads.ts); the time it takes is
 * bench/startup.ts's business, never a test's.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { type CliResult, runCli } from '../support/cli.ts';

const RECORDER = resolve(import.meta.dirname, '../support/record-loads.ts');

/** Runs the binary and returns its result with the npm packages it loaded. */
function runRecorded(args: string[]): CliResult & { packages: Set<string> } {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-loads-'));
  const file = join(dir, 'loads.txt');
  const result = runCli(args, {
    env: {
      TRADESTORE_RECORD_LOADS: file,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import ${RECORDER}`.trim(),
    },
  });
  const urls = readFileSync(file, 'utf8').split('\n');
  const packages = new Set<string>();
  for (const url of urls) {
    const match = /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
    if (match) packages.add(match[1]!);
  }
  return { ...result, packages };
}

const HEAVY = [
  '@mikro-orm/core',
  '@mikro-orm/sql',
  '@mikro-orm/postgresql',
  'kysely',
  'pg',
  'fastify',
  'pino',
];
// What parsing the command line, its flags and the configuration needs (commander, zod schemas,
// decimal.js for exact flag values), and nothing else.
const PARSING = new Set(['commander', 'zod', 'decimal.js']);

describe('start-up loads only what the command runs', () => {
  it('--version prints the version of package.json', () => {
    const pkg = JSON.parse(readFileSync(resolve(import.meta.dirname, '../../package.json'), 'utf8')) as {
      version: string;
    };
    const r = runRecorded(['--version']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), pkg.version);
    assert.deepEqual(
      [...r.packages].filter((p) => !PARSING.has(p)),
      [],
    );
  });

  it('--help loads the argument parser and its schemas, no database, ORM or server package', () => {
    const r = runRecorded(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /db\b.*database operations/);
    assert.match(r.stdout, /--version/);
    assert.deepEqual(
      [...r.packages].filter((p) => !PARSING.has(p)),
      [],
    );
  });

  it('db health on a SQLite file loads no ORM, Kysely, pg or Fastify; db counts still gets the ORM', () => {
    const db = `sqlite:${join(mkdtempSync(join(tmpdir(), 'tradestore-startup-')), 'health.db')}`;
    assert.equal(runCli(['--db', db, 'migrate', 'up', '--no-backup']).code, 0);
    const health = runRecorded(['--db', db, 'db', 'health', '--json']);
    assert.equal(health.code, 0, health.stderr);
    const report = JSON.parse(health.stdout) as { status: string; pending_migrations: number };
    assert.equal(report.status, 'healthy');
    assert.equal(report.pending_migrations, 0);
    assert.deepEqual(
      HEAVY.filter((p) => health.packages.has(p)),
      [],
    );
    // The recorder sees the ORM when a command does need it: the assertion above can fail.
    const counts = runRecorded(['--db', db, 'db', 'counts', '--json']);
    assert.equal(counts.code, 0, counts.stderr);
    assert.ok(counts.packages.has('@mikro-orm/core'));
    assert.equal((JSON.parse(counts.stdout) as Record<string, { rows: number }>).candles?.rows, 0);
  });
});
