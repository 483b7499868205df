/**
 * Keeping secrets out of every message and log: the one function (`redact`) that everything shown
 * to an operator passes through. It masks the password of any `scheme://user:password@host` in the
 * text, and every secret value the configuration was given (SECRET_KEY, a URL's password, in its
 * raw and its percent-decoded form) wherever a driver or tool happened to quote it.
 */

const MASK = '***';

/** Variables whose whole value is a secret: never shown, not even in part. */
const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|_KEY$|^KEY$)/i;

/**
 * Below this length a value is masked only where it appears as a URL's password: replacing every
 * occurrence of a two-letter password in a message would mangle the message and protect nothing.
 */
const MIN_LITERAL = 4;

const known = new Set<string>();
/** `known`, longest first (so a secret containing another is masked whole); rebuilt when one is added. */
let longestFirst: string[] = [];

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

/** The password part of `scheme://user:password@…`, raw, when the text is such a URL. */
function urlPassword(value: string): string | null {
  const scheme = /^[a-z][a-z0-9+.-]*:\/\//i.exec(value);
  if (!scheme) return null;
  const rest = value.slice(scheme[0].length);
  // The last '@' ends the user info: an unencoded '@' inside a password must not leave its tail visible.
  const at = rest.lastIndexOf('@');
  if (at < 0) return null;
  const colon = rest.slice(0, at).indexOf(':');
  return colon < 0 ? null : rest.slice(colon + 1, at);
}

function remember(value: string): void {
  if (value.length >= MIN_LITERAL && !known.has(value)) {
    known.add(value);
    longestFirst = [...known].sort((a, b) => b.length - a.length);
  }
}

/**
 * Records a configuration value so `redact` hides it from then on: the whole value of a secret
 * variable, the password of a URL.
 */
export function rememberSecret(name: string, value: string | undefined): void {
  if (!value) return;
  if (isSecretName(name)) remember(value);
  const password = urlPassword(value);
  if (password) {
    remember(password);
    try {
      remember(decodeURIComponent(password));
    } catch {
      // Not valid percent-encoding: the raw form is the only one a message can contain.
    }
  }
}

/** A URL with its password masked (`postgres://admin:***@db/x`); other text is returned as is. */
export function redactUrl(value: string): string {
  const password = urlPassword(value);
  if (password === null || password === '') return value;
  const start = value.indexOf('://') + 3;
  const at = value.lastIndexOf('@');
  const userEnd = value.indexOf(':', start);
  return `${value.slice(0, userEnd + 1)}${MASK}${value.slice(at)}`;
}

/**
 * In free text: `scheme://user:…@`, the password running to the last '@' before whitespace (an
 * unencoded '@' in a password must not leave its tail visible; masking a little more is harmless).
 */
const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]*):\S*@/gi;

/**
 * A credential in a query string (`?access_token=…`, which GET /events accepts for browsers): the
 * request log shows paths only, but a framework warning quoting the raw URL must not carry it.
 */
const QUERY_CREDENTIAL = /([?&](?:access_token|refresh_token|api_key|token)=)[^&\s"'#]*/gi;

/** `text` with every URL password, query-string credential and remembered secret masked. */
export function redact(text: string): string {
  let out = text.replace(URL_USERINFO, `$1:${MASK}@`).replace(QUERY_CREDENTIAL, `$1${MASK}`);
  for (const secret of longestFirst) if (out.includes(secret)) out = out.split(secret).join(MASK);
  return out;
}

/**
 * A setting as a message may show it: `PORT="abc"`, `--db "mysql://admin:***@db/x"`, and a secret
 * only by its length: `SECRET_KEY (5 characters, not shown)`.
 */
export function describeSetting(label: string, name: string, value: string): string {
  if (isSecretName(name)) return `${label} (${value.length} characters, not shown)`;
  return `${label}${label.startsWith('--') ? ' ' : '='}${JSON.stringify(redact(value))}`;
}

/** An error with its message and stack masked (same class, same other fields). */
function redactedError(error: Error): Error {
  const copy = Object.assign(Object.create(Object.getPrototypeOf(error) as object) as Error, error);
  copy.message = redact(error.message);
  if (error.stack) copy.stack = redact(error.stack);
  return copy;
}

/**
 * A logger call's arguments with secrets masked: messages, errors, and an `err` field (how
 * Fastify logs a failed request). For pino's `hooks.logMethod`, so no log line needs to remember.
 */
export function redactLogArguments(args: unknown[]): unknown[] {
  return args.map((arg) => {
    if (typeof arg === 'string') return redact(arg);
    if (arg instanceof Error) return redactedError(arg);
    if (arg !== null && typeof arg === 'object' && 'err' in arg && arg.err instanceof Error)
      return { ...arg, err: redactedError(arg.err) };
    return arg;
  });
}
