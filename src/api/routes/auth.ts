/** Registration, login, token refresh and logout: public routes (the credentials are the body). */
import { z } from 'zod';
import { login, logout, refreshSession } from '../../accounts/sessions.ts';
import { getUser, hasUsers, registerUser, updateUser } from '../../accounts/users.ts';
import { route, type RouteContext } from '../route.ts';
import { credentials, me, ownSettings, registered, refreshBody, tokenPair } from '../schemas/accounts.ts';
import { toWire } from '../../db/wire.ts';

export const authRoutes = [
  route({
    method: 'POST',
    url: '/auth/register',
    summary: 'Register (the first user of an empty store becomes admin; later ones need ALLOW_SIGNUP=true)',
    tag: 'auth',
    auth: 'public',
    status: 201,
    schema: { body: credentials, response: registered },
    handler: async (req, ctx) => {
      const u = await registerUser(ctx.store, req.body, {
        allowSignup: ctx.deps.config.ALLOW_SIGNUP ?? false,
      });
      return { id: u.id, email: u.email, role: u.role };
    },
  }),
  route({
    method: 'GET',
    url: '/auth/setup',
    summary:
      'Whether the store has no user yet (the first registration creates the admin) and signup is open',
    tag: 'auth',
    auth: 'public',
    schema: { response: z.object({ needs_admin: z.boolean(), signup_open: z.boolean() }) },
    handler: async (_req, ctx) => ({
      needs_admin: !(await hasUsers(ctx.store)),
      signup_open: ctx.deps.config.ALLOW_SIGNUP ?? false,
    }),
  }),
  route({
    method: 'POST',
    url: '/auth/login',
    summary: 'Log in: an access token (15 min) and a refresh token (30 days)',
    tag: 'auth',
    auth: 'public',
    rateLimit: [
      { max: 10, per: 'ip' },
      { max: 10, per: 'email' },
    ],
    schema: { body: credentials, response: tokenPair },
    handler: async (req, ctx) => toWire(await login(ctx.store, ctx.deps.keys, req.body)),
  }),
  route({
    method: 'POST',
    url: '/auth/refresh',
    summary: 'Rotate: a new pair for a refresh token; a spent one presented again revokes the whole login',
    tag: 'auth',
    auth: 'public',
    schema: { body: refreshBody, response: tokenPair },
    handler: async (req, ctx) =>
      toWire(await refreshSession(ctx.store, ctx.deps.keys, req.body.refresh_token)),
  }),
  route({
    method: 'POST',
    url: '/auth/logout',
    summary: 'Log out: revokes the refresh token and every token of its login',
    tag: 'auth',
    auth: 'public',
    status: 204,
    schema: { body: refreshBody, response: z.null() },
    handler: async (req, ctx) => {
      await logout(ctx.store, ctx.deps.keys, req.body.refresh_token);
      return null;
    },
  }),
  route({
    method: 'GET',
    url: '/auth/me',
    summary: 'Who the credentials belong to, and their settings (time zone)',
    tag: 'auth',
    auth: 'read',
    schema: { response: me },
    handler: async (_req, ctx) => whoAmI(ctx, (await getUser(ctx.store, ctx.principal.userId)).timeZone),
  }),
  route({
    method: 'PATCH',
    url: '/auth/me',
    summary: 'Change your own settings: the IANA time zone every time is displayed in',
    tag: 'auth',
    auth: 'read',
    schema: { body: ownSettings, response: me },
    handler: async (req, ctx) => {
      const u = await updateUser(ctx.store, { userId: ctx.principal.userId, timeZone: req.body.time_zone });
      return whoAmI(ctx, u.timeZone);
    },
  }),
];

function whoAmI(ctx: RouteContext, timeZone: string) {
  const p = ctx.principal;
  return {
    id: p.userId,
    email: p.email,
    role: p.role,
    time_zone: timeZone,
    via: p.via,
    scopes: [...p.scopes],
    portfolio_ids: p.portfolioIds,
  };
}
