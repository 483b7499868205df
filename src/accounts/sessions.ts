/**
 * Login sessions and their tokens (jose, HS256 with SECRET_KEY): a 15-minute access token and a
 * 30-day refresh token per login. Refreshing rotates: the presented refresh token is spent and a new
 * pair issued. A spent refresh token presented again means it leaked (or the client raced itself):
 * the whole login is revoked, every token of it stops working, and the caller gets a 401.
 * Only sha256 digests of refresh tokens are stored.
 */
import { createHash, randomBytes } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, SignJWT } from 'jose';
import { dataVersion } from '../db/data-version.ts';
import { prepared } from '../db/statements.ts';
import type { Store } from '../db/store.ts';
import type { UserRole } from '../entities/identity-tables.ts';
import { inTransaction, reading } from '../db/transaction.ts';
import { bool, int, str, timeOrNull } from '../db/column-values.ts';
import { parseInput } from '../input/parse.ts';
import { AuthenticationError } from './errors.ts';
import { decoyHash, verifyPassword } from './passwords.ts';
import { ALL_SCOPES, type Principal } from './principal.ts';
import { email, password } from './users.ts';
import { z } from 'zod';

export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 30 * 24 * 3600;
const ISSUER = 'tradestore';

export interface TokenPair {
  accessToken: string;
  refreshToken: string;
  tokenType: 'bearer';
  expiresIn: number;
}

export interface TokenKeys {
  /** The HMAC key, from SECRET_KEY. */
  secret: Uint8Array;
}

export function tokenKeys(secretKey: string): TokenKeys {
  return { secret: new TextEncoder().encode(secretKey) };
}

const digest = (token: string) => createHash('sha256').update(token).digest('hex');
const INVALID = 'invalid or expired credentials';
const SESSION_SQL = `select u.email, u.role, u.is_active, s.revoked_at from auth_sessions s join users u on u.id = s.user_id
  where s.id = ? and u.id = ?`;

async function issuePair(
  tx: Parameters<Parameters<typeof inTransaction>[1]>[0],
  keys: TokenKeys,
  user: { id: number; role: UserRole },
  sessionId: number,
): Promise<TokenPair> {
  const now = Math.floor(Date.now() / 1000);
  const accessToken = await new SignJWT({ typ: 'access', sid: sessionId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(user.id))
    .setIssuer(ISSUER)
    .setIssuedAt(now)
    .setExpirationTime(now + ACCESS_TTL_SECONDS)
    .sign(keys.secret);
  const refreshToken = await new SignJWT({ typ: 'refresh', sid: sessionId })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(String(user.id))
    .setIssuer(ISSUER)
    .setJti(randomBytes(32).toString('base64url'))
    .setIssuedAt(now)
    .setExpirationTime(now + REFRESH_TTL_SECONDS)
    .sign(keys.secret);
  await tx.run(
    'insert into refresh_tokens (session_id, token_hash, expires_at, created_at) values (?, ?, ?, ?)',
    [
      sessionId,
      digest(refreshToken),
      tx.time(new Date((now + REFRESH_TTL_SECONDS) * 1000)),
      tx.time(new Date()),
    ],
  );
  return { accessToken, refreshToken, tokenType: 'bearer', expiresIn: ACCESS_TTL_SECONDS };
}

const Login = z.object({ email, password }).strict();

/** Email and password → a new login with its token pair. Wrong email and wrong password look the same. */
export async function login(
  store: Store,
  keys: TokenKeys,
  input: { email: string; password: string },
): Promise<TokenPair> {
  const c = parseInput(Login, input, 'login');
  const user = await reading(store, (tx) =>
    tx.get<{ id: unknown; role: unknown; is_active: unknown; password_hash: unknown }>(
      'select id, role, is_active, password_hash from users where email = ?',
      [c.email],
    ),
  );
  const ok = await verifyPassword(c.password, user ? str(user.password_hash) : await decoyHash());
  if (!user || !ok || !bool(user.is_active)) throw new AuthenticationError('wrong email or password');
  return inTransaction(store, async (tx) => {
    const sessionId = (await tx.insert('insert into auth_sessions (user_id, created_at) values (?, ?)', [
      int(user.id),
      tx.time(new Date()),
    ]))!;
    return issuePair(tx, keys, { id: int(user.id), role: str(user.role) as UserRole }, sessionId);
  });
}

/**
 * Access tokens whose signature was already checked, with their claims: the HMAC (WebCrypto,
 * asynchronous) is most of an authenticated request's cost, and the same string carries the same
 * signature. Expiry is still checked on every use, and the session and user on every request.
 */
const verifiedAccess = new Map<
  string,
  {
    userId: number;
    sessionId: number;
    expiresAt: number;
    keys: TokenKeys;
    /** The last principal read for the token and the data version it was read at. */
    principal?: { version: number; principal: Principal };
  }
>();
const VERIFIED_MAX = 10_000;

async function verifyAccess(keys: TokenKeys, token: string) {
  const known = verifiedAccess.get(token);
  if (known && known.keys === keys) {
    if (known.expiresAt > Date.now()) return known;
    verifiedAccess.delete(token);
    throw new AuthenticationError(INVALID);
  }
  const claims = await verify(keys, token, 'access');
  const exp = (decodeJwt(token).exp ?? 0) * 1000;
  if (verifiedAccess.size >= VERIFIED_MAX) verifiedAccess.delete(verifiedAccess.keys().next().value!);
  const entry = { ...claims, expiresAt: exp, keys };
  verifiedAccess.set(token, entry);
  return entry;
}

async function verify(keys: TokenKeys, token: string, typ: 'access' | 'refresh') {
  try {
    // algorithms pinned: a token signed with another algorithm, or `alg: none`, is refused by jose.
    const { payload } = await jwtVerify(token, keys.secret, { algorithms: ['HS256'], issuer: ISSUER });
    if (payload.typ !== typ || typeof payload.sid !== 'number' || !payload.sub)
      throw new AuthenticationError(INVALID);
    return { userId: Number(payload.sub), sessionId: payload.sid };
  } catch (error) {
    if (error instanceof AuthenticationError || error instanceof joseErrors.JOSEError)
      throw new AuthenticationError(INVALID);
    if (error instanceof TypeError) throw new AuthenticationError(INVALID);
    throw error;
  }
}

/** Spends a refresh token for a new pair; a spent one presented again revokes its whole login. */
export async function refreshSession(
  store: Store,
  keys: TokenKeys,
  refreshToken: string,
): Promise<TokenPair> {
  const claims = await verify(keys, refreshToken, 'refresh');
  const outcome = await inTransaction(store, async (tx) => {
    const row = await tx.get<Record<string, unknown>>(
      `select r.id, r.used_at, r.session_id, s.revoked_at, u.id as user_id, u.role, u.is_active
         from refresh_tokens r join auth_sessions s on s.id = r.session_id join users u on u.id = s.user_id
        where r.token_hash = ?${tx.forUpdate}`,
      [digest(refreshToken)],
    );
    if (!row || int(row.session_id) !== claims.sessionId || row.revoked_at !== null || !bool(row.is_active))
      return 'invalid' as const;
    const now = new Date();
    if (row.used_at !== null) {
      await tx.run("update auth_sessions set revoked_at = ?, revoked_reason = 'reuse' where id = ?", [
        tx.time(now),
        claims.sessionId,
      ]);
      return 'reused' as const;
    }
    await tx.run('update refresh_tokens set used_at = ? where id = ?', [tx.time(now), int(row.id)]);
    return issuePair(tx, keys, { id: int(row.user_id), role: str(row.role) as UserRole }, claims.sessionId);
  });
  // The revocation above commits before the refusal: a reused token must end the login for good.
  if (outcome === 'invalid' || outcome === 'reused') throw new AuthenticationError(INVALID);
  return outcome;
}

/** Ends the login the refresh token belongs to (its access tokens stop too). Unknown tokens: a 401. */
export async function logout(store: Store, keys: TokenKeys, refreshToken: string): Promise<void> {
  const claims = await verify(keys, refreshToken, 'refresh');
  const changed = await inTransaction(store, async (tx) => {
    const known = await tx.get('select id from refresh_tokens where token_hash = ? and session_id = ?', [
      digest(refreshToken),
      claims.sessionId,
    ]);
    if (!known) return 0;
    return tx.run(
      "update auth_sessions set revoked_at = coalesce(revoked_at, ?), revoked_reason = coalesce(revoked_reason, 'logout') where id = ?",
      [tx.time(new Date()), claims.sessionId],
    );
  });
  if (changed === 0) throw new AuthenticationError(INVALID);
}

/**
 * The principal of an access token. One indexed query per request: the user's current role and
 * status and whether the login was revoked, so a revoked login or a deactivated user stops at once.
 */
export async function authenticateAccessToken(
  store: Store,
  keys: TokenKeys,
  token: string,
): Promise<Principal> {
  const claims = await verifyAccess(keys, token);
  const row =
    store.dialect === 'sqlite'
      ? sessionRowSqlite(store, claims)
      : await reading(store, (tx) =>
          tx.get<Record<string, unknown>>(SESSION_SQL, [claims.sessionId, claims.userId]),
        );
  return principalFrom(claims, row);
}

/**
 * The same answer without a promise when it can be had synchronously (SQLite, a token already
 * verified): the common case of a bot's requests. undefined: ask authenticateAccessToken.
 */
export function authenticateAccessTokenNow(
  store: Store,
  keys: TokenKeys,
  token: string,
  /** The store's data version read at the start of the request (src/db/data-version.ts). */
  version: number | null = dataVersion(store),
): Principal | undefined {
  if (store.dialect !== 'sqlite') return undefined;
  const known = verifiedAccess.get(token);
  if (!known || known.keys !== keys || known.expiresAt <= Date.now()) return undefined;
  // The principal read at a data version stands while that version holds. Invalidation rule:
  // SQLite's data_version (src/db/data-version.ts, read on the reader connection) changes with
  // every commit by any other connection, this server's writer included, so a revoked login, a
  // deactivated user or a changed role (each a commit) is read again on the very next request.
  // It is read before the row: a commit landing after it makes the next request re-read. Expiry
  // is checked above on every request. No version (in-memory SQLite): read every time.
  const cached = known.principal;
  if (version !== null && cached !== undefined && cached.version === version) return cached.principal;
  const principal = principalFrom(known, sessionRowSqlite(store, known));
  if (version !== null) known.principal = { version, principal };
  return principal;
}

// A synchronous prepared read on the reader connection (committed state, no lock): it runs on
// every request, and the async path costs ten times more on SQLite.
function sessionRowSqlite(store: Store, claims: { userId: number; sessionId: number }) {
  return store.readSqlite((db) => prepared(db, SESSION_SQL).get(claims.sessionId, claims.userId)) as
    Record<string, unknown> | undefined;
}

function principalFrom(
  claims: { userId: number; sessionId: number },
  row: Record<string, unknown> | undefined,
): Principal {
  if (!row || timeOrNull(row.revoked_at) !== null || !bool(row.is_active))
    throw new AuthenticationError(INVALID);
  return {
    userId: claims.userId,
    email: str(row.email),
    role: str(row.role) as UserRole,
    via: 'token',
    scopes: ALL_SCOPES,
    portfolioIds: null,
    sessionId: claims.sessionId,
  };
}
