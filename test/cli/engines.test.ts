/**
 * `engines.node` agrees with the dependencies: every Node it admits satisfies what each runtime
 * dependency (direct or transitive, from package-lock.json) declares, so npm never warns on
 * install, and the launcher (bin/tradestore.js, which reads the same field) refuses what it excludes.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import semver from 'semver';

const ROOT = join(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8'));

test('engines.node is within every runtime dependency’s engines.node', () => {
  const ours: string = pkg.engines.node;
  const runtime = Object.entries(
    lock.packages as Record<string, { dev?: boolean; engines?: { node?: string } }>,
  )
    .filter(([path, p]) => path !== '' && !p.dev && p.engines?.node)
    .map(([path, p]) => ({ name: path.replace(/.*node_modules\//, ''), range: p.engines!.node! }));
  assert.ok(
    runtime.some((d) => d.name === '@mikro-orm/core'),
    'the lock lists @mikro-orm/core',
  );
  const outside = runtime.filter((d) => !semver.subset(ours, d.range));
  assert.deepEqual(outside, [], `engines.node ${ours} admits Node versions these dependencies refuse`);
  // And no tighter than needed: the minimum we admit is exactly the highest minimum they declare.
  const highest = runtime.map((d) => semver.minVersion(d.range)!).sort(semver.rcompare)[0]!;
  assert.equal(semver.minVersion(ours)!.version, highest.version);
});

test('the launcher reads its minimum from engines.node', () => {
  const launcher = readFileSync(join(ROOT, 'bin/tradestore.js'), 'utf8');
  assert.match(launcher, /engines\.node/);
  assert.doesNotMatch(launcher, /22\.1[0-7]/, 'no minimum version written into the launcher itself');
});
