/**
 * Backups and restores. SQLite uses its online backup API (consistent while other connections
 * write); PostgreSQL uses `pg_dump`/`pg_restore` when they are installed.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { backup } from 'node:sqlite';
import type { Store } from './store.ts';

const { DatabaseSync } = process.getBuiltinModule('node:sqlite');

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

function requireTool(tool: string): void {
  const found = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new MissingToolError(
      `${tool} is not installed or not on PATH; install the PostgreSQL client tools (Debian: apt-get install postgresql-client) to back up or restore PostgreSQL`,
    );
  }
}

function run(tool: string, args: string[]): Promise<void> {
  return new Promise((ok, fail) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0
        ? ok()
        : fail(new Error(`${tool} failed (exit ${code}): ${stderr.trim().split('\n').at(-1)}`)),
    );
  });
}

export interface BackupResult {
  path: string;
  bytes: number;
  ms: number;
}

export async function backupDatabase(
  store: Store,
  file: string,
  onProgress?: (done: number, total: number) => void,
): Promise<BackupResult> {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const started = performance.now();
  if (store.target.dialect === 'sqlite') {
    if (existsSync(path)) rmSync(path);
    await store.withSqlite((db) =>
      backup(db, path, {
        rate: 1000,
        progress: ({ totalPages, remainingPages }) => onProgress?.(totalPages - remainingPages, totalPages),
      }),
    );
  } else {
    requireTool('pg_dump');
    await run('pg_dump', [
      '--format=custom',
      '--no-owner',
      '--no-privileges',
      `--file=${path}`,
      store.target.url,
    ]);
  }
  return { path, bytes: statSync(path).size, ms: Math.round(performance.now() - started) };
}

/** Replaces every table's content with the backup's; the schema comes back as it was backed up. */
export async function restoreDatabase(store: Store, file: string): Promise<{ ms: number }> {
  const path = resolve(file);
  if (!existsSync(path)) throw new Error(`backup file ${path} does not exist`);
  const started = performance.now();
  if (store.target.dialect === 'sqlite') {
    const source = new DatabaseSync(path, { readOnly: true });
    try {
      const check = source.prepare('pragma integrity_check').get();
      if (check?.integrity_check !== 'ok') throw new Error(`${path} is not an intact SQLite database`);
      // Backing up *from* the file *into* the open connection replaces its pages in one step, under
      // SQLite's own locks, so the store stays usable afterwards.
      await store.withSqlite((db) => backup(source, db.location() ?? ':memory:'));
    } finally {
      source.close();
    }
  } else {
    requireTool('pg_restore');
    await run('pg_restore', [
      '--clean',
      '--if-exists',
      '--no-owner',
      '--no-privileges',
      '--single-transaction',
      `--dbname=${store.target.url}`,
      path,
    ]);
  }
  return { ms: Math.round(performance.now() - started) };
}
