import assert from 'node:assert/strict';
import { test } from 'node:test';
import { migrationState } from '../../src/migrate/runner.ts';
import type { Health } from '../../src/operations/inspect.ts';
import { runCli, startServe, stopServe } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect(
  'tradestore serve',
  (ctx) => {
    test('a bad --port stops serve before it migrates; a good one wins over a bad PORT and HOST', async () => {
      // Runs first: nothing is applied yet.
      assert.equal((await migrationState(ctx.store)).applied.length, 0);
      for (const port of ['70000', 'abc']) {
        const r = runCli(['--db', ctx.url, 'serve', '--port', port]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(`^tradestore: --port "${port}" is invalid: accepted: a whole number`),
        );
      }
      assert.equal((await migrationState(ctx.store)).applied.length, 0, 'serve --port 70000 migrated');

      const up = await startServe(
        ctx.url,
        { PORT: '70000', HOST: 'not a host', MIGRATE_ON_START: 'false' },
        { flags: true },
      );
      assert.equal((await fetch(`${up.base}/health`)).status, 200);
      assert.equal(await stopServe(up.child), 0);
    });

    test('MIGRATE_ON_START=false leaves migrations pending; the default applies them; SIGTERM exits 0', async () => {
      const off = await startServe(ctx.url, { MIGRATE_ON_START: 'false' });
      const pending = (await (await fetch(`${off.base}/health`)).json()) as Health;
      assert.equal(pending.schema_version, null);
      assert.ok(pending.pending_migrations >= 1);
      assert.equal(await stopServe(off.child), 0);

      const on = await startServe(ctx.url, {});
      const res = await fetch(`${on.base}/health`);
      assert.equal(res.status, 200);
      const migrated = (await res.json()) as Health;
      assert.equal(migrated.pending_migrations, 0);
      assert.ok(migrated.schema_version);
      assert.equal(await stopServe(on.child), 0);
    });
  },
  { migrate: false },
);

test('NODE_ENV=production: serve refuses to start without a SECRET_KEY of 32+ bytes, before touching the database', async () => {
  const { mkdtempSync, existsSync, rmSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { spawnCli } = await import('../support/cli.ts');
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-secret-'));
  try {
    const db = join(dir, 'prod.db');
    const env = { NODE_ENV: 'production', SECRET_KEY: '', LOG_LEVEL: 'silent' };
    const missing = await spawnCli(['--db', `sqlite:${db}`, 'serve', '--port', '0'], { env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /SECRET_KEY is required with NODE_ENV=production/);
    assert.equal(existsSync(db), false, 'no database was created or migrated');
    const short = await spawnCli(['--db', `sqlite:${db}`, 'serve', '--port', '0'], {
      env: { ...env, SECRET_KEY: 'x'.repeat(31) },
    });
    assert.equal(short.code, 2);
    assert.match(short.stderr, /SECRET_KEY/);
    assert.doesNotMatch(short.stderr, /x{31}/, 'the rejected secret is not echoed');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
