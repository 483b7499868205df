/** freqtrade-style statistics from stored trades, exact; and the admin's view of the database. */
import { z } from 'zod';
import { profitBy, profitByPeriod, profitStats } from '../../execution/stats.ts';
import { health, tableCounts, tableStats } from '../../operations/inspect.ts';
import { route, type RouteContext } from '../route.ts';
import { decimalOut, idOut, jsonObject, portfolioFilter, time, timeOut } from '../schemas/common.ts';
import { toWire } from '../../db/wire.ts';

const scopeQuery = z.object({
  ...portfolioFilter,
  from: time.optional(),
  to: time.optional(),
  test_mode: z.enum(['true', 'false']).optional(),
  backtest: z.enum(['true', 'false']).optional(),
});
type ScopeQuery = z.output<typeof scopeQuery>;

async function scopeOf(ctx: RouteContext, q: ScopeQuery) {
  const visible = q.portfolio_id !== undefined ? [q.portfolio_id] : await ctx.visiblePortfolios();
  return {
    ...(visible ? { portfolioIds: visible } : {}),
    ...(q.from ? { from: new Date(q.from) } : {}),
    ...(q.to ? { to: new Date(q.to) } : {}),
    testMode: q.test_mode === 'true',
    backtest: q.backtest === 'true',
  };
}

const stats = { tag: 'stats', auth: 'read', portfolio: { from: 'query', optional: true } } as const;

export const statsRoutes = [
  route({
    ...stats,
    method: 'GET',
    url: '/stats/profit',
    summary: 'Profit of closed round trips (exact), trade counts, best/worst (freqtrade /profit)',
    schema: {
      querystring: scopeQuery,
      response: z.object({
        closed_trades: z.number().int(),
        open_trades: z.number().int(),
        wins: z.number().int(),
        losses: z.number().int(),
        breakeven: z.number().int(),
        profit: decimalOut,
        fees: decimalOut,
        best_trade: decimalOut.nullable(),
        worst_trade: decimalOut.nullable(),
        first_trade_at: timeOut.nullable(),
        last_exit_at: timeOut.nullable(),
      }),
    },
    handler: async (req, ctx) => toWire(await profitStats(ctx.store, await scopeOf(ctx, req.query))),
  }),
  ...(['daily', 'weekly', 'monthly'] as const).map((name) =>
    route({
      ...stats,
      method: 'GET',
      url: `/stats/${name}`,
      summary: `Closed-trade profit per UTC ${name === 'daily' ? 'day' : name === 'weekly' ? 'week (from Monday)' : 'month'}, newest first`,
      schema: {
        querystring: scopeQuery,
        response: z.object({
          data: z.array(z.object({ start: timeOut, trades: z.number().int(), profit: decimalOut })),
          next_cursor: z.null(),
        }),
      },
      handler: async (req, ctx) => {
        const period = name === 'daily' ? 'day' : name === 'weekly' ? 'week' : 'month';
        return {
          data: (await profitByPeriod(ctx.store, await scopeOf(ctx, req.query), period)).map(toWire),
          next_cursor: null,
        };
      },
    }),
  ),
  ...(['strategy', 'asset'] as const).map((by) =>
    route({
      ...stats,
      method: 'GET',
      url: `/stats/per-${by}`,
      summary: `Closed-trade profit per ${by}, most profitable first (freqtrade /performance)`,
      schema: {
        querystring: scopeQuery,
        response: z.object({
          data: z.array(
            z.object({
              [`${by}_id`]: idOut.nullable(),
              trades: z.number().int(),
              wins: z.number().int(),
              profit: decimalOut,
            }),
          ),
          next_cursor: z.null(),
        }),
      },
      handler: async (req, ctx) => ({
        data: (await profitBy(ctx.store, await scopeOf(ctx, req.query), by)).map(({ key, ...g }) => ({
          [`${by}_id`]: key,
          ...(toWire(g) as object),
        })),
        next_cursor: null,
      }),
    }),
  ),
  route({
    method: 'GET',
    url: '/admin/db/health',
    summary: 'Database health (admin)',
    tag: 'admin',
    auth: 'admin',
    schema: { response: jsonObject },
    handler: async (_req, ctx) => health(ctx.store),
  }),
  route({
    method: 'GET',
    url: '/admin/db/counts',
    summary: 'Rows per table, production and test apart (admin)',
    tag: 'admin',
    auth: 'admin',
    schema: { response: z.object({ data: z.array(jsonObject), next_cursor: z.null() }) },
    handler: async (_req, ctx) => ({
      data: (await tableCounts(ctx.store)).map((c) => toWire(c) as Record<string, unknown>),
      next_cursor: null,
    }),
  }),
  route({
    method: 'GET',
    url: '/admin/db/stats',
    summary: 'Table and index sizes (admin)',
    tag: 'admin',
    auth: 'admin',
    schema: { response: z.object({ data: z.array(jsonObject), next_cursor: z.null() }) },
    handler: async (_req, ctx) => ({
      data: (await tableStats(ctx.store)).map((c) => toWire(c) as Record<string, unknown>),
      next_cursor: null,
    }),
  }),
];
