/** Issue #9 item 13: one checksum rule: a comment-only edit of an applied migration fails status, up, down and check alike. */
import assert from 'node:assert/strict';
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { readMigrations } from '../../src/migrate/files.ts';
import { spawnCli } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';
import { copyMigrations } from '../support/migrations-copy.ts';

eachDialect('the checksum rule', (ctx) => {
  let copy: ReturnType<typeof copyMigrations>;
  before(() => {
    copy = copyMigrations();
  });
  after(() => copy.restore());

  test('a comment-only edit of an applied migration is refused by status, up, down and check', async () => {
    const env = { TRADESTORE_MIGRATIONS_DIR: copy.root };
    const clean = await spawnCli(['--db', ctx.url, 'migrate', 'check'], { env });
    assert.equal(clean.code, 0, clean.stderr);
    const applied = readMigrations(ctx.dialect, copy.root)[0]!;
    appendFileSync(join(copy.root, ctx.dialect, `${applied.name}.sql`), '\n-- only a comment\n');
    const runs = await Promise.all(
      [['status'], ['up'], ['down'], ['check', '--json']].map((args) =>
        spawnCli(['--db', ctx.url, 'migrate', ...args], { env }),
      ),
    );
    for (const r of runs) assert.equal(r.code, 1, r.stdout + r.stderr);
    for (const r of runs.slice(1, 3))
      assert.match(r.stderr, new RegExp(`migration ${applied.name} was edited after it was applied`));
    const check = JSON.parse(runs[3]!.stdout);
    assert.equal(check.ok, false);
    assert.equal(check.edited.length, 1);
    assert.match(check.edited[0], new RegExp(`migration ${applied.name} was edited after it was applied`));
  });
});
