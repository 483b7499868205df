/**
 * The OpenAPI document: generated from the same zod schemas the routes validate with, it passes
 * `@redocly/cli lint`, every route of the table is in it with its error responses, and the
 * committed document and TypeScript client types are what the code produces now.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { promisify } from 'node:util';
import { operationId } from '../../src/api/app.ts';
import { routes } from '../../src/api/routes/index.ts';
import { generate } from '../../scripts/openapi.ts';

const run = promisify(execFile);
const root = resolve(import.meta.dirname, '../..');

test('the generated OpenAPI 3.1 document passes redocly lint and lists every route with its errors', async () => {
  const { document } = await generate();
  const spec = JSON.parse(document);
  assert.equal(spec.openapi, '3.1.0');
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, '{$1}');
    const op = spec.paths[path]?.[r.method.toLowerCase()];
    assert.ok(op, `${r.method} ${r.url} is missing from the document`);
    assert.equal(op.operationId, operationId(r));
    for (const status of ['400', '401', '404', '500'])
      assert.ok(op.responses[status], `${r.method} ${r.url}: no ${status}`);
  }
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, document);
    const { stdout, stderr } = await run(
      process.execPath,
      [join(root, 'node_modules/@redocly/cli/bin/cli.js'), 'lint', file, '--format=stylish'],
      {
        cwd: dir,
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      },
    );
    assert.match(stdout + stderr, /valid/i);
    assert.doesNotMatch(stdout + stderr, /warning|error/i, stdout + stderr);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the committed document and client types are up to date (npm run generate:client)', async () => {
  await run(process.execPath, [join(root, 'scripts/openapi.ts'), '--check'], { cwd: root });
});

test('the server serves the same document at /openapi.json and the docs page at /docs', async () => {
  const { buildApp } = await import('../../src/api/app.ts');
  const { openStore } = await import('../../src/db/store.ts');
  const store = await openStore('sqlite::memory:');
  const app = buildApp({ store, config: { LOG_LEVEL: 'silent', SECRET_KEY: 'x'.repeat(32) } });
  try {
    const served = await app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(served.statusCode, 200);
    assert.deepEqual(served.json(), JSON.parse((await generate()).document));
    const docs = await app.inject({ method: 'GET', url: '/docs' });
    const page =
      docs.statusCode === 302
        ? await app.inject({ method: 'GET', url: docs.headers.location as string })
        : docs;
    assert.equal(page.statusCode, 200);
    assert.match(page.body, /swagger-ui/i);
  } finally {
    await app.close();
    await store.close();
  }
});
