/**
 * `tradestore users create`: the password from stdin, or a generated one printed once; the user
 * can then log in over HTTP; a bad role is a usage error and creates nothing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { testApi } from '../api/support.ts';
import { spawnCli } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('tradestore users create', (ctx) => {
  test('password from stdin; the user logs in with it', async () => {
    const r = await spawnCli(
      ['--db', ctx.url, 'users', 'create', '--email', 'Ops@Example.com', '--role', 'admin'],
      {
        stdin: 'stdin pass phrase\n',
      },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /created user \d+ ops@example\.com \(admin\)/);
    assert.doesNotMatch(r.stdout, /password|stdin pass phrase/, 'a given password is never printed');
    const api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    const { access } = await api.login('ops@example.com', 'stdin pass phrase');
    assert.equal((await api.call('GET', '/auth/me', { token: access })).body.role, 'admin');
    await api.close();
  });

  test('no stdin: a generated password is printed once and works', async () => {
    const r = await spawnCli([
      '--db',
      ctx.url,
      'users',
      'create',
      '--email',
      'bot@example.com',
      '--role',
      'trader',
      '--json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.equal(out.role, 'trader');
    assert.ok(out.password.length >= 20);
    const api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    await api.login('bot@example.com', out.password);
    await api.close();
  });

  test('a bad role or a taken email refuses and creates nothing', async () => {
    const bad = await spawnCli([
      '--db',
      ctx.url,
      'users',
      'create',
      '--email',
      'x@example.com',
      '--role',
      'root',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--role root: accepted: admin, trader, viewer/);
    const taken = await spawnCli(['--db', ctx.url, 'users', 'create', '--email', 'bot@example.com'], {
      stdin: 'another pass\n',
    });
    assert.equal(taken.code, 1);
    assert.match(taken.stderr, /already exists/);
    const n = await ctx.store.kysely
      .selectFrom('users')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    assert.equal(Number(n!.n), 2);
  });

  test('--time-zone stores the canonical IANA name; a non-zone is a usage error that creates nothing', async () => {
    const r = await spawnCli(
      [
        '--db',
        ctx.url,
        'users',
        'create',
        '--email',
        'tz@example.com',
        '--time-zone',
        'asia/tokyo',
        '--json',
      ],
      { stdin: 'zone pass phrase\n' },
    );
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).time_zone, 'Asia/Tokyo');
    const bad = await spawnCli(
      ['--db', ctx.url, 'users', 'create', '--email', 'tz2@example.com', '--time-zone', '+05:30'],
      { stdin: 'zone pass phrase\n' },
    );
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /--time-zone "\+05:30" is not an IANA time zone/);
    const rows = await ctx.store.kysely
      .selectFrom('users')
      .select(['email', 'time_zone'])
      .where('email', 'like', 'tz%')
      .execute();
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [{ email: 'tz@example.com', time_zone: 'Asia/Tokyo' }],
    );
  });
});
