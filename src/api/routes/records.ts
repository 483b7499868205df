/**
 * The rest of the model, each through its service: learning entries, ingestion tasks, news feeds
 * and items, calendar events, prediction events / markets / snapshots, bot status, account
 * snapshots and error logs. Bodies are the services' inputs in snake_case; the services validate
 * them (errors name the field). Lists are keyset pages (`limit`, `cursor`,
 * newest first) through the services' page reads; calendar events (a window of latest captures)
 * and bot status (a keyed map) are whole answers, next_cursor null.
 */
import { z } from 'zod';
import { calendarWindow, recordCalendarEvent } from '../../news/calendar.ts';
import { pageNewsFeeds, registerNewsFeed } from '../../news/feeds.ts';
import { pageNewsItems, recordNewsItem } from '../../news/items.ts';
import { NotFoundError } from '../../input/errors.ts';
import { deleteBotStatus, getBotStatus, listBotStatus, setBotStatus } from '../../operations/bot-status.ts';
import { pageErrorLogs, recordErrorLog } from '../../operations/error-logs.ts';
import { pageAccountSnapshots, recordAccountSnapshot } from '../../portfolios/snapshots.ts';
import { getPredictionEvent, upsertPredictionEvent } from '../../predictions/events.ts';
import {
  pageMarketSnapshots,
  pagePredictionMarkets,
  recordMarketSnapshot,
  upsertPredictionMarket,
} from '../../predictions/markets.ts';
import {
  completeIngestionTask,
  failIngestionTask,
  getIngestionTask,
  pageIngestionTasks,
  queueIngestionTask,
  startIngestionTask,
} from '../../research/ingestion.ts';
import {
  getLearningEntry,
  pageLearningEntries,
  recordLearningEntry,
  validateLearningEntry,
} from '../../research/learning.ts';
import { route } from '../route.ts';
import { idParams, jsonObject, page, pageQuery } from '../schemas/common.ts';
import type { Page } from '../../db/listing.ts';
import { keysetOf, pageOut, settingsWrite } from './helpers.ts';
import { fromWire, toWire } from '../../db/wire.ts';

const list = page(jsonObject);
const body = jsonObject.meta({ description: "the service's fields in snake_case" });
const out = (v: unknown) => toWire(v) as Record<string, unknown>;
const many = (rows: unknown[]) => ({ data: rows.map(out), next_cursor: null });
const keysetQuery = { limit: pageQuery.limit, cursor: pageQuery.cursor };
const limitQuery = z.object(keysetQuery);
const scopedQuery = z.object({ ...keysetQuery, include_test: pageQuery.include_test });
const paged = <T>(p: Page<T>) => pageOut(p, out);
const found = <T>(v: T | null, what: string): T => {
  if (v === null) throw new NotFoundError(`${what} does not exist`);
  return v;
};
/** Nested snake_case objects (market refs) become camelCase too; opaque JSON stays as sent. */
const input = (b: Record<string, unknown>) => fromWire(b, ['market']) as never;

export const recordRoutes = [
  route({
    method: 'POST',
    url: '/learning-entries',
    summary: 'Record a learning entry',
    tag: 'research',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out(await recordLearningEntry(ctx.store, input(req.body))),
  }),
  route({
    method: 'GET',
    url: '/learning-entries',
    summary: 'Learning entries',
    tag: 'research',
    auth: 'read',
    schema: { querystring: scopedQuery, response: list },
    handler: async (req, ctx) =>
      paged(
        await pageLearningEntries(ctx.store, { ...keysetOf(req.query), includeTest: req.query.include_test }),
      ),
  }),
  route({
    method: 'GET',
    url: '/learning-entries/:id',
    summary: 'A learning entry',
    tag: 'research',
    auth: 'read',
    schema: { params: idParams, response: jsonObject },
    handler: async (req, ctx) =>
      out(found(await getLearningEntry(ctx.store, req.params.id), `learning entry ${req.params.id}`)),
  }),
  route({
    method: 'POST',
    url: '/learning-entries/:id/validate',
    summary: 'Validate a learning entry (optionally against a trade)',
    tag: 'research',
    auth: 'trade',
    schema: {
      params: idParams,
      body: z
        .object({
          trade_id: z.number().int().positive().optional(),
          confidence: z.number().min(0).max(1).optional(),
        })
        .optional(),
      response: jsonObject,
    },
    handler: async (req, ctx) =>
      out(await validateLearningEntry(ctx.store, req.params.id, fromWire(req.body ?? {}))),
  }),
  route({
    method: 'POST',
    url: '/ingestion-tasks',
    summary: 'Queue an ingestion task',
    tag: 'research',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out(await queueIngestionTask(ctx.store, input(req.body))),
  }),
  route({
    method: 'GET',
    url: '/ingestion-tasks',
    summary: 'Ingestion tasks',
    tag: 'research',
    auth: 'read',
    schema: { querystring: limitQuery, response: list },
    handler: async (req, ctx) => paged(await pageIngestionTasks(ctx.store, keysetOf(req.query))),
  }),
  route({
    method: 'GET',
    url: '/ingestion-tasks/:id',
    summary: 'An ingestion task',
    tag: 'research',
    auth: 'read',
    schema: { params: idParams, response: jsonObject },
    handler: async (req, ctx) =>
      out(found(await getIngestionTask(ctx.store, req.params.id), `ingestion task ${req.params.id}`)),
  }),
  route({
    method: 'POST',
    url: '/ingestion-tasks/:id/start',
    summary: 'Start a queued task',
    tag: 'research',
    auth: 'trade',
    schema: { params: idParams, response: jsonObject },
    handler: async (req, ctx) => out(await startIngestionTask(ctx.store, req.params.id)),
  }),
  route({
    method: 'POST',
    url: '/ingestion-tasks/:id/complete',
    summary: 'Complete a running task',
    tag: 'research',
    auth: 'trade',
    schema: {
      params: idParams,
      body: z.object({ strategy_id: z.number().int().positive().nullable().optional() }).optional(),
      response: jsonObject,
    },
    handler: async (req, ctx) =>
      out(await completeIngestionTask(ctx.store, req.params.id, fromWire(req.body ?? {}))),
  }),
  route({
    method: 'POST',
    url: '/ingestion-tasks/:id/fail',
    summary: 'Fail a running task with its error',
    tag: 'research',
    auth: 'trade',
    schema: { params: idParams, body: z.object({ error: z.string().min(1) }), response: jsonObject },
    handler: async (req, ctx) => out(await failIngestionTask(ctx.store, req.params.id, req.body.error)),
  }),
  route({
    method: 'POST',
    url: '/news-feeds',
    summary: 'Register a news feed',
    tag: 'news',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out((await registerNewsFeed(ctx.store, input(req.body))).feed),
  }),
  route({
    method: 'GET',
    url: '/news-feeds',
    summary: 'News feeds',
    tag: 'news',
    auth: 'read',
    schema: { querystring: limitQuery, response: list },
    handler: async (req, ctx) => paged(await pageNewsFeeds(ctx.store, keysetOf(req.query))),
  }),
  route({
    method: 'POST',
    url: '/news-items',
    summary: 'Record a news item (deduplicated)',
    tag: 'news',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => {
      const r = await recordNewsItem(ctx.store, input(req.body));
      return { ...out(r.item), is_new: r.isNew };
    },
  }),
  route({
    method: 'GET',
    url: '/news-items',
    summary: 'News items, newest first',
    tag: 'news',
    auth: 'read',
    schema: {
      querystring: limitQuery.extend({ feed_id: z.coerce.number().int().positive().optional() }),
      response: list,
    },
    handler: async (req, ctx) =>
      paged(await pageNewsItems(ctx.store, { ...keysetOf(req.query), feedId: req.query.feed_id })),
  }),
  route({
    method: 'POST',
    url: '/calendar-events',
    summary: 'Record an economic calendar event (a capture)',
    tag: 'news',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => {
      const r = await recordCalendarEvent(ctx.store, input(req.body));
      return { ...out(r.event), changed: r.changed };
    },
  }),
  route({
    method: 'GET',
    url: '/calendar-events',
    summary: 'Calendar events in a window',
    tag: 'news',
    auth: 'read',
    schema: { querystring: z.object({ from: z.string().max(40), to: z.string().max(40) }), response: list },
    handler: async (req, ctx) =>
      many(await calendarWindow(ctx.store, { from: req.query.from, to: req.query.to } as never)),
  }),
  route({
    method: 'POST',
    url: '/prediction-events',
    summary: 'Create or update a prediction event',
    tag: 'predictions',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out((await upsertPredictionEvent(ctx.store, input(req.body))).event),
  }),
  route({
    method: 'GET',
    url: '/prediction-events/:id',
    summary: 'A prediction event',
    tag: 'predictions',
    auth: 'read',
    schema: { params: idParams, response: jsonObject },
    handler: async (req, ctx) => out(await getPredictionEvent(ctx.store, req.params.id)),
  }),
  route({
    method: 'POST',
    url: '/prediction-markets',
    summary: 'Create or update a prediction market',
    tag: 'predictions',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out((await upsertPredictionMarket(ctx.store, input(req.body))).market),
  }),
  route({
    method: 'GET',
    url: '/prediction-markets',
    summary: 'Prediction markets',
    tag: 'predictions',
    auth: 'read',
    schema: { querystring: limitQuery, response: list },
    handler: async (req, ctx) => paged(await pagePredictionMarkets(ctx.store, keysetOf(req.query))),
  }),
  route({
    method: 'POST',
    url: '/market-snapshots',
    summary: "Record a prediction market's prices",
    tag: 'predictions',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out(await recordMarketSnapshot(ctx.store, input(req.body))),
  }),
  route({
    method: 'GET',
    url: '/prediction-markets/:id/snapshots',
    summary: "A prediction market's snapshots",
    tag: 'predictions',
    auth: 'read',
    schema: { params: idParams, querystring: limitQuery, response: list },
    handler: async (req, ctx) =>
      paged(await pageMarketSnapshots(ctx.store, req.params.id, keysetOf(req.query))),
  }),
  route({
    method: 'PUT',
    url: '/bot-status/:key',
    summary: 'Set a bot status key (any JSON value)',
    tag: 'operations',
    auth: 'trade',
    schema: {
      params: z.object({ key: z.string().min(1).max(128) }),
      body: z.object({ value: z.unknown(), bot_version: z.string().max(64).nullable().optional() }),
      response: jsonObject,
    },
    handler: async (req, ctx) =>
      out(
        await settingsWrite(ctx, 'bot_status', () =>
          setBotStatus(
            ctx.store,
            req.params.key,
            req.body.value ?? null,
            req.body.bot_version === undefined ? {} : { botVersion: req.body.bot_version },
          ),
        ),
      ),
  }),
  route({
    method: 'GET',
    url: '/bot-status',
    summary: 'Bot status keys',
    tag: 'operations',
    auth: 'read',
    schema: { querystring: z.object({ prefix: z.string().max(128).optional() }), response: list },
    handler: async (req, ctx) =>
      many(await listBotStatus(ctx.store, req.query.prefix ? { prefix: req.query.prefix } : {})),
  }),
  route({
    method: 'GET',
    url: '/bot-status/:key',
    summary: 'A bot status key',
    tag: 'operations',
    auth: 'read',
    schema: { params: z.object({ key: z.string().min(1).max(128) }), response: jsonObject },
    handler: async (req, ctx) =>
      out(found(await getBotStatus(ctx.store, req.params.key), `bot status ${req.params.key}`)),
  }),
  route({
    method: 'DELETE',
    url: '/bot-status/:key',
    summary: 'Delete a bot status key',
    tag: 'operations',
    auth: 'trade',
    status: 204,
    schema: { params: z.object({ key: z.string().min(1).max(128) }), response: z.null() },
    handler: async (req, ctx) => {
      if (!(await settingsWrite(ctx, 'bot_status', () => deleteBotStatus(ctx.store, req.params.key))))
        throw new NotFoundError(`bot status ${req.params.key} does not exist`);
      return null;
    },
  }),
  route({
    method: 'POST',
    url: '/account-snapshots',
    summary: "Record a broker account's balances",
    tag: 'operations',
    auth: 'trade',
    portfolio: { from: 'body', optional: true },
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out(await recordAccountSnapshot(ctx.store, input(req.body))),
  }),
  route({
    method: 'GET',
    url: '/account-snapshots',
    summary: 'Account snapshots of a portfolio',
    tag: 'operations',
    auth: 'read',
    portfolio: { from: 'query' },
    schema: {
      querystring: scopedQuery.extend({ portfolio_id: z.coerce.number().int().positive() }),
      response: list,
    },
    handler: async (req, ctx) =>
      paged(
        await pageAccountSnapshots(ctx.store, {
          ...keysetOf(req.query),
          portfolioId: req.query.portfolio_id,
          includeTest: req.query.include_test,
        }),
      ),
  }),
  route({
    method: 'POST',
    url: '/error-logs',
    summary: 'Record an error from a bot',
    tag: 'operations',
    auth: 'trade',
    status: 201,
    schema: { body, response: jsonObject },
    handler: async (req, ctx) => out(await recordErrorLog(ctx.store, input(req.body))),
  }),
  route({
    method: 'GET',
    url: '/error-logs',
    summary: 'Error logs, newest first',
    tag: 'operations',
    auth: 'read',
    schema: { querystring: scopedQuery, response: list },
    handler: async (req, ctx) =>
      paged(await pageErrorLogs(ctx.store, { ...keysetOf(req.query), includeTest: req.query.include_test })),
  }),
];
