/** Wire shapes of users, sessions, API keys and portfolio sharing. */
import { z } from 'zod';
import { API_KEY_SCOPES, PORTFOLIO_ACCESS_ROLES } from '../../entities/account-tables.ts';
import { USER_ROLES } from '../../entities/identity-tables.ts';
import { idOut, time, timeOut } from './common.ts';

export const credentials = z.object({
  email: z.string().max(320).meta({ example: 'bot@example.com' }),
  password: z.string().max(1024),
});

export const user = z
  .object({
    id: idOut,
    email: z.string(),
    role: z.enum(USER_ROLES),
    is_active: z.boolean(),
    time_zone: z
      .string()
      .meta({ description: 'IANA zone the dashboard shows every time in', example: 'Europe/Paris' }),
    created_at: timeOut,
  })
  .meta({ id: 'User' });
export const registered = z.object({ id: idOut, email: z.string(), role: z.enum(USER_ROLES) });

const zoneIn = z
  .string()
  .max(64)
  .meta({ description: 'an IANA time zone name', example: 'America/New_York' });
export const newUser = credentials.extend({
  role: z.enum(USER_ROLES).default('viewer'),
  time_zone: zoneIn.optional(),
});
export const userChange = z.object({
  role: z.enum(USER_ROLES).optional(),
  is_active: z.boolean().optional(),
  time_zone: zoneIn.optional(),
});
/** What a user changes about themselves (PATCH /auth/me). */
export const ownSettings = z.object({ time_zone: zoneIn });
export const me = user.pick({ id: true, email: true, role: true, time_zone: true }).extend({
  via: z.enum(['token', 'api_key']),
  scopes: z.array(z.string()),
  portfolio_ids: z.array(z.number().int()).nullable(),
});

export const tokenPair = z
  .object({
    access_token: z.string(),
    refresh_token: z.string(),
    token_type: z.literal('bearer'),
    expires_in: z.number().int().meta({ description: 'seconds the access token is valid' }),
  })
  .meta({ id: 'TokenPair' });
export const refreshBody = z.object({ refresh_token: z.string().max(4096) });

export const newApiKey = z.object({
  name: z.string().max(255),
  scopes: z.array(z.enum(API_KEY_SCOPES)).min(1),
  portfolio_ids: z.array(z.number().int().positive()).min(1).nullable().optional(),
  expires_at: time.nullable().optional(),
});
export const apiKey = z
  .object({
    id: idOut,
    name: z.string(),
    prefix: z.string(),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    portfolio_ids: z.array(idOut).nullable(),
    expires_at: timeOut.nullable(),
    last_used_at: timeOut.nullable(),
    created_at: timeOut,
  })
  .meta({ id: 'ApiKey' });
export const createdApiKey = apiKey.extend({
  key: z.string().meta({ description: 'the key itself: shown this once, stored only as a hash' }),
});

export const grant = z.object({ email: z.string().max(320), role: z.enum(PORTFOLIO_ACCESS_ROLES) });
export const access = z
  .object({
    id: idOut,
    portfolio_id: idOut,
    user_id: idOut,
    email: z.string(),
    role: z.enum(PORTFOLIO_ACCESS_ROLES),
    granted_by: z.string(),
    created_at: timeOut,
  })
  .meta({ id: 'PortfolioAccess' });
