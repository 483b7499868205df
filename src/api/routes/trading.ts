/**
 * The trading chain over HTTP: signals (with `act: true`, the whole chain), trade ideas and their
 * verdicts, orders (idempotent by Idempotency-Key / client_order_id), fills, and the read-only
 * history (positions, trades, decisions), each list a keyset page.
 */
import { z } from 'zod';
import { actOnSignal } from '../../execution/chain.ts';
import { listFills, recordFill } from '../../execution/fills.ts';
import {
  approveTradeIdea,
  evaluateTradeIdea,
  getTradeIdea,
  proposeTradeIdea,
  queueTradeIdea,
  rejectTradeIdea,
} from '../../execution/ideas.ts';
import { cancelOrder, getOrder, placeOrder } from '../../execution/orders.ts';
import { type PagedName, readPage } from '../../execution/pages.ts';
import { getSignal, recordSignal } from '../../execution/signals.ts';
import { getTradeChain } from '../../execution/trade-chain.ts';
import { getTrade } from '../../execution/trades.ts';
import { InvalidInputError, NotFoundError } from '../../input/errors.ts';
import { route, type RouteContext } from '../route.ts';
import { idParams, page, pageQuery, portfolioFilter, syncQuery } from '../schemas/common.ts';
import {
  chainResult,
  decided,
  decision,
  fill,
  fillResult,
  idea,
  newFill,
  newIdea,
  newOrder,
  newSignal,
  order,
  orderChange,
  position,
  proposal,
  signal,
  trade,
  tradeChain,
  verdict,
} from '../schemas/trading.ts';
import { fromWire, toWire } from '../../db/wire.ts';
import { pageOptions, pageOut } from './helpers.ts';

const id = z.coerce.number().int().positive();
const row = (resource: 'orders' | 'trade_ideas' | 'trades' | 'signals') =>
  ({ from: 'row', resource }) as const;
const PAGE_FILTERS: Record<string, z.ZodType> = {
  strategy_id: id.optional(),
  asset_id: id.optional(),
  order_id: id.optional(),
  trade_idea_id: id.optional(),
  signal_id: id.optional(),
  status: z.string().max(32).optional(),
  outcome: z.string().max(16).optional(),
  side: z.string().max(8).optional(),
  action: z.string().max(32).optional(),
};

/** A GET list of a paged resource: filters by name, the caller's portfolios only. */
function listRoute(
  name: PagedName,
  url: string,
  item: z.ZodType,
  filters: string[],
  sync: boolean,
  summary: string,
) {
  const query = z.object({
    ...pageQuery,
    ...(sync ? syncQuery : {}),
    ...portfolioFilter,
    ...Object.fromEntries(filters.map((f) => [f, PAGE_FILTERS[f]!])),
  });
  return route({
    method: 'GET',
    url,
    summary,
    tag: url.split('/')[1]!,
    auth: 'read',
    portfolio: { from: 'query', optional: true },
    schema: { querystring: query, response: page(item) },
    handler: async (req, ctx) => {
      const q = req.query as Record<string, unknown> & Parameters<typeof pageOptions>[0];
      const given: Record<string, unknown> = {};
      for (const f of filters) given[fromWireKey(f)] = q[f];
      // Positions: open ones unless a status is asked for, or the client syncs (then every change).
      if (name === 'positions' && q.status === undefined && q.changed_since === undefined)
        given.status = 'open';
      if (given.status === 'all') delete given.status;
      return pageOut(
        await readPage(ctx.store, name, {
          ...pageOptions(q),
          ...(await portfoliosFor(ctx, q.portfolio_id as number | undefined)),
          filters: given,
        }),
      );
    },
  });
}

const fromWireKey = (k: string) => k.replace(/_([a-z])/g, (_m, c: string) => c.toUpperCase());

/** The named portfolio (authorized already) or every one the caller may see. */
async function portfoliosFor(ctx: RouteContext, portfolioId: number | undefined) {
  if (portfolioId !== undefined) return { portfolioIds: [portfolioId] };
  const visible = await ctx.visiblePortfolios();
  return visible ? { portfolioIds: visible } : {};
}

export const tradingRoutes = [
  route({
    method: 'POST',
    url: '/signals',
    summary:
      'Record a signal; with act: true run the chain (idea through the risk gate, then order and fill when auto-executed), one transaction',
    tag: 'signals',
    auth: 'trade',
    portfolio: { from: 'body', optional: true },
    status: 201,
    schema: { body: newSignal, response: chainResult },
    handler: async (req, ctx) => {
      const { act, idea: terms, order: orderTerms, fill: fillTerms, ...signalFields } = req.body;
      const signalInput = fromWire(signalFields) as Parameters<typeof recordSignal>[1];
      if (!act) {
        if (terms || orderTerms || fillTerms)
          throw new InvalidInputError('signal', [
            { path: 'act', message: 'idea, order and fill need act: true' },
          ]);
        const s = await recordSignal(ctx.store, signalInput);
        return {
          signal: toWire(s),
          idea: null,
          verdict: null,
          decision: null,
          order: null,
          fill: null,
          position: null,
        };
      }
      const r = await actOnSignal(ctx.store, {
        signal: signalInput,
        ...(terms ? { idea: fromWire(terms) } : {}),
        ...(orderTerms ? { order: fromWire(orderTerms) } : {}),
        ...(fillTerms ? { fill: fromWire(fillTerms) } : {}),
      });
      return {
        signal: toWire(r.signal),
        idea: toWire(r.proposal?.idea ?? null),
        verdict: r.proposal?.risk.verdict ?? null,
        decision: toWire(r.proposal?.decision ?? null),
        order: toWire(r.fill?.order ?? r.order),
        fill: toWire(r.fill?.fill ?? null),
        position: toWire(r.fill?.position ?? null),
      };
    },
  }),
  listRoute(
    'signals',
    '/signals',
    signal,
    ['strategy_id', 'asset_id', 'action'],
    false,
    'Signals, newest first',
  ),
  route({
    method: 'GET',
    url: '/signals/:id',
    summary: 'A signal',
    tag: 'signals',
    auth: 'read',
    portfolio: row('signals'),
    schema: { params: idParams, response: signal },
    handler: async (req, ctx) => toWire(await getSignal(ctx.store, req.params.id)),
  }),
  route({
    method: 'POST',
    url: '/trade-ideas',
    summary:
      'Propose a trade idea (the risk gate decides now), or queue it (queue: true) for POST /trade-ideas/{id}/evaluate',
    tag: 'trade-ideas',
    auth: 'trade',
    portfolio: { from: 'body', optional: true },
    status: 201,
    schema: { body: newIdea, response: proposal.partial({ verdict: true, risk: true, decision: true }) },
    handler: async (req, ctx) => {
      const { queue, ...fields } = req.body;
      const input = fromWire(fields) as Parameters<typeof proposeTradeIdea>[1];
      if (input.signalId !== undefined) await assertSignalReachable(ctx, input.signalId);
      if (queue) return { idea: toWire(await queueTradeIdea(ctx.store, input)) };
      const p = await proposeTradeIdea(ctx.store, input);
      return {
        idea: toWire(p.idea),
        verdict: p.risk.verdict,
        risk: toWire(p.risk),
        decision: toWire(p.decision),
      };
    },
  }),
  listRoute(
    'tradeIdeas',
    '/trade-ideas',
    idea,
    ['strategy_id', 'asset_id', 'status', 'signal_id'],
    true,
    'Trade ideas, newest first (status=needs_approval is the approval queue)',
  ),
  route({
    method: 'GET',
    url: '/trade-ideas/:id',
    summary: 'A trade idea',
    tag: 'trade-ideas',
    auth: 'read',
    portfolio: row('trade_ideas'),
    schema: { params: idParams, response: idea },
    handler: async (req, ctx) => toWire(await getTradeIdea(ctx.store, req.params.id)),
  }),
  route({
    method: 'POST',
    url: '/trade-ideas/:id/evaluate',
    summary: 'Run the risk gate on a waiting idea',
    tag: 'trade-ideas',
    auth: 'trade',
    portfolio: row('trade_ideas'),
    schema: { params: idParams, response: proposal },
    handler: async (req, ctx) => {
      const p = await evaluateTradeIdea(ctx.store, { ideaId: req.params.id });
      return {
        idea: toWire(p.idea),
        verdict: p.risk.verdict,
        risk: toWire(p.risk),
        decision: toWire(p.decision),
      };
    },
  }),
  ...(['approve', 'reject'] as const).map((verb) =>
    route({
      method: 'POST',
      url: `/trade-ideas/:id/${verb}`,
      summary:
        verb === 'approve'
          ? 'Approve an idea that needs approval (the gate re-checks its hard limits first)'
          : 'Reject a waiting idea or one that needs approval',
      tag: 'trade-ideas',
      auth: 'trade',
      portfolio: row('trade_ideas'),
      schema: { params: idParams, body: verdict.optional(), response: decided },
      handler: async (req, ctx) => {
        const decide = verb === 'approve' ? approveTradeIdea : rejectTradeIdea;
        const r = await decide(ctx.store, {
          ideaId: req.params.id,
          user: ctx.principal.userId,
          ...(req.body?.reason ? { rationale: req.body.reason } : {}),
        });
        return { idea: toWire(r.idea), decision: toWire(r.decision) };
      },
    }),
  ),
  route({
    method: 'POST',
    url: '/orders',
    summary:
      'Place an order. Idempotent: the same Idempotency-Key (or client_order_id) again returns the first order (200), not a second one',
    tag: 'orders',
    auth: 'trade',
    portfolio: { from: 'body' },
    status: 201,
    schema: {
      body: newOrder,
      headers: z.object({ 'idempotency-key': z.string().min(1).max(64).optional() }),
      response: order,
    },
    handler: async (req, ctx, reply) => {
      const key = (req.headers as Record<string, string | undefined>)['idempotency-key'];
      const input = fromWire(req.body) as Parameters<typeof placeOrder>[1];
      if (key !== undefined && input.clientOrderId !== undefined && key !== input.clientOrderId)
        throw new InvalidInputError('order', [
          {
            path: 'client_order_id',
            message: 'differs from the Idempotency-Key header: give one or make them equal',
          },
        ]);
      if (input.tradeIdeaId !== undefined) await assertIdeaReachable(ctx, input.tradeIdeaId);
      const placed = await placeOrder(ctx.store, { ...input, ...(key ? { clientOrderId: key } : {}) });
      if (!placed.created) {
        // The replay of an order of another portfolio would reveal it: that key is simply taken.
        if (placed.order.portfolioId !== input.portfolioId)
          throw new InvalidInputError('order', [{ path: 'client_order_id', message: 'already used' }]);
        reply.code(200);
        return reply.send(toWire(placed.order));
      }
      return toWire(placed.order);
    },
  }),
  listRoute(
    'orders',
    '/orders',
    order,
    ['asset_id', 'status', 'side', 'trade_idea_id'],
    true,
    'Orders with their filled quantities, newest first',
  ),
  route({
    method: 'GET',
    url: '/orders/:id',
    summary: 'An order',
    tag: 'orders',
    auth: 'read',
    portfolio: row('orders'),
    schema: { params: idParams, response: order },
    handler: async (req, ctx) => toWire(await getOrder(ctx.store, { orderId: req.params.id })),
  }),
  route({
    method: 'POST',
    url: '/orders/:id/cancel',
    summary: 'Cancel an unfilled or partly filled order (its fills stay)',
    tag: 'orders',
    auth: 'trade',
    portfolio: row('orders'),
    schema: { params: idParams, body: orderChange.optional(), response: order },
    handler: async (req, ctx) =>
      toWire(await cancelOrder(ctx.store, { ...fromWire(req.body ?? {}), orderId: req.params.id })),
  }),
  route({
    method: 'POST',
    url: '/orders/:id/fills',
    summary: 'Record a fill: order, position, round trip and cash in one transaction',
    tag: 'fills',
    auth: 'trade',
    portfolio: row('orders'),
    status: 201,
    schema: { params: idParams, body: newFill, response: fillResult },
    handler: async (req, ctx) =>
      toWire(
        await recordFill(ctx.store, { ...fromWire(req.body), orderId: req.params.id } as Parameters<
          typeof recordFill
        >[1]),
      ),
  }),
  route({
    method: 'GET',
    url: '/orders/:id/fills',
    summary: "An order's fills in the order they were recorded",
    tag: 'fills',
    auth: 'read',
    portfolio: row('orders'),
    schema: { params: idParams, response: z.object({ data: z.array(fill), next_cursor: z.null() }) },
    handler: async (req, ctx) => ({
      data: (await listFills(ctx.store, { orderId: req.params.id })).map(toWire),
      next_cursor: null,
    }),
  }),
  listRoute('fills', '/fills', fill, ['order_id', 'asset_id'], true, 'Fills, newest first'),
  listRoute(
    'positions',
    '/positions',
    position,
    ['asset_id', 'status'],
    true,
    'Positions (open unless status= or changed_since=), newest first',
  ),
  listRoute(
    'trades',
    '/trades',
    trade,
    ['strategy_id', 'asset_id', 'outcome'],
    true,
    'Round trips, newest first',
  ),
  route({
    method: 'GET',
    url: '/trades/:id',
    summary: 'A round trip',
    tag: 'trades',
    auth: 'read',
    portfolio: row('trades'),
    schema: { params: idParams, response: trade },
    handler: async (req, ctx) => toWire(await getTrade(ctx.store, req.params.id)),
  }),
  route({
    method: 'GET',
    url: '/trades/:id/chain',
    summary:
      'Why a round trip happened: its signal (with components), trade idea, decisions, orders and fills, oldest first',
    tag: 'trades',
    auth: 'read',
    portfolio: row('trades'),
    schema: { params: idParams, response: tradeChain },
    handler: async (req, ctx) => toWire(await getTradeChain(ctx.store, req.params.id)),
  }),
  listRoute(
    'decisions',
    '/decisions',
    decision,
    ['trade_idea_id', 'asset_id', 'action'],
    false,
    'The audit trail, newest first',
  ),
];

/** An idea or signal named in a body must be one the caller may see (its portfolio's rules apply). */
async function assertIdeaReachable(ctx: RouteContext, ideaId: number) {
  const i = await getTradeIdea(ctx.store, ideaId);
  await assertPortfolio(ctx, i.portfolioId, `trade idea ${ideaId} does not exist`);
}

async function assertSignalReachable(ctx: RouteContext, signalId: number) {
  const s = await getSignal(ctx.store, signalId);
  await assertPortfolio(ctx, s.portfolioId, `signal ${signalId} does not exist`);
}

async function assertPortfolio(ctx: RouteContext, portfolioId: number | null, notFound: string) {
  if (portfolioId === null) return;
  const visible = await ctx.visiblePortfolios();
  if (visible && !visible.includes(portfolioId)) {
    throw new NotFoundError(notFound);
  }
}
