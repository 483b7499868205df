#!/usr/bin/env node
// Plain JavaScript on purpose: this file must parse and run on any old Node, so that an old Node
// gets a clear message instead of a syntax error or a stack trace from the TypeScript sources.
// The minimum is package.json's `engines.node` (test/cli/engines.test.ts keeps that at the highest
// minimum any runtime dependency declares), so the two cannot disagree.
/* global URL */
import { readFileSync } from 'node:fs';

const engines = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).engines.node;
const needed = engines.replace(/^>=\s*/, '');
const [major, minor, patch] = process.versions.node.split('.').map(Number);
const [needMajor, needMinor, needPatch] = needed.split('.').map(Number);
const tooOld =
  major !== needMajor
    ? major < needMajor
    : minor !== needMinor
      ? minor < needMinor
      : patch < (needPatch || 0);
if (tooOld) {
  process.stderr.write(
    `tradestore needs Node.js ${needed} or newer (Node 24 recommended); this is Node ${process.versions.node} at ${process.execPath}.\n` +
      'Run it through the project so its pinned Node 24 is used: `npx tradestore ...` or `npm start`,\n' +
      'or install Node 24 and put it first on PATH.\n',
  );
  process.exit(1);
}
const { existsSync } = await import('node:fs');
const { join } = await import('node:path');
// V8's code cache on disk (Node's own compile cache, as npm and tsc use it): the second and later
// runs skip compiling, and in a checkout also stripping the types of, every module a command loads,
// most of a short command's start-up. NODE_DISABLE_COMPILE_CACHE=1 turns it off.
const { enableCompileCache } = await import('node:module');
enableCompileCache?.();
// A repository checkout runs its TypeScript sources, even when a build has left dist/ behind (a
// stale dist/ would hide every edit). An installed package ships no src/, only the compiled dist/:
// Node refuses to strip types under node_modules.
if (!existsSync(join(import.meta.dirname, '../src/cli/main.ts'))) {
  const { main } = await import('../dist/cli/main.js');
  process.exitCode = await main(process.argv);
} else {
  if (!process.features.typescript) {
    // Before Node 22.18, types are stripped only behind a flag: run the same command again with it.
    const { spawnSync } = await import('node:child_process');
    const result = spawnSync(
      process.execPath,
      [
        '--experimental-strip-types',
        '--no-warnings',
        ...process.execArgv,
        process.argv[1],
        ...process.argv.slice(2),
      ],
      { stdio: 'inherit' },
    );
    process.exit(result.status ?? 1);
  }
  const { main } = await import('../src/cli/main.ts');
  process.exitCode = await main(process.argv);
}
