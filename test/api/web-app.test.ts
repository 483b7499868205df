/**
 * The web app beside the API (src/api/web-app.ts), on a fixture build: `/` and every `/app/…` page
 * answer with index.html (no-cache), hashed files are immutable, a missing file is the API's 404,
 * and no app route shadows an API route (`/strategies` is both a page and a resource). No data is
 * touched: one in-memory SQLite store, no migrations.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { openStore, type Store } from '../../src/db/store.ts';

const INDEX =
  '<!doctype html><title>fixture</title><script type="module" src="/app/static/main-AbC123.js"></script><a href="/docs">API docs</a>';
let dir: string;
let store: Store;
let app: FastifyInstance;
let bare: FastifyInstance;

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tradestore-web-'));
  mkdirSync(join(dir, 'static'));
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'static', 'main-AbC123.js'), 'console.log("app")');
  store = await openStore('sqlite::memory:');
  const config = { LOG_LEVEL: 'silent' as const, SECRET_KEY: 'x'.repeat(32) };
  app = buildApp({ store, config, webRoot: dir });
  bare = buildApp({ store, config, webRoot: join(dir, 'not-built') });
});

after(async () => {
  await app.close();
  await bare.close();
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

test('/ and every /app/ page answer with index.html, never cached', async () => {
  for (const url of ['/', '/app/', '/app/market', '/app/tables/trades', '/app/trades/7/chain?x=1']) {
    const r = await app.inject({ method: 'GET', url });
    assert.equal(r.statusCode, 200, url);
    assert.equal(r.body, INDEX, url);
    assert.match(String(r.headers['content-type']), /^text\/html/, url);
    assert.equal(r.headers['cache-control'], 'no-cache', url);
  }
  const bareApp = await app.inject({ method: 'GET', url: '/app' });
  assert.equal(bareApp.statusCode, 302);
  assert.equal(bareApp.headers.location, '/app/');
});

test('hashed files are immutable; a missing one is a JSON 404, not the page', async () => {
  const js = await app.inject({ method: 'GET', url: '/app/static/main-AbC123.js' });
  assert.equal(js.statusCode, 200);
  assert.equal(js.body, 'console.log("app")');
  assert.match(String(js.headers['content-type']), /javascript/);
  assert.equal(js.headers['cache-control'], 'public, max-age=31536000, immutable');
  const missing = await app.inject({ method: 'GET', url: '/app/static/gone-XyZ.js' });
  assert.equal(missing.statusCode, 404);
  assert.equal(missing.json().error.code, 'not_found');
  // Nothing outside the build is reachable through the static prefix.
  for (const url of ['/app/static/..%2f..%2fpackage.json', '/app/static/%2e%2e/%2e%2e/package.json']) {
    const escape = await app.inject({ method: 'GET', url });
    assert.ok([400, 403, 404].includes(escape.statusCode), `${url}: ${escape.statusCode}`);
    assert.doesNotMatch(escape.body, /"devDependencies"/);
  }
});

test('the API, /docs, /openapi.json and /health are not shadowed by the app', async () => {
  const strategies = await app.inject({ method: 'GET', url: '/strategies' });
  assert.equal(strategies.statusCode, 401);
  assert.equal(strategies.json().error.code, 'unauthenticated');
  const doc = await app.inject({ method: 'GET', url: '/openapi.json' });
  assert.equal(doc.statusCode, 200);
  assert.equal(doc.json().openapi, '3.1.0');
  const docs = await app.inject({ method: 'GET', url: '/docs' });
  assert.ok([200, 302].includes(docs.statusCode));
  assert.doesNotMatch(docs.body, /fixture/);
  const nope = await app.inject({ method: 'GET', url: '/nope' });
  assert.equal(nope.statusCode, 404);
  assert.equal(nope.json().error.code, 'not_found');
});

test("the page's CSP allows its own scripts, styles, fetch and EventSource and nothing from elsewhere", async () => {
  const r = await app.inject({ method: 'GET', url: '/app/market' });
  const csp = String(r.headers['content-security-policy']);
  const directive = (name: string) =>
    csp
      .split(';')
      .find((d) => d.trim().startsWith(`${name} `))
      ?.trim();
  assert.equal(directive('default-src'), "default-src 'self'");
  assert.equal(directive('script-src'), "script-src 'self'");
  assert.equal(directive('font-src'), "font-src 'self'");
  assert.equal(directive('connect-src'), undefined, 'connect-src falls back to default-src');
  assert.doesNotMatch(csp, /upgrade-insecure-requests/);
});

test('without a build, / still answers: how to build the app and the link to /docs', async () => {
  const r = await bare.inject({ method: 'GET', url: '/' });
  assert.equal(r.statusCode, 200);
  assert.match(r.body, /npm run build:web/);
  assert.match(r.body, /href="\/docs"/);
  const asset = await bare.inject({ method: 'GET', url: '/app/static/main-AbC123.js' });
  assert.equal(asset.statusCode, 404);
});
