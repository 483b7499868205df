/** Parses a DATABASE_URL into what the drivers need, and a display form that never shows a password. */
import { isAbsolute, resolve } from 'node:path';
import { redactUrl, rememberSecret } from '../config/secrets.ts';
import { MalformedInputError } from '../input/errors.ts';

export type Dialect = 'sqlite' | 'postgresql';

export const DIALECTS: readonly Dialect[] = ['sqlite', 'postgresql'];

export type DatabaseTarget =
  | { dialect: 'sqlite'; path: string; memory: boolean; display: string }
  | {
      dialect: 'postgresql';
      url: string;
      host: string;
      port: number;
      database: string;
      user: string;
      display: string;
    };

/** A database URL that names no usable database: a usage error, reported before anything opens. */
export class DatabaseUrlError extends MalformedInputError {
  override name = 'DatabaseUrlError';
}

export function parseDatabaseUrl(url: string, cwd: string = process.cwd()): DatabaseTarget {
  if (url.startsWith('sqlite:')) {
    const rest = url.slice('sqlite:'.length).replace(/^\/\/(?=\/)/, '');
    // An empty path is a slip (an unset variable in `sqlite:$DIR/x.db`), not a request for a
    // throw-away database: `migrate up` would "apply" to memory and exit 0.
    if (rest.trim() === '')
      throw new DatabaseUrlError(
        'database URL "sqlite:" has no path: use sqlite:<path> (or sqlite::memory:)',
      );
    if (rest === ':memory:')
      return { dialect: 'sqlite', path: ':memory:', memory: true, display: ':memory:' };
    const path = isAbsolute(rest) ? rest : resolve(cwd, rest);
    return { dialect: 'sqlite', path, memory: false, display: path };
  }
  if (/^postgres(ql)?:\/\//.test(url)) {
    // Library users open stores without loadConfig: the password is masked in messages all the same.
    rememberSecret('DATABASE_URL', url);
    const parsed = new URL(url);
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, '')) || 'postgres';
    const host = parsed.hostname || '127.0.0.1';
    const port = Number(parsed.port || 5432);
    return {
      dialect: 'postgresql',
      url,
      host,
      port,
      database,
      user: decodeURIComponent(parsed.username || 'postgres'),
      display: `${host}:${port}/${database}`,
    };
  }
  throw new DatabaseUrlError(
    `unsupported database URL "${redactUrl(url)}": use sqlite:<path> or postgres://…`,
  );
}

/**
 * How pg_dump, pg_restore and psql get a connection: the URL without its password, which travels
 * in PGPASSWORD instead, because a command line is readable by every local user (`ps`).
 */
export function pgToolConnection(url: string): { url: string; env: NodeJS.ProcessEnv } {
  const parsed = new URL(url);
  const password = decodeURIComponent(parsed.password);
  if (password === '') return { url, env: process.env };
  parsed.password = '';
  return { url: parsed.toString(), env: { ...process.env, PGPASSWORD: password } };
}

/** The same server with another database name: used for scratch test databases. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(database)}`;
  return parsed.toString();
}
