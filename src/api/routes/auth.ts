/** Registration, login, token refresh and logout: public routes (the credentials are the body). */
import { z } from 'zod';
import { login, logout, refreshSession } from '../../accounts/sessions.ts';
import { hasUsers, registerUser } from '../../accounts/users.ts';
import { route } from '../route.ts';
import { credentials, registered, refreshBody, tokenPair, user } from '../schemas/accounts.ts';
import { toWire } from '../wire.ts';

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
    summary: 'Who the credentials belong to',
    tag: 'auth',
    auth: 'read',
    schema: {
      response: user.pick({ id: true, email: true, role: true }).extend({
        via: z.enum(['token', 'api_key']),
        scopes: z.array(z.string()),
        portfolio_ids: z.array(z.number().int()).nullable(),
      }),
    },
    handler: async (_req, ctx) => ({
      id: ctx.principal.userId,
      email: ctx.principal.email,
      role: ctx.principal.role,
      via: ctx.principal.via,
      scopes: [...ctx.principal.scopes],
      portfolio_ids: ctx.principal.portfolioIds,
    }),
  }),
];
