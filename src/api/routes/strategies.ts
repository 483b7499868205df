/** Strategies (shared data): register, new versions, activate, versions, performance; backtests. */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { importFreqtradeBacktest } from '../../backtests/freqtrade.ts';
import { parseJsonLossless } from '../../backtests/lossless-json.ts';
import { getBacktest, pageBacktests, pageBacktestTrades } from '../../backtests/runs.ts';
import { NotFoundError } from '../../input/errors.ts';
import { listPerformance, recomputePerformance } from '../../strategies/strategy-performance.ts';
import {
  activateStrategy,
  deactivateStrategy,
  getStrategy,
  pageStrategies,
  listStrategyVersions,
  registerStrategy,
  updateStrategy,
} from '../../strategies/strategies.ts';
import { ApiError } from '../plugins/errors.ts';
import { route } from '../route.ts';
import { idOut, idParams, jsonObject, page, pageQuery, timeOut } from '../schemas/common.ts';
import { keysetOf, pageOut, settingsWrite } from './helpers.ts';
import { trade } from '../schemas/trading.ts';
import { fromWire, toWire } from '../../db/wire.ts';

const strategy = z
  .object({
    id: idOut,
    name: z.string(),
    description: z.string().nullable(),
    source_type: z.string(),
    source_ref: z.string().nullable(),
    is_active: z.boolean(),
    confidence: z.number().nullable(),
    config: jsonObject,
    current_version_id: idOut.nullable(),
    current_version_hash: z.string().nullable(),
    created_at: timeOut,
    updated_at: timeOut,
  })
  .meta({ id: 'Strategy' });
const change = z.object({
  strategy,
  created: z.boolean(),
  version_changed: z.boolean(),
  version_created: z.boolean(),
});
const fields = z
  .object({
    description: z.string().nullable().optional(),
    source_type: z.enum(['pdf', 'youtube', 'manual', 'code']).optional(),
    source_ref: z.string().nullable().optional(),
    confidence: z.number().min(0).max(1).nullable().optional(),
    is_active: z.boolean().optional(),
    entry_type: z.string().max(100).nullable().optional(),
    allowed_symbols: z.array(z.string()).nullable().optional(),
    session_windows: z.unknown().optional(),
    entry_conditions: z.unknown().optional(),
    exit_rules: z.unknown().optional(),
    forbidden_conditions: z.unknown().optional(),
    risk_caps: z.unknown().optional(),
    confluence_required: z.unknown().optional(),
    rr_expectation: z.number().nullable().optional(),
    parameters: jsonObject.nullable().optional(),
  })
  .meta({ description: 'the strategies columns; the config fields form a version (hashed)' });
const list = <T extends z.ZodType>(item: T) => z.object({ data: z.array(item), next_cursor: z.null() });

async function readAll(body: Readable, limit: number): Promise<string> {
  const parts: Buffer[] = [];
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit) throw new ApiError('payload_too_large', `upload over the ${limit}-byte limit`);
    parts.push(chunk);
  }
  return Buffer.concat(parts).toString('utf8');
}

export const strategyRoutes = [
  route({
    method: 'POST',
    url: '/strategies',
    summary: 'Register a strategy (its config becomes version 1)',
    tag: 'strategies',
    auth: 'trade',
    status: 201,
    schema: { body: fields.extend({ name: z.string().max(255) }), response: change },
    handler: async (req, ctx) =>
      toWire(
        await settingsWrite(ctx, 'strategies', () =>
          registerStrategy(ctx.store, fromWire(req.body) as never),
        ),
      ),
  }),
  route({
    method: 'GET',
    url: '/strategies',
    summary: 'Strategies, newest first',
    tag: 'strategies',
    auth: 'read',
    schema: {
      querystring: z.object({
        limit: pageQuery.limit,
        cursor: pageQuery.cursor,
        active: z.enum(['true', 'false']).optional(),
      }),
      response: page(strategy),
    },
    handler: async (req, ctx) =>
      pageOut(
        await pageStrategies(ctx.store, {
          ...keysetOf(req.query),
          ...(req.query.active === undefined ? {} : { active: req.query.active === 'true' }),
        }),
      ),
  }),
  route({
    method: 'GET',
    url: '/strategies/:id',
    summary: 'A strategy with its current config',
    tag: 'strategies',
    auth: 'read',
    schema: { params: idParams, response: strategy },
    handler: async (req, ctx) => toWire(await getStrategy(ctx.store, req.params.id)),
  }),
  route({
    method: 'PATCH',
    url: '/strategies/:id',
    summary: 'Change a strategy; a new config becomes a new version',
    tag: 'strategies',
    auth: 'trade',
    schema: { params: idParams, body: fields, response: change },
    handler: async (req, ctx) =>
      toWire(
        await settingsWrite(ctx, 'strategies', () =>
          updateStrategy(ctx.store, {
            ...fromWire<Record<string, unknown>>(req.body as object),
            strategy: req.params.id,
          } as never),
        ),
      ),
  }),
  ...(['activate', 'deactivate'] as const).map((verb) =>
    route({
      method: 'POST',
      url: `/strategies/:id/${verb}`,
      summary: verb === 'activate' ? 'Activate a strategy' : 'Deactivate a strategy',
      tag: 'strategies',
      auth: 'trade',
      schema: { params: idParams, response: strategy },
      handler: async (req, ctx) =>
        toWire(
          await settingsWrite(ctx, 'strategies', () =>
            (verb === 'activate' ? activateStrategy : deactivateStrategy)(ctx.store, req.params.id),
          ),
        ),
    }),
  ),
  route({
    method: 'GET',
    url: '/strategies/:id/versions',
    summary: "A strategy's config versions, oldest first",
    tag: 'strategies',
    auth: 'read',
    schema: {
      params: idParams,
      response: list(
        z.object({
          id: idOut,
          strategy_id: idOut,
          version_hash: z.string(),
          config: jsonObject,
          created_at: timeOut,
        }),
      ),
    },
    handler: async (req, ctx) => ({
      data: (await listStrategyVersions(ctx.store, req.params.id)).map(toWire),
      next_cursor: null,
    }),
  }),
  route({
    method: 'GET',
    url: '/strategies/:id/performance',
    summary: "A strategy's stored performance rows (POST recomputes them)",
    tag: 'strategies',
    auth: 'read',
    schema: { params: idParams, response: list(jsonObject) },
    handler: async (req, ctx) => ({
      data: (await listPerformance(ctx.store, { strategy: req.params.id })).map(
        (r) => toWire(r) as Record<string, unknown>,
      ),
      next_cursor: null,
    }),
  }),
  route({
    method: 'POST',
    url: '/strategies/:id/performance',
    summary: "Recompute a strategy's performance from its round trips",
    tag: 'strategies',
    auth: 'trade',
    schema: { params: idParams, response: list(jsonObject) },
    handler: async (req, ctx) => ({
      data: (await recomputePerformance(ctx.store, { strategy: req.params.id })).map(
        (r) => toWire(r) as Record<string, unknown>,
      ),
      next_cursor: null,
    }),
  }),
  route({
    method: 'POST',
    url: '/backtests',
    summary: 'Upload a freqtrade backtest result file (its JSON, numbers kept exact)',
    tag: 'backtests',
    auth: 'trade',
    rawBody: true,
    status: 201,
    schema: { body: z.unknown(), response: jsonObject },
    handler: async (req, ctx) => {
      const text = await readAll(
        req.body as unknown as Readable,
        ctx.deps.config.CANDLE_UPLOAD_LIMIT_BYTES ?? 268_435_456,
      );
      let parsed: unknown;
      try {
        parsed = parseJsonLossless(text);
      } catch (error) {
        throw new ApiError('invalid_input', `not valid JSON: ${(error as Error).message}`);
      }
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed))
        throw new ApiError('invalid_input', 'expected a freqtrade backtest result object');
      return toWire(
        await importFreqtradeBacktest(ctx.store, parsed as Record<string, unknown>, { fileName: 'upload' }),
      );
    },
  }),
  route({
    method: 'GET',
    url: '/backtests',
    summary: 'Backtest runs, newest first',
    tag: 'backtests',
    auth: 'read',
    schema: {
      querystring: z.object({
        limit: pageQuery.limit,
        cursor: pageQuery.cursor,
        include_test: pageQuery.include_test,
        strategy_id: z.coerce.number().int().positive().optional(),
      }),
      response: page(jsonObject),
    },
    handler: async (req, ctx) =>
      pageOut(
        await pageBacktests(ctx.store, {
          ...keysetOf(req.query),
          strategyId: req.query.strategy_id,
          includeTest: req.query.include_test,
        }),
        (r) => toWire({ ...r }) as Record<string, unknown>,
      ),
  }),
  route({
    method: 'GET',
    url: '/backtests/:id',
    summary: 'A backtest run with its results',
    tag: 'backtests',
    auth: 'read',
    schema: { params: idParams, response: jsonObject },
    handler: async (req, ctx) => {
      const run = await getBacktest(ctx.store, req.params.id);
      if (!run) throw new NotFoundError(`backtest ${req.params.id} does not exist`);
      return toWire(run);
    },
  }),
  route({
    method: 'GET',
    url: '/backtests/:id/trades',
    summary: "A backtest run's trades",
    tag: 'backtests',
    auth: 'read',
    schema: {
      params: idParams,
      querystring: z.object({
        limit: pageQuery.limit,
        cursor: pageQuery.cursor,
        include_test: pageQuery.include_test,
      }),
      response: page(trade.partial().loose()),
    },
    handler: async (req, ctx) =>
      pageOut(
        await pageBacktestTrades(ctx.store, req.params.id, {
          ...keysetOf(req.query),
          includeTest: req.query.include_test,
        }),
        (t) => toWire({ ...t }) as Record<string, unknown>,
      ),
  }),
];
