/**
 * Credentials and the security basics: tampered, expired, wrong-secret and alg:none tokens are
 * 401; refresh rotates and a reused refresh token ends the login; API key scopes and portfolio
 * limits; a deleted key stops at once; JSON numbers for money are 400; injection strings are
 * stored verbatim; a 2 MiB body is 413; the eleventh login attempt in a minute is 429; and no
 * token, key or password reaches the log.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { decodeJwt, SignJWT } from 'jose';
import { inTransaction } from '../../src/db/transaction.ts';
import { eachDialect } from '../support/dialects.ts';
import { buildScenario, type Scenario } from './scenario.ts';
import { rowCounts, SECRET, testApi, type TestApi } from './support.ts';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

eachDialect('HTTP credentials and security', (ctx) => {
  let api: TestApi;
  let world: Scenario;
  const secrets: string[] = [];
  before(async () => {
    api = testApi(ctx.store);
    world = await buildScenario(api);
    secrets.push(...Object.values(world.tokens), 'correct horse battery');
  });
  after(() => api.close());

  const me = (token: string) => api.call('GET', '/auth/me', { token });

  test('a valid token works; no credentials is 401', async () => {
    assert.equal((await me(world.tokens.owner)).status, 200);
    const r = await api.call('GET', '/portfolios');
    assert.equal(r.status, 401);
    assert.equal(r.body.error.code, 'unauthenticated');
  });

  test('tampered, expired, wrong-secret and alg:none tokens are 401', async () => {
    const [h, p, s] = world.tokens.owner.split('.');
    const claims = JSON.parse(Buffer.from(p!, 'base64url').toString());
    const tampered = `${h}.${b64({ ...claims, sub: String(world.userIds.other) })}.${s}`;
    const now = Math.floor(Date.now() / 1000);
    const sign = (key: string, exp: number) =>
      new SignJWT({ typ: 'access', sid: claims.sid })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.sub)
        .setIssuer('tradestore')
        .setIssuedAt(now - 3600)
        .setExpirationTime(exp)
        .sign(new TextEncoder().encode(key));
    const expired = await sign(SECRET, now - 60);
    const wrongSecret = await sign('another-secret-another-secret-0123456789', now + 600);
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const valid = await sign(SECRET, now + 600);
    assert.equal((await me(valid)).status, 200, 'the same claims signed properly are accepted');
    for (const [name, token] of Object.entries({
      tampered,
      expired,
      wrongSecret,
      none,
      garbage: 'abc.def',
    })) {
      const r = await me(token);
      assert.equal(r.status, 401, `${name}: ${r.text}`);
      assert.equal(r.body.error.message, 'invalid or expired credentials', name);
    }
  });

  test('refresh rotates; a reused refresh token revokes the whole login', async () => {
    const first = await api.login('owner@example.com', 'correct horse battery');
    const r1 = await api.call('POST', '/auth/refresh', { body: { refresh_token: first.refresh } });
    assert.equal(r1.status, 200, r1.text);
    assert.notEqual(r1.body.refresh_token, first.refresh);
    assert.equal(r1.body.token_type, 'bearer');
    assert.equal(r1.body.expires_in, 900);
    assert.equal((await me(r1.body.access_token)).status, 200);
    // The spent token again: 401, and the new pair of the same login dies with it.
    const reuse = await api.call('POST', '/auth/refresh', { body: { refresh_token: first.refresh } });
    assert.equal(reuse.status, 401);
    assert.equal((await me(r1.body.access_token)).status, 401);
    assert.equal((await me(first.access)).status, 401);
    const again = await api.call('POST', '/auth/refresh', { body: { refresh_token: r1.body.refresh_token } });
    assert.equal(again.status, 401);
    // Other logins of the same user are untouched.
    assert.equal((await me(world.tokens.owner)).status, 200);
  });

  test('logout revokes the refresh token and the login', async () => {
    const s = await api.login('owner@example.com', 'correct horse battery');
    assert.equal(
      (await api.call('POST', '/auth/logout', { body: { refresh_token: s.refresh } })).status,
      204,
    );
    assert.equal(
      (await api.call('POST', '/auth/refresh', { body: { refresh_token: s.refresh } })).status,
      401,
    );
    assert.equal((await me(s.access)).status, 401);
  });

  test('a login revoked or a user deactivated by another process stops its token on the next request', async () => {
    // The server keeps a token's principal while nothing has committed (sessions.ts): a commit
    // from another connection (a CLI, another server) must end that at once, like one of its own.
    const s = await api.login('owner@example.com', 'correct horse battery');
    assert.equal((await me(s.access)).status, 200);
    assert.equal((await me(s.access)).status, 200);
    const other = await ctx.reopen();
    try {
      await inTransaction(other, (tx) =>
        tx.run('update auth_sessions set revoked_at = ? where id = ?', [
          tx.time(new Date()),
          Number(decodeJwt(s.access).sid),
        ]),
      );
      assert.equal((await me(s.access)).status, 401);
      const t = await api.login('viewer@example.com', 'correct horse battery');
      assert.equal((await me(t.access)).status, 200);
      await inTransaction(other, (tx) =>
        tx.run('update users set is_active = ? where email = ?', [tx.bool(false), 'viewer@example.com']),
      );
      assert.equal((await me(t.access)).status, 401);
      await inTransaction(other, (tx) =>
        tx.run('update users set is_active = ? where email = ?', [tx.bool(true), 'viewer@example.com']),
      );
      assert.equal((await me(t.access)).status, 200);
    } finally {
      await other.close();
    }
  });

  test('API keys: a read key cannot place an order; a key limited to one portfolio cannot see another', async () => {
    const second = await api.call('POST', '/portfolios', {
      token: world.tokens.owner,
      body: { name: 'Second', base_currency: 'USD', initial_balance: '500' },
    });
    const read = await api.call('POST', '/api-keys', {
      token: world.tokens.owner,
      body: { name: 'reader', scopes: ['read'] },
    });
    assert.equal(read.status, 201);
    assert.match(read.body.key, /^tsk_/);
    const order = {
      portfolio_id: world.ids.portfolios,
      asset_id: world.ids.assets,
      side: 'buy',
      type: 'limit',
      limit_price: '1',
      quantity: '1',
    };
    const counts = await rowCounts(ctx.store);
    const refused = await api.call('POST', '/orders', { token: read.body.key, body: order });
    assert.equal(refused.status, 403, refused.text);
    assert.deepEqual(await rowCounts(ctx.store), counts);
    assert.equal(
      (await api.call('GET', `/portfolios/${world.ids.portfolios}`, { token: read.body.key })).status,
      200,
    );

    const limited = await api.call('POST', '/api-keys', {
      token: world.tokens.owner,
      body: { name: 'bot', scopes: ['read', 'trade'], portfolio_ids: [world.ids.portfolios] },
    });
    assert.equal(
      (await api.call('GET', `/portfolios/${second.body.id}`, { token: limited.body.key })).status,
      404,
    );
    const listed = await api.call('GET', '/portfolios', { token: limited.body.key });
    assert.deepEqual(
      listed.body.data.map((p: { id: number }) => p.id),
      [world.ids.portfolios],
    );
    const placed = await api.call('POST', '/orders', { token: limited.body.key, body: order });
    assert.equal(placed.status, 201, placed.text);
    const keys = await api.call('GET', '/api-keys', { token: world.tokens.owner });
    const used = keys.body.data.find((k: { id: number }) => k.id === limited.body.id);
    assert.ok(used.last_used_at, 'last_used_at is kept');
    assert.equal(used.key, undefined, 'the key itself is never listed');
    const stored = await ctx.store.kysely
      .selectFrom('api_keys')
      .selectAll()
      .where('id', '=', limited.body.id)
      .executeTakeFirst();
    assert.doesNotMatch(
      JSON.stringify(stored),
      new RegExp(limited.body.key.slice(4)),
      'only a hash is stored',
    );
  });

  test('a deleted key stops working at once', async () => {
    const k = await api.call('POST', '/api-keys', {
      token: world.tokens.owner,
      body: { name: 'short', scopes: ['read'] },
    });
    assert.equal((await me(k.body.key)).status, 200);
    assert.equal(
      (await api.call('DELETE', `/api-keys/${k.body.id}`, { token: world.tokens.owner })).status,
      204,
    );
    assert.equal((await me(k.body.key)).status, 401);
  });

  test('a viewer cannot mint a trade key, and nobody an admin key without the role', async () => {
    const v = await api.call('POST', '/api-keys', {
      token: world.tokens.viewer,
      body: { name: 'x', scopes: ['trade'] },
    });
    assert.equal(v.status, 403);
    const t = await api.call('POST', '/api-keys', {
      token: world.tokens.owner,
      body: { name: 'x', scopes: ['admin'] },
    });
    assert.equal(t.status, 403);
  });

  test('money as a JSON number is a 400 naming the field; nothing is written', async () => {
    const counts = await rowCounts(ctx.store);
    const r = await api.call('POST', '/orders', {
      token: world.tokens.owner,
      body: { portfolio_id: world.ids.portfolios, asset_id: world.ids.assets, side: 'buy', quantity: 0.1 },
    });
    assert.equal(r.status, 400);
    assert.equal(r.body.error.code, 'invalid_input');
    assert.deepEqual(
      r.body.error.details.map((d: { path: string }) => d.path),
      ['body.quantity'],
    );
    assert.deepEqual(await rowCounts(ctx.store), counts);
  });

  test('injection strings in string fields are stored and returned verbatim', async () => {
    const nasty = [
      "'; drop table trades;--",
      '<script>alert(1)</script>',
      'ünïcødé 🚀 日本語 \u202e\ud83d\ude00 "q" \\',
      'x'.repeat(10_000),
    ];
    for (const [i, text] of nasty.entries()) {
      const name = `${text.slice(0, 200)} ${i}`;
      const p = await api.call('POST', '/portfolios', {
        token: world.tokens.owner,
        body: {
          name,
          description: text,
          strategy_type: text.slice(0, 100),
          base_currency: 'USD',
          initial_balance: '1',
        },
      });
      assert.equal(p.status, 201, p.text.slice(0, 300));
      const back = await api.call('GET', `/portfolios/${p.body.id}`, { token: world.tokens.owner });
      assert.equal(back.body.name, name);
      assert.equal(back.body.description, text);
      const sig = await api.call('POST', '/signals', {
        token: world.tokens.owner,
        body: {
          portfolio_id: p.body.id,
          strategy_id: world.ids.strategies,
          asset_id: world.ids.assets,
          action: 'hold',
          price: '1',
          confidence: 0.5,
          reason: text,
          components: { [text.slice(0, 50)]: text },
        },
      });
      assert.equal(sig.status, 201, sig.text.slice(0, 300));
      assert.equal(sig.body.signal.reason, text);
      assert.deepEqual(sig.body.signal.components, { [text.slice(0, 50)]: text });
    }
    // NUL cannot be stored in PostgreSQL text: refused up front on both databases, nothing written.
    const counts = await rowCounts(ctx.store);
    const nul = await api.call('POST', '/portfolios', {
      token: world.tokens.owner,
      body: { name: 'a\u0000b', base_currency: 'USD', initial_balance: '1' },
    });
    assert.equal(nul.status, 400, nul.text);
    assert.equal(nul.body.error.details[0].path, 'body.name');
    assert.deepEqual(await rowCounts(ctx.store), counts);
    const trades = await ctx.store.kysely
      .selectFrom('trades')
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    assert.ok(Number(trades!.n) >= 1, 'trades is still there');
  });

  test('a 2 MiB body is 413 with the error shape', async () => {
    const r = await api.call('POST', '/portfolios', {
      token: world.tokens.owner,
      raw: JSON.stringify({ name: 'big', description: 'x'.repeat(2 * 1024 * 1024), initial_balance: '1' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(r.status, 413, r.text.slice(0, 200));
    assert.equal(r.body.error.code, 'payload_too_large');
  });

  test('security headers, request ids, CORS off, and no internals in errors', async () => {
    const r = await api.call('GET', '/health', {
      headers: { 'x-request-id': 'req-123', origin: 'https://evil.example' },
    });
    assert.equal(r.headers['x-request-id'], 'req-123');
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.ok(r.headers['content-security-policy']);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
    const home = await api.call('GET', '/');
    assert.equal(home.status, 200);
    assert.match(home.text, /href="\/docs"/);
    const missing = await api.call('GET', '/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error.code, 'not_found');
  });

  test('the eleventh login attempt in a minute is 429', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 11; i += 1)
      statuses.push(
        (
          await api.call('POST', '/auth/login', {
            body: { email: 'victim@example.com', password: `guess-${i}-wrong` },
          })
        ).status,
      );
    assert.deepEqual(statuses.slice(0, 10), Array(10).fill(401));
    assert.equal(statuses[10], 429);
  });

  test('no token, key or password is ever written to the log', async () => {
    const key = await api.call('POST', '/api-keys', {
      token: world.tokens.owner,
      body: { name: 'logged?', scopes: ['read'] },
    });
    await me(key.body.key);
    const pair = await api.login('owner@example.com', 'correct horse battery');
    await api.call('POST', '/auth/refresh', { body: { refresh_token: pair.refresh } });
    const log = api.log.join('');
    assert.ok(log.includes('request_id') || log.includes('reqId'), 'requests are logged with their id');
    for (const s of [...secrets, key.body.key, pair.access, pair.refresh, SECRET, 'guess-3-wrong'])
      assert.ok(!log.includes(s), `the log contains a secret (${s.slice(0, 12)}…)`);
  });
});
