/**
 * The repository explains its own schema: docs/domain.md names every table the entities define,
 * and nothing in src/ points at a document outside the repository.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const ROOT = join(import.meta.dirname, '../..');
const doc = readFileSync(join(ROOT, 'docs/domain.md'), 'utf8');

function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );
}

test('docs/domain.md describes every table of src/entities', () => {
  const tables = files(join(ROOT, 'src/entities')).flatMap((f) =>
    [...readFileSync(f, 'utf8').matchAll(/tableName: '([a-z_]+)'/g)].map((m) => m[1]!),
  );
  assert.ok(tables.length >= 30, `found only ${tables.length} tables`);
  const missing = tables.filter((t) => !doc.includes(`\`${t}\``));
  assert.deepEqual(missing, []);
});

test('no source file cites a DOMAIN.md outside the repository', () => {
  const citing = files(join(ROOT, 'src')).filter((f) => /DOMAIN\.md|DOMAIN's/.test(readFileSync(f, 'utf8')));
  assert.deepEqual(citing, []);
});
