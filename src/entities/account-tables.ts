import { defineEntity, p } from '@mikro-orm/core';
import { createdAt } from './common.ts';
import { User } from './identity-tables.ts';
import { Portfolio } from './portfolio-tables.ts';

export const API_KEY_SCOPES = ['read', 'trade', 'admin'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const PORTFOLIO_ACCESS_ROLES = ['viewer', 'trader'] as const;
export type PortfolioAccessRole = (typeof PORTFOLIO_ACCESS_ROLES)[number];

/**
 * One login: every refresh token a login's rotations produce belongs to it, and access tokens name
 * it (`sid`), so revoking the session (logout, or a refresh token presented twice) stops all of
 * them at once. Cascades with its user.
 */
export const AuthSessionSchema = defineEntity({
  name: 'AuthSession',
  tableName: 'auth_sessions',
  properties: {
    id: p.integer().primary().autoincrement(),
    user: () => p.manyToOne(User).deleteRule('cascade').index('auth_sessions_user_id_index'),
    createdAt: createdAt(),
    revokedAt: p.datetime().nullable(),
    /** logout, reuse (a rotated refresh token came back) or admin. */
    revokedReason: p.string().length(32).nullable(),
  },
});

export class AuthSession extends AuthSessionSchema.class {}
AuthSessionSchema.setClass(AuthSession);

/**
 * Refresh tokens, stored as the sha256 of the token (the token itself is a signed JWT with 256
 * random bits of id; a digest is enough to find it and useless to whoever reads the table).
 * `used_at` is set when it was exchanged for a new pair: presenting it again is reuse.
 */
export const RefreshTokenSchema = defineEntity({
  name: 'RefreshToken',
  tableName: 'refresh_tokens',
  properties: {
    id: p.integer().primary().autoincrement(),
    session: () => p.manyToOne(AuthSession).deleteRule('cascade').index('refresh_tokens_session_id_index'),
    tokenHash: p.string().length(64).unique('refresh_tokens_token_hash_unique'),
    expiresAt: p.datetime(),
    usedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});

export class RefreshToken extends RefreshTokenSchema.class {}
RefreshTokenSchema.setClass(RefreshToken);

/**
 * Keys for bots. Only the sha256 of the key is stored (a key is 32 random bytes, so a plain digest
 * cannot be brute-forced); `prefix` is the key's first characters, shown in listings so a user can
 * tell keys apart. `scopes` and `portfolio_ids` are JSON arrays; portfolio_ids null means every
 * portfolio the user may reach. A deleted key is gone: the next request with it is a 401.
 */
export const ApiKeySchema = defineEntity({
  name: 'ApiKey',
  tableName: 'api_keys',
  properties: {
    id: p.integer().primary().autoincrement(),
    user: () => p.manyToOne(User).deleteRule('cascade').index('api_keys_user_id_index'),
    name: p.string().length(255),
    prefix: p.string().length(16),
    keyHash: p.string().length(64).unique('api_keys_key_hash_unique'),
    scopes: p.json<ApiKeyScope[]>(),
    portfolioIds: p.json<number[]>().nullable(),
    expiresAt: p.datetime().nullable(),
    lastUsedAt: p.datetime().nullable(),
    createdAt: createdAt(),
  },
});

export class ApiKey extends ApiKeySchema.class {}
ApiKeySchema.setClass(ApiKey);

/**
 * A portfolio shared with another user: `viewer` reads it, `trader` also acts on it. The owner
 * (portfolios.owner_id) needs no row. One grant per (portfolio, user); both cascade.
 */
export const PortfolioAccessSchema = defineEntity({
  name: 'PortfolioAccess',
  tableName: 'portfolio_access',
  properties: {
    id: p.integer().primary().autoincrement(),
    portfolio: () => p.manyToOne(Portfolio).deleteRule('cascade').index(false),
    user: () => p.manyToOne(User).deleteRule('cascade').index('portfolio_access_user_id_index'),
    role: p.enum(PORTFOLIO_ACCESS_ROLES),
    grantedBy: p.string().length(320),
    createdAt: createdAt(),
  },
  uniques: [{ name: 'portfolio_access_portfolio_id_user_id_unique', properties: ['portfolio', 'user'] }],
});

export class PortfolioAccess extends PortfolioAccessSchema.class {}
PortfolioAccessSchema.setClass(PortfolioAccess);

/**
 * Tables that hold credentials (or their digests): made only by their owners logging in or
 * creating keys, never by seeds or imports.
 */
export const CREDENTIAL_TABLES: readonly string[] = ['auth_sessions', 'refresh_tokens', 'api_keys'];
