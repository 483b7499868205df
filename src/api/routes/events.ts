/**
 * The events stream (src/events): GET /events as Server-Sent Events (src/api/event-stream.ts) and
 * GET /events/history, the same events as JSON pages. Both show only what the caller may read:
 * events of the portfolios it sees (the one authorization rule, through visiblePortfolios), and
 * the events outside portfolios (candles, bot status, global risk) to every reader.
 */
import { authorize } from '../../accounts/authorize.ts';
import { readEvents } from '../../events/reading.ts';
import { streamEvents } from '../event-stream.ts';
import { contextFor, principalOf } from '../plugins/auth.ts';
import { ApiError } from '../plugins/errors.ts';
import { route, type RouteContext } from '../route.ts';
import {
  historyOut,
  historyPage,
  historyQuery,
  streamedEvent,
  streamHeaders,
  streamQuery,
} from '../schemas/events.ts';

const events = { tag: 'events', auth: 'read', portfolio: { from: 'query', optional: true } } as const;

/** The portfolio named (authorized already by the route's locator) or every one the caller sees. */
async function portfoliosOf(ctx: RouteContext, portfolioId: number | undefined) {
  return portfolioId !== undefined ? [portfolioId] : ctx.visiblePortfolios();
}

export const eventRoutes = [
  route({
    ...events,
    method: 'GET',
    url: '/events',
    summary:
      'Live events as Server-Sent Events: every event after Last-Event-ID (or ?after=) first, in seq order, then live ones; nothing missed, nothing twice',
    produces: 'text/event-stream',
    queryToken: true,
    schema: { querystring: streamQuery, headers: streamHeaders, response: streamedEvent },
    handler: async (req, ctx, reply) => {
      const header = req.headers['last-event-id'];
      // EventSource resends Last-Event-ID on reconnect to the same URL: it wins over ?after=.
      const after = typeof header === 'number' ? header : req.query.after;
      return streamEvents({
        store: ctx.store,
        request: req,
        reply,
        streams: ctx.deps.streams,
        userId: req.principal!.userId,
        maxPerUser: ctx.deps.config.EVENTS_MAX_STREAMS_PER_USER ?? 20,
        heartbeatMs: (ctx.deps.config.EVENTS_HEARTBEAT_SECONDS ?? 15) * 1000,
        after,
        topics: req.query.topics,
        portfolioId: req.query.portfolio_id,
        visible: await ctx.visiblePortfolios(),
        checkAccess: async () => {
          req.principal = await principalOf(ctx.store, ctx.deps.keys, req);
          const decision = authorize(req.principal, 'read');
          if (!decision.allow) throw new ApiError(decision.code, decision.reason);
          return { visible: await contextFor(ctx.store, req).visiblePortfolios() };
        },
      });
    },
  }),
  route({
    ...events,
    method: 'GET',
    url: '/events/history',
    summary: 'Events after a seq, oldest first, as JSON pages (the same events GET /events streams)',
    schema: { querystring: historyQuery, response: historyPage },
    handler: async (req, ctx) => {
      const { after, limit, topics, portfolio_id } = req.query;
      const portfolioIds = await portfoliosOf(ctx, portfolio_id);
      const rows = await readEvents(ctx.store, {
        after,
        limit: limit + 1,
        ...(topics ? { topics } : {}),
        ...(portfolioIds ? { portfolioIds } : {}),
      });
      const more = rows.length > limit;
      const data = rows.slice(0, limit);
      return {
        data: data.map(historyOut),
        next_cursor: more ? String(data[data.length - 1]!.seq) : null,
      };
    },
  }),
];
