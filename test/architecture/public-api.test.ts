/**
 * The public surface is a visible diff: builds the package as `npm run build` does (same
 * tsconfig.build.json, into a scratch folder), imports the built `index.js` and reads the built
 * `index.d.ts`, and compares every export with test/architecture/public-api.txt. After a deliberate
 * change, regenerate the list with `UPDATE_PUBLIC_API=1 node --test test/architecture/public-api.test.ts`.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';

const ROOT = join(import.meta.dirname, '../..');
const LIST = join(import.meta.dirname, 'public-api.txt');

// Inside the repository so the built files resolve their dependencies from node_modules/.
mkdirSync(join(ROOT, 'node_modules/.cache'), { recursive: true });
const outDir = mkdtempSync(join(ROOT, 'node_modules/.cache/public-api-'));
after(() => rmSync(outDir, { recursive: true, force: true }));

/** Every name the declaration file exports (values and types). */
function declaredExports(dts: string): string[] {
  const program = ts.createProgram([dts], { noEmit: true, skipLibCheck: true });
  const checker = program.getTypeChecker();
  const module = checker.getSymbolAtLocation(program.getSourceFile(dts)!)!;
  return checker.getExportsOfModule(module).map((s) => s.name);
}

test('the built package exports exactly the committed list', { timeout: 240_000 }, async () => {
  execFileSync(
    join(ROOT, 'node_modules/.bin/tsc'),
    ['-p', join(ROOT, 'tsconfig.build.json'), '--outDir', outDir],
    {
      cwd: ROOT,
      stdio: 'pipe',
    },
  );
  const built = await import(pathToFileURL(join(outDir, 'index.js')).href);
  const values = new Set(Object.keys(built));
  const all = declaredExports(join(outDir, 'index.d.ts'));
  for (const v of values) assert.ok(all.includes(v), `${v} is exported at runtime but not declared`);
  const actual = [
    ...[...values].map((n) => `value ${n}`),
    ...all.filter((n) => !values.has(n)).map((n) => `type ${n}`),
  ].sort((a, b) => (a.split(' ')[1]! < b.split(' ')[1]! ? -1 : 1));
  if (process.env.UPDATE_PUBLIC_API === '1') writeFileSync(LIST, `${actual.join('\n')}\n`);
  const expected = readFileSync(LIST, 'utf8').trim().split('\n');
  const added = actual.filter((l) => !expected.includes(l));
  const removed = expected.filter((l) => !actual.includes(l));
  assert.deepEqual({ added, removed }, { added: [], removed: [] }, 'the public API changed');
  // Internals stay inside: nothing that takes the internal Tx or maps raw rows.
  for (const name of values) {
    assert.doesNotMatch(name, /(In|FromRow)$|^(appendDecision|loadTradeIdea|loadOrder|loadPortfolio)$/, name);
  }
  assert.equal(typeof built.openStore, 'function');
  assert.equal(new built.NotFoundError('x').code, 'not_found');
});

test('src/index.ts names every export (no export *)', () => {
  const source = readFileSync(join(ROOT, 'src/index.ts'), 'utf8');
  assert.doesNotMatch(source, /export \*/);
});
