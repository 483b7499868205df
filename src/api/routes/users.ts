/** Users (admin) and the caller's API keys. */
import { z } from 'zod';
import { createApiKey, deleteApiKey, pageApiKeys } from '../../accounts/api-keys.ts';
import { AccessDeniedError } from '../../accounts/errors.ts';
import { createUser, getUser, listUsers, type NewUserInput, updateUser } from '../../accounts/users.ts';
import { route } from '../route.ts';
import { apiKey, createdApiKey, newApiKey, newUser, user, userChange } from '../schemas/accounts.ts';
import { decodeCursor, idParams, page, pageQuery } from '../schemas/common.ts';
import { fromWire, toWire } from '../../db/wire.ts';
import { arrayPage, keysetOf, pageOut } from './helpers.ts';

export const userRoutes = [
  route({
    method: 'POST',
    url: '/users',
    summary: 'Create a user with a role (admin)',
    tag: 'users',
    auth: 'admin',
    status: 201,
    schema: { body: newUser, response: user },
    handler: async (req, ctx) => toWire(await createUser(ctx.store, fromWire(req.body) as NewUserInput)),
  }),
  route({
    method: 'GET',
    url: '/users',
    summary: 'Users, newest first (admin)',
    tag: 'users',
    auth: 'admin',
    schema: {
      querystring: z.object({ limit: pageQuery.limit, cursor: pageQuery.cursor }),
      response: page(user),
    },
    handler: async (req, ctx) => {
      const beforeId = decodeCursor(req.query.cursor);
      const rows = await listUsers(ctx.store, {
        limit: req.query.limit + 1,
        ...(beforeId ? { beforeId } : {}),
      });
      return arrayPage(rows, req.query.limit);
    },
  }),
  route({
    method: 'GET',
    url: '/users/:id',
    summary: 'A user (admin)',
    tag: 'users',
    auth: 'admin',
    schema: { params: idParams, response: user },
    handler: async (req, ctx) => toWire(await getUser(ctx.store, req.params.id)),
  }),
  route({
    method: 'PATCH',
    url: '/users/:id',
    summary: 'Change a role or deactivate a user (admin); deactivating ends their logins',
    tag: 'users',
    auth: 'admin',
    schema: { params: idParams, body: userChange, response: user },
    handler: async (req, ctx) =>
      toWire(await updateUser(ctx.store, { ...fromWire(req.body), userId: req.params.id })),
  }),
  route({
    method: 'POST',
    url: '/api-keys',
    summary: 'Create an API key for a bot; the key is shown once',
    tag: 'api-keys',
    auth: 'read',
    status: 201,
    schema: { body: newApiKey, response: createdApiKey },
    handler: async (req, ctx) => {
      // A key never carries more than its creator: no admin scope without the admin role, and
      // a key cannot be minted by another key with fewer scopes.
      const scopes = req.body.scopes;
      const creator = ctx.principal;
      if (scopes.includes('admin') && creator.role !== 'admin')
        throw new AccessDeniedError('only an admin may create an admin key');
      if (scopes.some((s) => !creator.scopes.has(s)))
        throw new AccessDeniedError('a key cannot grant scopes its creator lacks');
      if (scopes.includes('trade') && creator.role === 'viewer')
        throw new AccessDeniedError('a viewer cannot create a trade key');
      const limits = req.body.portfolio_ids ?? creator.portfolioIds;
      if (creator.portfolioIds !== null && limits!.some((id) => !creator.portfolioIds!.includes(id)))
        throw new AccessDeniedError('a key cannot reach portfolios its creator cannot');
      const { key, apiKey: view } = await createApiKey(ctx.store, {
        userId: creator.userId,
        name: req.body.name,
        scopes,
        portfolioIds: limits ? [...limits] : null,
        ...(req.body.expires_at ? { expiresAt: req.body.expires_at } : {}),
      });
      return { ...(toWire(view) as object), key };
    },
  }),
  route({
    method: 'GET',
    url: '/api-keys',
    summary: 'Your API keys (never the keys themselves)',
    tag: 'api-keys',
    auth: 'read',
    schema: {
      querystring: z.object({ limit: pageQuery.limit, cursor: pageQuery.cursor }),
      response: page(apiKey),
    },
    handler: async (req, ctx) =>
      pageOut(await pageApiKeys(ctx.store, ctx.principal.userId, keysetOf(req.query))),
  }),
  route({
    method: 'DELETE',
    url: '/api-keys/:id',
    summary: 'Delete one of your API keys; it stops working at once',
    tag: 'api-keys',
    auth: 'read',
    status: 204,
    schema: { params: idParams, response: z.null() },
    handler: async (req, ctx) => {
      await deleteApiKey(ctx.store, {
        keyId: req.params.id,
        userId: ctx.principal.role === 'admin' ? null : ctx.principal.userId,
      });
      return null;
    },
  }),
];
