import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
import { openStore } from '../../src/db/store.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('GET /health', (ctx) => {
  test('200 with the health document while the database answers', async () => {
    const app = buildApp({ store: ctx.store, config: { LOG_LEVEL: 'silent' } });
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.status, 'healthy');
    assert.equal(body.dialect, ctx.dialect);
    assert.equal(body.pending_migrations, 0);
    assert.ok(body.schema_version);
    assert.doesNotMatch(JSON.stringify(body), /password|:\/\/[^/]*:[^/]*@/);
    await app.close();
  });
});

// "Unreachable" is a server's failure: nothing listens on port 1, as when PostgreSQL is down.
test('GET /health answers 503 while the database server is unreachable', async () => {
  const store = await openStore('postgres://root:secret@127.0.0.1:1/tradestore');
  const app = buildApp({ store, config: { LOG_LEVEL: 'silent' } });
  const res = await app.inject({ method: 'GET', url: '/health' });
  assert.equal(res.statusCode, 503);
  assert.equal(res.json().status, 'unhealthy');
  assert.match(res.json().error, /ECONNREFUSED/);
  assert.doesNotMatch(res.body, /secret/);
  await app.close();
  await store.close();
});
