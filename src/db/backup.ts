/**
 * Backups and the mechanics of restoring. SQLite uses its online backup API (consistent while
 * other connections write); PostgreSQL uses `pg_dump`, `pg_restore` and `psql` when installed.
 *
 * Every file is written beside its target under a temporary name, fsynced and renamed into place,
 * so a target is never gone or half-written: the old file stays until the new one is complete.
 * What a valid tradestore backup is (its version table against this build) is decided in
 * `src/migrate/restore.ts`; this module only moves bytes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  closeSync,
  existsSync,
  fsyncSync,
  linkSync,
  mkdirSync,
  openSync,
  realpathSync,
  renameSync,
  rmSync,
  statSync,
  unlinkSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { backup } from 'node:sqlite';
import { type RefusalCode, RefusedError } from '../input/errors.ts';
import type { Store } from './store.ts';
import { pgToolConnection } from './url.ts';

const { DatabaseSync } = process.getBuiltinModule('node:sqlite');

export class MissingToolError extends Error {
  override name = 'MissingToolError';
}

/**
 * A backup or restore refused before anything was written: the file given is not one it may
 * write or restore (`invalid_input`), or another process holds the database (`conflict`).
 */
export class BackupRefusedError extends RefusedError {
  override name = 'BackupRefusedError';
  readonly code: RefusalCode;

  constructor(message: string, code: 'invalid_input' | 'conflict' = 'invalid_input') {
    super(message);
    this.code = code;
  }
}

export function requireTool(tool: string): void {
  const found = spawnSync(tool, ['--version'], { stdio: 'ignore' });
  if (found.error || found.status !== 0) {
    throw new MissingToolError(
      `${tool} is not installed or not on PATH; install the PostgreSQL client tools (Debian: apt-get install postgresql-client) to back up or restore PostgreSQL`,
    );
  }
}

/** The line of a tool's stderr that says what went wrong: its first ERROR, else its last line. */
function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return (lines.find((l) => /\b(ERROR|FATAL):/.test(l)) ?? lines.at(-1) ?? '').trim();
}

/** Runs a tool to completion; resolves with its stdout. */
export function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((ok, fail) => {
    const child = spawn(tool, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const out: Buffer[] = [];
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) =>
      code === 0
        ? ok(Buffer.concat(out).toString('utf8'))
        : fail(new Error(`${tool} failed (exit ${code}): ${lastLine(stderr)}`)),
    );
  });
}

/** The files SQLite keeps for a database: the file itself and its journals. */
export function sqliteCompanions(path: string): string[] {
  return [path, `${path}-wal`, `${path}-shm`, `${path}-journal`];
}

/** The path with symlinks resolved, as far as it exists. */
export function canonical(path: string): string {
  const full = resolve(path);
  try {
    return realpathSync(full);
  } catch {
    const parent = dirname(full);
    return parent === full ? full : join(canonical(parent), basename(full));
  }
}

/** Same file by name (after symlinks) or by inode (hard links). */
export function sameFile(a: string, b: string): boolean {
  if (canonical(a) === canonical(b)) return true;
  try {
    const sa = statSync(a);
    const sb = statSync(b);
    return sa.dev === sb.dev && sa.ino === sb.ino;
  } catch {
    return false;
  }
}

/** Refuses a path that is the store's SQLite file or one of its journals. */
export function refuseDatabaseFile(store: Store, path: string, what: string): void {
  const target = store.target;
  if (target.dialect !== 'sqlite' || target.memory) return;
  for (const file of sqliteCompanions(target.path)) {
    if (sameFile(path, file)) {
      throw new BackupRefusedError(
        `${what} ${path} is ${file === target.path ? 'the database file itself' : `the database's -${file.slice(target.path.length + 1)} file`} (${file}); nothing was written`,
      );
    }
  }
}

/** A name beside `path` that nothing else uses: `.x.db.<pid>-<random>.<tag>`. */
export function tempBeside(path: string, tag = 'tmp'): string {
  return join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.${tag}`);
}

/** Removes a temporary file this process created, with any SQLite journals it grew. */
export function removeTemp(path: string): void {
  for (const file of sqliteCompanions(path)) rmSync(file, { force: true });
}

export function fsyncFile(path: string): void {
  const fd = openSync(path, 'r+');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Makes a rename durable; some platforms cannot fsync a directory, and there is nothing more to do. */
export function fsyncDir(path: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    fsyncSync(fd);
  } catch {
    // EISDIR/EPERM/EINVAL on platforms without directory fsync
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * Writes `path` through a temporary file beside it: `write(tmp)`, fsync, rename. With
 * `replace: false` an existing `path` is an error (EEXIST) and stays as it was.
 */
export async function writeFileAtomically(
  path: string,
  write: (tmp: string) => Promise<void>,
  options: { replace?: boolean } = {},
): Promise<void> {
  const tmp = tempBeside(path);
  try {
    await write(tmp);
    fsyncFile(tmp);
    if (options.replace === false) {
      // link() refuses an existing name atomically, where a check before rename() could race.
      linkSync(tmp, path);
      unlinkSync(tmp);
    } else renameSync(tmp, path);
    fsyncDir(dirname(path));
  } catch (error) {
    removeTemp(tmp);
    throw error;
  }
}

export interface BackupResult {
  path: string;
  bytes: number;
  ms: number;
}

export interface BackupOptions {
  onProgress?: (done: number, total: number) => void;
  /** false: fail with EEXIST instead of replacing an existing file (safety backups never replace). */
  replace?: boolean;
}

export async function backupDatabase(
  store: Store,
  file: string,
  options: BackupOptions | ((done: number, total: number) => void) = {},
): Promise<BackupResult> {
  const { onProgress, replace } = typeof options === 'function' ? { onProgress: options } : options;
  if (file.trim() === '') throw new BackupRefusedError('the backup needs a file name');
  const path = resolve(file);
  if (existsSync(path) && statSync(path).isDirectory()) {
    throw new BackupRefusedError(`${path} is a directory; name a file for the backup`);
  }
  refuseDatabaseFile(store, path, 'backup target');
  mkdirSync(dirname(path), { recursive: true });
  const started = performance.now();
  await writeFileAtomically(
    path,
    async (tmp) => {
      if (store.target.dialect === 'sqlite') {
        await store.withSqlite((db) =>
          backup(db, tmp, {
            rate: 1000,
            progress: ({ totalPages, remainingPages }) =>
              onProgress?.(totalPages - remainingPages, totalPages),
          }),
        );
      } else {
        requireTool('pg_dump');
        const connection = pgToolConnection(store.target.url);
        await runTool(
          'pg_dump',
          ['--format=custom', '--no-owner', '--no-privileges', `--file=${tmp}`, connection.url],
          connection.env,
        );
      }
    },
    replace === undefined ? {} : { replace },
  );
  return { path, bytes: statSync(path).size, ms: Math.round(performance.now() - started) };
}

/**
 * Puts `candidate` (a complete SQLite file in the database file's real folder, from
 * `tempBeside(canonical(path))`, not in WAL mode) in the place
 * of the store's database file. Every connection of the store is closed first; switching the old
 * file out of WAL mode needs it to be the only connection, which proves no other process has it
 * open, and removes its -wal/-shm so they cannot be replayed into the new file.
 */
export async function installSqliteFile(store: Store, candidate: string): Promise<void> {
  await store.withSqliteClosed((path) => {
    if (existsSync(path)) {
      const db = new DatabaseSync(path, { timeout: 0 });
      try {
        const mode = db.prepare('pragma journal_mode = delete').get()?.journal_mode;
        if (mode !== 'delete') throw new Error(`journal mode stayed ${String(mode)}`);
      } catch (error) {
        throw new BackupRefusedError(
          `${path} is open in another process (a running \`tradestore serve\`?): stop it and retry; nothing was changed (${(error as Error).message})`,
          'conflict',
        );
      } finally {
        db.close();
      }
    }
    // Through a symlinked path, the file it points to is replaced, not the link.
    const real = canonical(path);
    renameSync(candidate, real);
    fsyncDir(dirname(real));
  });
}

/** `pg_restore --list`: the archive's table of contents, one entry per line. */
export async function pgArchiveContents(file: string): Promise<string[]> {
  requireTool('pg_restore');
  const toc = await runTool('pg_restore', ['--list', file]);
  return toc.split('\n').filter((line) => line && !line.startsWith(';'));
}

/** The rows of one table in a pg_dump archive, as the text COPY format pg_restore prints. */
export async function pgArchiveTable(
  file: string,
  schema: string,
  table: string,
): Promise<Array<Record<string, string | null>>> {
  const sql = await runTool('pg_restore', [
    '--data-only',
    `--schema=${schema}`,
    `--table=${table}`,
    '--file=-',
    file,
  ]);
  const copy = /^COPY \S+ \(([^)]*)\) FROM stdin;\n([\s\S]*?)^\\\.$/m.exec(sql);
  if (!copy) return [];
  const columns = copy[1]!.split(',').map((c) => c.trim().replace(/^"|"$/g, ''));
  return copy[2]!
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const values = line.split('\t');
      return Object.fromEntries(columns.map((c, i) => [c, values[i] === '\\N' ? null : (values[i] ?? null)]));
    });
}

/**
 * Runs `before`, the archive's SQL (from `pg_restore --file=-`) and `after` through one `psql`
 * session in a single transaction: any error, in the archive or in `after`'s checks, rolls all of
 * it back and the database is as it was.
 */
export async function pgRestoreInOneTransaction(
  store: Store,
  file: string,
  before: string,
  after: string,
): Promise<void> {
  if (store.target.dialect !== 'postgresql') throw new Error('pgRestoreInOneTransaction is PostgreSQL only');
  requireTool('pg_restore');
  requireTool('psql');
  const connection = pgToolConnection(store.target.url);
  await new Promise<void>((ok, fail) => {
    const psql = spawn(
      'psql',
      [
        '--no-psqlrc',
        '--quiet',
        '--single-transaction',
        '--set=ON_ERROR_STOP=1',
        `--dbname=${connection.url}`,
        '--file=-',
      ],
      { stdio: ['pipe', 'ignore', 'pipe'], env: connection.env },
    );
    const script = spawn('pg_restore', ['--no-owner', '--no-privileges', '--file=-', file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let psqlErr = '';
    let scriptErr = '';
    let scriptCode: number | null = null;
    psql.stderr.on('data', (d) => {
      psqlErr += d;
    });
    script.stderr.on('data', (d) => {
      scriptErr += d;
    });
    psql.on('error', fail);
    script.on('error', fail);
    // psql may stop reading at the first error; the pipe then breaks and psql's exit says why.
    psql.stdin.on('error', () => {});
    psql.stdin.write(`${before}\n`);
    script.stdout.pipe(psql.stdin, { end: false });
    script.on('close', (code) => {
      scriptCode = code;
      // A failed pg_restore must not let the transaction commit on what it printed so far.
      psql.stdin.end(code === 0 ? `\n${after}\n` : `\nselect 1/0 as pg_restore_failed;\n`);
    });
    psql.on('close', (code) => {
      if (scriptCode !== null && scriptCode !== 0)
        fail(
          new Error(`pg_restore failed (exit ${scriptCode}): ${lastLine(scriptErr)}; nothing was changed`),
        );
      else if (code !== 0)
        fail(new Error(`restore failed and was rolled back, nothing changed: ${lastLine(psqlErr)}`));
      else ok();
    });
  });
}
