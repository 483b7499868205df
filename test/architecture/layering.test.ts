/**
 * The layering stays true: every import in src/ points down (or sideways where the table below
 * says so), never up. Layers, lowest first, are documented in src/README.md; a change here is a
 * change to the architecture, so it is made on purpose and shows in review.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, test } from 'node:test';
import ts from 'typescript';

const SRC = resolve(import.meta.dirname, '../../src');

/** A unit of the layering: a top-level folder of src/, or `index` for src/index.ts. */
interface Layer {
  rank: number;
  /** Units of the same rank this one may import (kept acyclic by the test). */
  sideways?: readonly string[];
  /** Packages allowed; omitted means any package. */
  packages?: readonly string[];
}

export const LAYERS: Readonly<Record<string, Layer>> = {
  // Pure rules: nothing but themselves and decimal arithmetic.
  trading: { rank: 0, packages: ['decimal.js'] },
  // What every service accepts and the refusal family.
  input: { rank: 1 },
  // The schema; configuration (validated with input's field schemas).
  entities: { rank: 2 },
  // Environment loading: validates times with input's field parsers.
  config: { rank: 2 },
  // Connections, the transaction/query layer, value encoding.
  db: { rank: 3 },
  // The audit trail's one owner, and migrations: both below every service.
  // audit/ appends a decision's event in the decision's transaction (events/ imports no audit).
  audit: { rank: 4, sideways: ['events'] },
  migrate: { rank: 4 },
  // The outbox (live events): written in the services' transactions, read by api/ and library users.
  events: { rank: 4 },
  // Domain services. Sideways imports are the few a service needs from another's read side.
  marketdata: { rank: 5, sideways: ['exports'] },
  news: { rank: 5 },
  predictions: { rank: 5 },
  research: { rank: 5 },
  portfolios: { rank: 5 },
  strategies: { rank: 5 },
  operations: { rank: 5 },
  // Accounts, sessions, API keys and who may act on which portfolio.
  accounts: { rank: 5 },
  // Backtests write their trades through execution's table description and create strategies by name.
  backtests: { rank: 5, sideways: ['marketdata', 'strategies', 'execution'] },
  execution: { rank: 5, sideways: ['portfolios', 'marketdata'] },
  // Callers of the services.
  // db copy: canonical column values and checksums over db/ and migrate/.
  transfer: { rank: 5 },
  // Record exports and the one output path every export (candles too) writes through.
  exports: { rank: 5, sideways: ['transfer'] },
  seed: { rank: 6 },
  // Hybrid storage: the settings services with their CSV mirror.
  hybrid: { rank: 6 },
  // Bringing existing data in: legacy files and a freqtrade database, through the services.
  adopt: { rank: 6 },
  api: { rank: 7 },
  cli: { rank: 7, sideways: ['api'] },
  // The typed HTTP client generated from the OpenAPI document.
  client: { rank: 8 },
  index: { rank: 9 },
};

export interface ImportEdge {
  from: string;
  /** A path relative to src/ for a relative import, else the package specifier. */
  to: string;
  packageImport: boolean;
}

function unitOf(srcRelative: string): string {
  const [first] = srcRelative.split('/');
  return srcRelative.includes('/') ? first! : srcRelative.replace(/\.ts$/, '');
}

function packageName(specifier: string): string {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

/** Every violation of LAYERS among `edges` (empty when the layering holds). */
export function layeringViolations(edges: readonly ImportEdge[], layers = LAYERS): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const fromUnit = unitOf(edge.from);
    const from = layers[fromUnit];
    if (!from) {
      const problem = `folder '${fromUnit}' has no layer in LAYERS (${edge.from})`;
      if (!problems.some((p) => p.startsWith(`folder '${fromUnit}'`))) problems.push(problem);
      continue;
    }
    if (edge.packageImport) {
      const name = packageName(edge.to);
      if (from.packages && !name.startsWith('node:') && !from.packages.includes(name)) {
        problems.push(
          `${edge.from} imports package ${name}; ${fromUnit}/ may import only ${from.packages.join(', ')}`,
        );
      }
      if (from.packages && name.startsWith('node:')) {
        problems.push(`${edge.from} imports ${name}; ${fromUnit}/ does no I/O`);
      }
      continue;
    }
    const toUnit = unitOf(edge.to);
    if (toUnit === fromUnit) continue;
    const to = layers[toUnit];
    if (!to) {
      problems.push(`${edge.from} imports ${edge.to}: folder '${toUnit}' has no layer in LAYERS`);
      continue;
    }
    const sideways = to.rank === from.rank && (from.sideways ?? []).includes(toUnit);
    if (to.rank >= from.rank && !sideways) {
      problems.push(
        `${edge.from} imports ${edge.to}: ${fromUnit}/ (layer ${from.rank}) may not import ${toUnit}/ (layer ${to.rank})`,
      );
    }
  }
  return problems;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return sourceFiles(path);
    return e.name.endsWith('.ts') ? [path] : [];
  });
}

/** The import edges of src/, read with TypeScript's own pre-processor (static, re-export and dynamic imports). */
export function importEdges(root = SRC): ImportEdge[] {
  return sourceFiles(root).flatMap((file) => {
    const info = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const from = relative(root, file);
    return info.importedFiles.map(({ fileName }) => {
      const packageImport = !fileName.startsWith('.');
      const to = packageImport ? fileName : relative(root, resolve(dirname(file), fileName));
      return { from, to, packageImport };
    });
  });
}

describe('layering', () => {
  test('every import in src/ points down the layers', () => {
    const edges = importEdges();
    assert.ok(edges.length > 300, `read only ${edges.length} imports`);
    assert.deepEqual(layeringViolations(edges), []);
  });

  test('sideways imports form no cycle', () => {
    for (const [unit, layer] of Object.entries(LAYERS)) {
      for (const other of layer.sideways ?? []) {
        assert.ok(!(LAYERS[other]?.sideways ?? []).includes(unit), `${unit} and ${other} import each other`);
        assert.equal(LAYERS[other]?.rank, layer.rank, `${unit} → ${other} is not sideways`);
      }
    }
  });

  test('an upward import is reported, naming both files and layers', () => {
    const problems = layeringViolations([
      { from: 'trading/positions-rule.ts', to: 'input/errors.ts', packageImport: false },
      { from: 'entities/x-tables.ts', to: 'execution/ideas.ts', packageImport: false },
      { from: 'portfolios/risk-configs.ts', to: 'execution/ideas.ts', packageImport: false },
      { from: 'db/listing.ts', to: 'audit/decision-history.ts', packageImport: false },
      { from: 'trading/exact.ts', to: 'zod', packageImport: true },
      { from: 'trading/exact.ts', to: 'node:fs', packageImport: true },
      { from: 'newfolder/x.ts', to: 'db/store.ts', packageImport: false },
    ]);
    assert.equal(problems.length, 7, problems.join('\n'));
    assert.match(
      problems[0]!,
      /trading\/positions-rule\.ts imports input\/errors\.ts: trading\/ \(layer 0\) may not import input\/ \(layer 1\)/,
    );
    assert.match(problems[2]!, /portfolios\/ \(layer 5\) may not import execution\/ \(layer 5\)/);
    assert.match(problems[4]!, /package zod/);
    assert.match(problems[6]!, /'newfolder' has no layer/);
  });

  test('downward and allowed sideways imports pass', () => {
    assert.deepEqual(
      layeringViolations([
        { from: 'execution/ideas.ts', to: 'portfolios/portfolios.ts', packageImport: false },
        { from: 'execution/ideas.ts', to: 'trading/transitions.ts', packageImport: false },
        { from: 'trading/exact.ts', to: 'decimal.js', packageImport: true },
        { from: 'index.ts', to: 'cli/main.ts', packageImport: false },
      ]),
      [],
    );
  });
});
