/**
 * Configuration: reads process env, `.env.local` and `.env` (in that order of precedence) and
 * validates everything with zod, so a bad value is one clear line, not a crash deep inside a driver.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { instantText } from '../input/fields.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const databaseUrl = z.string().refine((url) => /^(sqlite:|postgres(ql)?:\/\/)/.test(url), {
  message:
    'accepted: sqlite:<path>, sqlite::memory:, sqlite:/abs/path.db or postgres://user:pass@host:port/db',
});

const port = z.coerce
  .number({ message: 'accepted: a whole number from 1 to 65535' })
  .int({ message: 'accepted: a whole number from 1 to 65535' })
  .min(1, { message: 'accepted: a whole number from 1 to 65535' })
  .max(65535, { message: 'accepted: a whole number from 1 to 65535' });

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'accepted: true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `accepted: ${what}` })
    .int({ message: `accepted: ${what}` })
    .positive({ message: `accepted: ${what}` });

const instant = z.string().transform((text, ctx) => {
  const ms = instantText(text);
  if (Number.isNaN(ms)) {
    ctx.addIssue({ code: 'custom', message: 'accepted: epoch milliseconds or an ISO date, e.g. 1970-01-01' });
    return z.NEVER;
  }
  return ms;
});

/** Every variable tradestore reads; `.env.example` documents the same list. */
export const configSchema = z.object({
  DATABASE_URL: databaseUrl.default('sqlite:data/tradestore.db'),
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: port.default(8080),
  SECRET_KEY: z
    .string()
    .min(32, { message: 'accepted: a random string of at least 32 characters' })
    .optional(),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      message: 'accepted: fatal, error, warn, info, debug, trace or silent',
    })
    .default('info'),
  DB_POOL_SIZE: positiveInt('a whole number of connections, 1 or more').default(10),
  DB_STATEMENT_TIMEOUT_MS: positiveInt('milliseconds, 1 or more').default(30_000),
  MIGRATE_ON_START: bool.default(true),
  DEFAULT_VENUE: z.string().min(1).default('default'),
  RETENTION_SNAPSHOT_DAYS: positiveInt('days, 1 or more').default(30),
  RETENTION_DECISION_DAYS: positiveInt('days, 1 or more').default(90),
  // Imports reject rows timed outside [IMPORT_MIN_TIME, IMPORT_MAX_TIME); unset: 1970-01-01 .. 2200-01-01.
  IMPORT_MIN_TIME: instant.optional(),
  IMPORT_MAX_TIME: instant.optional(),
  NODE_ENV: z.string().default('development'),
  ALLOW_SIGNUP: bool.default(false),
  CORS_ORIGINS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o !== ''),
    )
    .pipe(
      z.array(
        z.url({ message: 'accepted: a comma-separated list of origins such as https://app.example.com' }),
      ),
    )
    .default([]),
  BODY_LIMIT_BYTES: positiveInt('bytes, 1 or more').default(1_048_576),
  CANDLE_UPLOAD_LIMIT_BYTES: positiveInt('bytes, 1 or more').default(268_435_456),
  LOGIN_ATTEMPTS_PER_MINUTE: positiveInt('a whole number of attempts, 1 or more').default(10),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: 'accepted: requests per minute per client, 0 for no limit' })
    .int({ message: 'accepted: requests per minute per client, 0 for no limit' })
    .min(0, { message: 'accepted: requests per minute per client, 0 for no limit' })
    .default(0),
});

export type Config = z.infer<typeof configSchema>;

const SECRET_VARIABLES = new Set(['SECRET_KEY']);

/** Reads `.env` then `.env.local` from `dir`; the later file wins, and process env wins over both. */
export function readEnvFiles(dir: string): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const name of ['.env', '.env.local']) {
    const path = resolve(dir, name);
    if (existsSync(path)) Object.assign(merged, parseEnv(readFileSync(path, 'utf8')));
  }
  return merged;
}

export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  dir: string = process.cwd(),
): Config {
  const fromFiles = readEnvFiles(dir);
  const source: Record<string, string | undefined> = { ...fromFiles };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') source[key] = value;
  const parsed = configSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'config');
    // A secret's value is never repeated back, not even a wrong one: it may be the real key mistyped.
    const shown = SECRET_VARIABLES.has(name) ? '' : `=${JSON.stringify(source[name] ?? '')}`;
    throw new ConfigError(`${name}${shown} is invalid: ${issue.message}`);
  }
  return parsed.data;
}
