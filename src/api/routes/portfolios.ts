/** Portfolios: open, read, change; their risk config, snapshots (the equity curve) and sharing. */
import { z } from 'zod';
import { grantPortfolioAccess, listPortfolioAccess, revokePortfolioAccess } from '../../accounts/access.ts';
import { AccessDeniedError } from '../../accounts/errors.ts';
import { readPage } from '../../execution/pages.ts';
import { NotFoundError } from '../../input/errors.ts';
import { createPortfolio, getPortfolio, updatePortfolio } from '../../portfolios/portfolios.ts';
import {
  getRiskConfig,
  removePortfolioRiskConfig,
  setGlobalRiskConfig,
  setPortfolioRiskConfig,
} from '../../portfolios/risk-configs.ts';
import { takePortfolioSnapshot } from '../../portfolios/snapshots.ts';
import { computePortfolioPerformance } from '../../strategies/strategy-performance.ts';
import { route } from '../route.ts';
import { access, grant } from '../schemas/accounts.ts';
import { idParams, jsonObject, page, pageQuery } from '../schemas/common.ts';
import {
  newPortfolio,
  portfolio,
  portfolioChange,
  riskConfig,
  riskConfigPatch,
  snapshot,
} from '../schemas/trading.ts';
import { fromWire, toWire } from '../../db/wire.ts';
import { pageOptions, pageOut, settingsWrite } from './helpers.ts';

const path = { from: 'path' } as const;

export const portfolioRoutes = [
  route({
    method: 'POST',
    url: '/portfolios',
    summary: 'Open a portfolio (yours; an admin may give owner_id)',
    tag: 'portfolios',
    auth: 'trade',
    status: 201,
    schema: { body: newPortfolio, response: portfolio },
    handler: async (req, ctx) => {
      const { owner_id: ownerId, ...fields } = req.body;
      if (ownerId !== undefined && ownerId !== ctx.principal.userId && ctx.principal.role !== 'admin')
        throw new AccessDeniedError('only an admin opens portfolios for another user');
      return toWire(
        await createPortfolio(ctx.store, { ...fromWire(fields), owner: ownerId ?? ctx.principal.userId }),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/portfolios',
    summary: 'Portfolios you own or were granted (all for an admin), newest first',
    tag: 'portfolios',
    auth: 'read',
    schema: {
      querystring: z.object({ ...pageQuery, status: z.enum(['active', 'paused', 'closed']).optional() }),
      response: page(portfolio),
    },
    handler: async (req, ctx) => {
      const visible = await ctx.visiblePortfolios();
      return pageOut(
        await readPage(ctx.store, 'portfolios', {
          ...pageOptions(req.query),
          ...(visible ? { portfolioIds: visible } : {}),
          filters: { status: req.query.status },
        }),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/portfolios/:id',
    summary: 'A portfolio',
    tag: 'portfolios',
    auth: 'read',
    portfolio: path,
    schema: { params: idParams, response: portfolio },
    handler: async (req, ctx) => toWire(await getPortfolio(ctx.store, req.params.id)),
  }),
  route({
    method: 'PATCH',
    url: '/portfolios/:id',
    summary: 'Change name, description, limits or status (cash and balances are not editable)',
    tag: 'portfolios',
    auth: 'trade',
    portfolio: path,
    schema: { params: idParams, body: portfolioChange, response: portfolio },
    handler: async (req, ctx) =>
      toWire(await updatePortfolio(ctx.store, { ...fromWire(req.body), portfolioId: req.params.id })),
  }),
  route({
    method: 'GET',
    url: '/portfolios/:id/risk-config',
    summary: "The portfolio's risk override (404 when it has none: the global row applies)",
    tag: 'risk',
    auth: 'read',
    portfolio: path,
    schema: { params: idParams, response: riskConfig },
    handler: async (req, ctx) => {
      const row = await getRiskConfig(ctx.store, { portfolioId: req.params.id });
      if (!row) throw new NotFoundError(`portfolio ${req.params.id} has no risk config of its own`);
      return toWire(row);
    },
  }),
  route({
    method: 'PUT',
    url: '/portfolios/:id/risk-config',
    summary: "Set the portfolio's risk override (the risk_configs columns as fields)",
    tag: 'risk',
    auth: 'trade',
    portfolio: path,
    schema: { params: idParams, body: riskConfigPatch, response: riskConfig },
    handler: async (req, ctx) =>
      toWire(
        await settingsWrite(ctx, 'risk_configs', () =>
          setPortfolioRiskConfig(ctx.store, { ...fromWire(req.body), portfolioId: req.params.id }),
        ),
      ),
  }),
  route({
    method: 'DELETE',
    url: '/portfolios/:id/risk-config',
    summary: "Drop the portfolio's override (the global row applies again)",
    tag: 'risk',
    auth: 'trade',
    portfolio: path,
    status: 204,
    schema: { params: idParams, response: z.null() },
    handler: async (req, ctx) => {
      const removed = await settingsWrite(ctx, 'risk_configs', () =>
        removePortfolioRiskConfig(ctx.store, { portfolioId: req.params.id }),
      );
      if (!removed) throw new NotFoundError(`portfolio ${req.params.id} has no risk config of its own`);
      return null;
    },
  }),
  route({
    method: 'GET',
    url: '/risk-config',
    summary: 'The global risk config (the control panel)',
    tag: 'risk',
    auth: 'read',
    schema: { response: riskConfig },
    handler: async (_req, ctx) => {
      const row = await getRiskConfig(ctx.store, {});
      if (!row) throw new NotFoundError('no global risk config yet: PUT /risk-config creates it');
      return toWire(row);
    },
  }),
  route({
    method: 'PUT',
    url: '/risk-config',
    summary: 'Set the global risk config (admin)',
    tag: 'risk',
    auth: 'admin',
    schema: { body: riskConfigPatch, response: riskConfig },
    handler: async (req, ctx) =>
      toWire(
        await settingsWrite(ctx, 'risk_configs', () => setGlobalRiskConfig(ctx.store, fromWire(req.body))),
      ),
  }),
  route({
    method: 'GET',
    url: '/portfolios/:id/snapshots',
    summary: 'Snapshots of the portfolio (its equity curve), newest first',
    tag: 'portfolios',
    auth: 'read',
    portfolio: path,
    schema: { params: idParams, querystring: z.object(pageQuery), response: page(snapshot) },
    handler: async (req, ctx) =>
      pageOut(
        await readPage(ctx.store, 'snapshots', { ...pageOptions(req.query), portfolioIds: [req.params.id] }),
      ),
  }),
  route({
    method: 'POST',
    url: '/portfolios/:id/snapshots',
    summary: 'Take a snapshot now: cash, positions marked at the latest close, equity',
    tag: 'portfolios',
    auth: 'trade',
    portfolio: path,
    status: 201,
    schema: {
      params: idParams,
      body: z
        .object({ test_mode: z.boolean().optional(), bot_version: z.string().max(64).optional() })
        .optional(),
      response: snapshot,
    },
    handler: async (req, ctx) =>
      toWire(
        (await takePortfolioSnapshot(ctx.store, { ...fromWire(req.body ?? {}), portfolioId: req.params.id }))
          .snapshot,
      ),
  }),
  route({
    method: 'GET',
    url: '/portfolios/:id/performance',
    summary: "The portfolio's performance over its round trips (exact)",
    tag: 'stats',
    auth: 'read',
    portfolio: path,
    schema: {
      params: idParams,
      querystring: z.object({ window: z.string().max(16).optional(), test_mode: pageQuery.test_mode }),
      response: jsonObject,
    },
    handler: async (req, ctx) =>
      toWire(
        await computePortfolioPerformance(ctx.store, {
          portfolioId: req.params.id,
          ...(req.query.window ? { window: req.query.window } : {}),
          ...(req.query.test_mode ? { testMode: true } : {}),
        }),
      ),
  }),
  route({
    method: 'GET',
    url: '/portfolios/:id/access',
    summary: 'Who the portfolio is shared with',
    tag: 'sharing',
    auth: 'read',
    portfolio: path,
    schema: { params: idParams, response: z.object({ data: z.array(access), next_cursor: z.null() }) },
    handler: async (req, ctx) => ({
      data: (await listPortfolioAccess(ctx.store, req.params.id)).map(toWire),
      next_cursor: null,
    }),
  }),
  route({
    method: 'POST',
    url: '/portfolios/:id/access',
    summary: 'Share the portfolio: viewer (reads) or trader (acts)',
    tag: 'sharing',
    auth: 'trade',
    portfolio: path,
    status: 201,
    schema: { params: idParams, body: grant, response: access },
    handler: async (req, ctx) => {
      await assertOwner(ctx, req.params.id);
      return toWire(
        await grantPortfolioAccess(ctx.store, {
          portfolioId: req.params.id,
          ...req.body,
          grantedBy: ctx.principal.email,
        }),
      );
    },
  }),
  route({
    method: 'DELETE',
    url: '/portfolios/:id/access/:user_id',
    summary: "Revoke a user's access to the portfolio",
    tag: 'sharing',
    auth: 'trade',
    portfolio: path,
    status: 204,
    schema: {
      params: z.object({ id: idParams.shape.id, user_id: z.coerce.number().int().positive() }),
      response: z.null(),
    },
    handler: async (req, ctx) => {
      await assertOwner(ctx, req.params.id);
      await revokePortfolioAccess(ctx.store, { portfolioId: req.params.id, userId: req.params.user_id });
      return null;
    },
  }),
];

/** Sharing is the owner's (or an admin's) decision, not a grantee's. */
async function assertOwner(
  ctx: { store: Parameters<typeof getPortfolio>[0]; principal: { role: string; userId: number } },
  portfolioId: number,
) {
  if (ctx.principal.role === 'admin') return;
  const p = await getPortfolio(ctx.store, portfolioId);
  if (p.ownerId !== ctx.principal.userId) throw new AccessDeniedError('only the owner shares a portfolio');
}
