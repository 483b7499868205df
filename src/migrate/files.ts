/**
 * Migration files: one folder per dialect (`migrations/sqlite`, `migrations/postgresql`), one `.sql`
 * file per migration with an `-- migrate:up` and a `-- migrate:down` section. Plain SQL keeps what
 * runs reviewable, checksummable and printable offline; MikroORM's schema diff writes them.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Dialect } from '../db/url.ts';

export interface MigrationFile {
  /** File name without `.sql`: `20261121120000_initial`. Sorts in apply order. */
  name: string;
  path: string;
  up: string;
  down: string;
  /** sha256 of the whole file with normalised line endings. */
  checksum: string;
}

const UP = /^--\s*migrate:up\s*$/m;
const DOWN = /^--\s*migrate:down\s*$/m;

/** The repository's migrations folder; overridable so tests can work on a copy. */
export function migrationsRoot(): string {
  return process.env.TRADESTORE_MIGRATIONS_DIR ?? resolve(import.meta.dirname, '../../migrations');
}

export function migrationsDir(dialect: Dialect, root = migrationsRoot()): string {
  return join(root, dialect);
}

export function checksumOf(text: string): string {
  return createHash('sha256').update(text.replace(/\r\n/g, '\n')).digest('hex');
}

export function parseMigration(name: string, path: string, text: string): MigrationFile {
  const up = UP.exec(text);
  const down = DOWN.exec(text);
  if (!up || !down || down.index < up.index) {
    throw new Error(`${path}: a migration needs an "-- migrate:up" section followed by "-- migrate:down"`);
  }
  return {
    name,
    path,
    up: text.slice(up.index + up[0].length, down.index).trim(),
    down: text.slice(down.index + down[0].length).trim(),
    checksum: checksumOf(text),
  };
}

export function readMigrations(dialect: Dialect, root = migrationsRoot()): MigrationFile[] {
  const dir = migrationsDir(dialect, root);
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => /^\d{14}_[a-z0-9_]+\.sql$/.test(f))
    .sort()
    .map((f) => {
      const path = join(dir, f);
      return parseMigration(f.slice(0, -4), path, readFileSync(path, 'utf8'));
    });
}

export function renderMigration(title: string, up: string, down: string): string {
  return `-- tradestore migration: ${title}\n-- Generated from the entities by \`tradestore migrate create\`; review before committing.\n\n-- migrate:up\n${up.trim()}\n\n-- migrate:down\n${down.trim()}\n`;
}

/** `20261121120000` from a Date, UTC. */
export function migrationStamp(at: Date = new Date()): string {
  return at.toISOString().replace(/\D/g, '').slice(0, 14);
}

export function slug(name: string): string {
  const s = name
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (!s) throw new Error(`migration name "${name}" has no letters or digits`);
  return s;
}

const CREATES =
  /\bcreate\s+(?:table|type|sequence|view|materialized\s+view|domain)\s+(?:if\s+not\s+exists\s+)?(?:["`]?\w+["`]?\.)?["`]?(\w+)["`]?/gi;

/** Names of the tables, types, sequences and views the migrations create: tradestore's own objects. */
export function createdObjects(files: MigrationFile[]): Set<string> {
  const names = new Set<string>();
  for (const f of files) for (const m of f.up.matchAll(CREATES)) names.add(m[1]!);
  return names;
}
