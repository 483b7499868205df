/**
 * Configuration: reads process env, `.env.local` and `.env` (in that order of precedence) and
 * validates everything with zod, so a bad value is one clear line, not a crash deep inside a driver.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parseEnv } from 'node:util';
import { z } from 'zod';
import { describeSetting, rememberSecret } from './secrets.ts';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DATABASE_URL_FORMS =
  'accepted: sqlite:<path>, sqlite::memory:, sqlite:/abs/path.db or postgres://user:pass@host:port/db';

function parsesAsUrl(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

const databaseUrl = z
  .string()
  .refine((url) => /^(sqlite:|postgres(ql)?:\/\/)/.test(url), { message: DATABASE_URL_FORMS })
  // Checked here so a malformed one is a configuration error naming the variable, not the driver's
  // bare "Invalid URL" after the command has started.
  .refine((url) => url.startsWith('sqlite:') || parsesAsUrl(url), {
    message: `not a valid URL (a port must be a number, special characters in the password percent-encoded); ${DATABASE_URL_FORMS}`,
  });

const PORT_FORMS = 'accepted: a whole number from 0 to 65535 (0: any free port)';
// Digits only: coercing would read "" as 0 (any port) and "1e3" as 1000.
const port = z
  .string({ message: PORT_FORMS })
  .trim()
  .regex(/^\d{1,5}$/, { message: PORT_FORMS })
  .transform(Number)
  .pipe(z.number().max(65535, { message: PORT_FORMS }));

const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'accepted: true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const positiveInt = (what: string) =>
  z.coerce
    .number({ message: `accepted: ${what}` })
    .int({ message: `accepted: ${what}` })
    .positive({ message: `accepted: ${what}` });

/**
 * An instant typed by a person (a flag, an environment variable): epoch milliseconds, or an ISO-8601
 * date or date-time. A date-time without a zone is UTC (JavaScript would read it as local time).
 * NaN when it is neither.
 */
export function instantText(text: string): number {
  const s = text.trim();
  if (/^-?\d+$/.test(s)) return Number(s);
  if (!/^\d{4}-\d{2}-\d{2}/.test(s)) return Number.NaN;
  const naive = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(s);
  return Date.parse(naive ? `${s.replace(' ', 'T')}Z` : s);
}

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
  HOST: z
    .union([z.ipv4(), z.ipv6(), z.hostname()], {
      message: 'accepted: an IP address or a host name, e.g. 127.0.0.1, 0.0.0.0, ::, localhost',
    })
    .default('127.0.0.1'),
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
  RETENTION_EVENT_DAYS: positiveInt('days, 1 or more').default(7),
  // Where the outbox also publishes each event (channel tradestore:<topic>); unset: no Redis.
  REDIS_URL: z
    .string()
    .regex(/^rediss?:\/\/./, { message: 'accepted: redis://[user:password@]host[:port][/db] or rediss://…' })
    .refine(parsesAsUrl, { message: 'not a valid URL (special characters in the password percent-encoded)' })
    .optional(),
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
  RESPONSE_CACHE: bool.default(true),
  RATE_LIMIT_PER_MINUTE: z.coerce
    .number({ message: 'accepted: requests per minute per client, 0 for no limit' })
    .int({ message: 'accepted: requests per minute per client, 0 for no limit' })
    .min(0, { message: 'accepted: requests per minute per client, 0 for no limit' })
    .default(0),
  STORAGE_MODE: z
    .enum(['database', 'hybrid'], { message: 'accepted: database or hybrid' })
    .default('database'),
  HYBRID_DIR: z.string().min(1).default('data/hybrid'),
  HYBRID_REFRESH_SECONDS: positiveInt('seconds, 1 or more').default(10),
  // GET /events writes a comment this often so proxies and clients see a live connection; a
  // fraction is allowed (tests).
  EVENTS_HEARTBEAT_SECONDS: z.coerce
    .number({ message: 'accepted: seconds, more than 0 (fractions allowed)' })
    .positive({ message: 'accepted: seconds, more than 0 (fractions allowed)' })
    .max(3600, { message: 'accepted: seconds, at most 3600' })
    .default(15),
  // GET /events streams one user may hold open at once on one server process: each holds a
  // connection and a reader, so one client in a reconnect loop must not take them all.
  EVENTS_MAX_STREAMS_PER_USER: positiveInt('streams, 1 or more').default(20),
});

export type Config = z.infer<typeof configSchema>;
export type ConfigKey = keyof Config;

/** A command-line flag that stands for a variable (`--port` for PORT), with the value typed. */
export interface SettingFlag {
  flag: string;
  value: string;
}
export type FlagOverrides = Partial<Record<ConfigKey, SettingFlag>>;

/** Reads `.env` then `.env.local` from `dir`; the later file wins, and process env wins over both. */
export function readEnvFiles(dir: string): Record<string, string> {
  const merged: Record<string, string> = {};
  for (const name of ['.env', '.env.local']) {
    const path = resolve(dir, name);
    if (existsSync(path)) Object.assign(merged, parseEnv(readFileSync(path, 'utf8')));
  }
  return merged;
}

/**
 * The validated configuration. `flags` are command-line values for variables (`--port` for PORT):
 * each is checked by the same schema as the variable, before anything else runs, and a valid one
 * replaces the variable's value, so a bad PORT in the environment does not stop `--port 8081`.
 * No message shows a secret (see secrets.ts); every secret seen is remembered for `redact`.
 */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  dir: string = process.cwd(),
  flags: FlagOverrides = {},
): Config {
  const fromFiles = readEnvFiles(dir);
  const source: Record<string, string | undefined> = { ...fromFiles };
  for (const [key, value] of Object.entries(env))
    if (value !== undefined && value !== '') source[key] = value;
  for (const [key, value] of Object.entries(source)) rememberSecret(key, value);
  for (const [key, given] of Object.entries(flags) as Array<[ConfigKey, SettingFlag | undefined]>) {
    if (given === undefined) continue;
    rememberSecret(key, given.value);
    const checked = configSchema.shape[key].safeParse(given.value);
    if (!checked.success) {
      throw new ConfigError(
        `${describeSetting(given.flag, key, given.value)} is invalid: ${checked.error.issues[0]!.message}`,
      );
    }
    source[key] = given.value;
  }
  const parsed = configSchema.safeParse(source);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const name = String(issue.path[0] ?? 'config');
    throw new ConfigError(`${describeSetting(name, name, source[name] ?? '')} is invalid: ${issue.message}`);
  }
  return parsed.data;
}
