/** `tradestore import legacy` and `import freqtrade-db` from the shell: reports, re-runs, exit codes. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { before, test } from 'node:test';
import { createUser } from '../../src/accounts/users.ts';
import { buildFreqtradeDb } from '../fixtures/freqtrade/build-tradesv3.ts';
import { runCli } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

const LEGACY = resolve(import.meta.dirname, '../fixtures/legacy');

eachDialect('tradestore import legacy / freqtrade-db', (ctx) => {
  before(async () => {
    await createUser(ctx.store, {
      email: 'a@example.com',
      password: 'correct horse battery',
      role: 'trader',
    });
    await createUser(ctx.store, {
      email: 'b@example.com',
      password: 'correct horse battery',
      role: 'trader',
    });
  });

  test('two users and no admin: --owner is required, and names the owner', () => {
    const refused = runCli(['--db', ctx.url, 'import', 'legacy', LEGACY, '--portfolio', 'owned']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /needs an owner: pass --owner <email>/);
    const owned = runCli([
      '--db',
      ctx.url,
      'import',
      'legacy',
      LEGACY,
      '--portfolio',
      'owned',
      '--owner',
      'B@example.com',
      '--json',
    ]);
    assert.equal(owned.code, 0, owned.stderr);
    assert.equal(JSON.parse(owned.stdout).portfolio.created, true);
  });

  test('legacy: --dry-run --json writes nothing; the run prints the per-file table; a re-run imports 0', () => {
    const before = runCli(['--db', ctx.url, 'db', 'counts', '--json']);
    const dry = runCli(['--db', ctx.url, 'import', 'legacy', LEGACY, '--dry-run', '--json']);
    assert.equal(dry.code, 0, dry.stderr);
    const report = JSON.parse(dry.stdout);
    assert.equal(report.dryRun, true);
    assert.equal(report.portfolio.id, null);
    const counts = runCli(['--db', ctx.url, 'db', 'counts', '--json']);
    assert.equal(counts.code, 0, counts.stderr);
    assert.equal(counts.stdout, before.stdout, 'the dry run wrote');

    const first = runCli([
      '--db',
      ctx.url,
      'import',
      'legacy',
      LEGACY,
      '--portfolio',
      'cli bot',
      '--owner',
      'a@example.com',
    ]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /^trades\.csv\s+14\s+8\s+3\s+6\s+0$/m);
    assert.match(first.stdout, /trades\.csv line 10: skipped: action: "hold" is not buy or sell/);
    assert.notEqual(runCli(['--db', ctx.url, 'db', 'counts', '--json']).stdout, counts.stdout);

    const second = runCli(['--db', ctx.url, 'import', 'legacy', LEGACY, '--portfolio', 'cli bot']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^trades\.csv\s+14\s+0\s+0\s+6\s+8$/m);
    assert.match(second.stdout, /^signals\.json\s+7\s+0\s+0\s+3\s+4$/m);
  });

  test('legacy: usage errors exit 2, a bad rules file exits 1 naming it', () => {
    assert.equal(runCli(['--db', ctx.url, 'import', 'legacy', '/nonexistent/dir']).code, 2);
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-rules-'));
    const rules = join(dir, 'rules.json');
    writeFileSync(rules, '{"trades": [{"field": "amount", "op": "between", "value": 1}]}');
    const bad = runCli(['--db', ctx.url, 'import', 'legacy', LEGACY, '--rules', rules]);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /rules\.json: invalid test-data rules: trades\[0\]\.op/);
  });

  test('freqtrade-db: --json report, a second run imports 0, not a freqtrade file exits 1', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-ftcli-'));
    const file = join(dir, 'tradesv3.sqlite');
    buildFreqtradeDb(file);
    const first = runCli([
      '--db',
      ctx.url,
      'import',
      'freqtrade-db',
      file,
      '--json',
      '--owner',
      'a@example.com',
    ]);
    assert.equal(first.code, 0, first.stderr);
    const report = JSON.parse(first.stdout);
    assert.deepEqual(
      report.files.map((f: { file: string; imported: number }) => [f.file, f.imported]),
      [
        ['trades', 4],
        ['orders', 11],
        ['pairlocks+KeyValueStore', 3],
      ],
    );
    const second = runCli(['--db', ctx.url, 'import', 'freqtrade-db', file]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /^trades\s+4\s+0\s+0\s+0\s+4$/m);
    assert.match(second.stdout, /^orders\s+11\s+0\s+0\s+0\s+11$/m);

    assert.equal(runCli(['--db', ctx.url, 'import', 'freqtrade-db', join(dir, 'missing.sqlite')]).code, 2);
    const empty = join(dir, 'empty.sqlite');
    writeFileSync(empty, '');
    const notFreqtrade = runCli(['--db', ctx.url, 'import', 'freqtrade-db', empty]);
    assert.equal(notFreqtrade.code, 1);
    assert.match(notFreqtrade.stderr, /empty\.sqlite: no trades table: not a freqtrade database/);
  });
});
