import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildApp } from '../../src/api/app.ts';
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

  test('503 when the database is unreachable', async () => {
    const other = await ctx.reopen();
    const app = buildApp({ store: other, config: { LOG_LEVEL: 'silent' } });
    await other.close();
    const res = await app.inject({ method: 'GET', url: '/health' });
    assert.equal(res.statusCode, 503);
    assert.equal(res.json().status, 'unhealthy');
    await app.close();
  });
});
