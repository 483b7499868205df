/**
 * Assets, candles and ticks. GET /candles reads a range (newest first, keyset by ts) or resamples
 * it; POST /candles streams a bulk upload (JSON array, NDJSON or CSV) through the CLI's importer,
 * with its own larger body limit and the same summary and rejects.
 */
import type { Readable } from 'node:stream';
import { z } from 'zod';
import { TIMEFRAMES } from '../../entities/common.ts';
import { ASSET_KINDS } from '../../entities/market-data-tables.ts';
import { ensureAsset, findAsset } from '../../marketdata/assets.ts';
import { candleCoverage, readCandles } from '../../marketdata/candles.ts';
import { CANDLE_FORMATS, TICK_FORMATS } from '../../marketdata/formats/options.ts';
import { importCandleFile } from '../../marketdata/import-candles.ts';
import { importTickFile } from '../../marketdata/import-ticks.ts';
import { resampleCandles } from '../../marketdata/resample.ts';
import type { Reject } from '../../marketdata/formats/types.ts';
import { readTicks } from '../../marketdata/tick-reads.ts';
import { NotFoundError } from '../../input/errors.ts';
import { ApiError } from '../plugins/errors.ts';
import { responseCache } from '../response-cache.ts';
import { route } from '../route.ts';
import { pageOut, timeKeysetOf } from './helpers.ts';
import { decodeCursor, encodeCursor, idOut, pageQuery, time } from '../schemas/common.ts';
import { toWire } from '../../db/wire.ts';

const ASSET_KIND_LIST = ASSET_KINDS;
const asset = z
  .object({ id: idOut, symbol: z.string(), venue: z.string(), kind: z.enum(ASSET_KIND_LIST) })
  .meta({ id: 'Asset' });

/** An instant as ISO-8601 or epoch milliseconds (candles speak ms). */
const instant = z
  .union([z.coerce.number().int().nonnegative(), time])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));
const which = {
  asset: z.string().min(1).max(64).meta({ description: 'symbol, e.g. BTC/USDT' }),
  venue: z.string().min(1).max(64).meta({ example: 'binance' }),
};

const candle = z.object({
  ts: z.number().int().meta({ description: 'epoch ms' }),
  open: z.number(),
  high: z.number(),
  low: z.number(),
  close: z.number(),
  volume: z.number(),
});

async function assetId(
  store: Parameters<typeof findAsset>[0],
  symbol: string,
  venue: string,
): Promise<number> {
  const row = await findAsset(store, { symbol, venue });
  if (!row) throw new NotFoundError(`asset ${venue}:${symbol} does not exist`);
  return Number(row.id);
}

/** The request body as chunks, refused with 413 past `limit` bytes (the upload is never buffered whole). */
async function* limited(body: Readable, limit: number): AsyncGenerator<Buffer> {
  let total = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > limit)
      throw new ApiError(
        'payload_too_large',
        `upload over the ${limit}-byte limit (CANDLE_UPLOAD_LIMIT_BYTES)`,
      );
    yield chunk;
  }
}

const MAX_REJECTS = 1000;

/** The CLI's rejects report in the response: the first rows refused with line and reason. */
function rejectsReport() {
  const kept: Array<{ line: number; position: string; reason: string }> = [];
  let total = 0;
  return {
    onRejects: (rejects: Reject[]) => {
      for (const r of rejects) {
        total += 1;
        if (kept.length < MAX_REJECTS) kept.push({ line: r.line, position: r.position, reason: r.reason });
      }
    },
    report: () => ({ rejects: kept, rejects_truncated: total > kept.length }),
  };
}

/** NDJSON → the JSON array the importer reads, line for line (so rejects keep their line numbers). */
async function* ndjsonAsArray(chunks: AsyncIterable<Buffer>): AsyncGenerator<string> {
  let rest = '';
  let first = true;
  yield '[';
  for await (const chunk of chunks) {
    const text = rest + chunk.toString('utf8');
    const lines = text.split('\n');
    rest = lines.pop()!;
    for (const line of lines) {
      const t = line.trim();
      yield t === '' ? '\n' : `${first ? '' : ','}${t}\n`;
      if (t !== '') first = false;
    }
  }
  if (rest.trim() !== '') yield `${first ? '' : ','}${rest.trim()}`;
  yield ']';
}

const summary = z
  .object({
    file: z.string(),
    format: z.string().nullable(),
    asset: z.object({ id: idOut.nullable(), symbol: z.string(), venue: z.string() }),
    read: z.number().int(),
    inserted: z.number().int(),
    updated: z.number().int(),
    rejected: z.number().int(),
    rejects: z.array(z.object({ line: z.number().int(), position: z.string(), reason: z.string() })),
    rejects_truncated: z.boolean(),
  })
  .loose();

interface CandleQuery {
  asset: string;
  venue: string;
  timeframe: (typeof TIMEFRAMES)[number];
  from?: number | undefined;
  to?: number | undefined;
  limit: number;
  cursor?: string | undefined;
  resample?: string | undefined;
}

/** One page of candles, newest first; the cursor is the oldest ts of the page (exclusive bound). */
async function candlePage(store: Parameters<typeof findAsset>[0], q: CandleQuery) {
  const id = await assetId(store, q.asset, q.venue);
  const before = decodeCursor(q.cursor);
  const to = before !== undefined ? Math.min(before, q.to ?? Number.MAX_SAFE_INTEGER) : q.to;
  const range = { ...(q.from === undefined ? {} : { from: q.from }), ...(to === undefined ? {} : { to }) };
  let rows;
  if (q.resample) {
    try {
      rows = (await resampleCandles(store, id, q.timeframe, q.resample, range))
        .reverse()
        .slice(0, q.limit + 1);
    } catch (error) {
      const message = (error as Error).message;
      throw new ApiError('invalid_input', message, [{ path: 'query.resample', message }]);
    }
  } else {
    rows = await readCandles(store, id, q.timeframe, { ...range, limit: q.limit + 1, newestFirst: true });
  }
  const more = rows.length > q.limit;
  const data = more ? rows.slice(0, q.limit) : rows;
  return { data, next_cursor: more ? encodeCursor(data[data.length - 1]!.ts) : null };
}

export const marketDataRoutes = [
  route({
    method: 'POST',
    url: '/assets',
    summary: 'Register an instrument (idempotent by venue and symbol)',
    tag: 'assets',
    auth: 'trade',
    status: 201,
    schema: {
      body: z.object({ symbol: which.asset, venue: which.venue, kind: z.enum(ASSET_KIND_LIST).optional() }),
      response: asset,
    },
    handler: async (req, ctx) => {
      const id = await ensureAsset(ctx.store, req.body);
      const row = await findAsset(ctx.store, req.body);
      return { id, symbol: String(row!.symbol), venue: String(row!.venue), kind: row!.kind };
    },
  }),
  route({
    method: 'GET',
    url: '/assets',
    summary: 'Instruments, newest first',
    tag: 'assets',
    auth: 'read',
    schema: {
      querystring: z.object({
        limit: pageQuery.limit,
        cursor: pageQuery.cursor,
        venue: which.venue.optional(),
      }),
      response: z.object({ data: z.array(asset), next_cursor: z.string().nullable() }),
    },
    handler: async (req, ctx) => {
      const beforeId = decodeCursor(req.query.cursor);
      let q = ctx.store.kysely.selectFrom('assets').select(['id', 'symbol', 'venue', 'kind']);
      if (req.query.venue) q = q.where('venue', '=', req.query.venue);
      if (beforeId !== undefined) q = q.where('id', '<', beforeId);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(req.query.limit + 1)
        .execute();
      const more = rows.length > req.query.limit;
      const items = (more ? rows.slice(0, -1) : rows).map((r) => ({
        id: Number(r.id),
        symbol: String(r.symbol),
        venue: String(r.venue),
        kind: r.kind,
      }));
      return { data: items, next_cursor: more ? encodeCursor(items[items.length - 1]!.id) : null };
    },
  }),
  route({
    method: 'GET',
    url: '/candles',
    summary:
      'Candles in [from, to), newest first (next_cursor continues older), or resampled to a longer timeframe',
    tag: 'candles',
    auth: 'read',
    schema: {
      querystring: z.object({
        ...which,
        timeframe: z.enum(TIMEFRAMES),
        from: instant.optional(),
        to: instant.optional(),
        limit: pageQuery.limit,
        cursor: pageQuery.cursor,
        resample: z.string().max(8).optional().meta({ description: 'a longer timeframe, e.g. 1h from 1m' }),
      }),
      response: z.object({ data: z.array(candle), next_cursor: z.string().nullable() }),
    },
    handler: async (req, ctx, reply) => {
      const q = req.query;
      const compute = async () => JSON.stringify(await candlePage(ctx.store, q));
      const body =
        ctx.deps.config.RESPONSE_CACHE === false
          ? Buffer.from(await compute())
          : await responseCache(ctx.store).get(`candles:${JSON.stringify(q)}`, compute, req.dataVersion);
      return reply.type('application/json; charset=utf-8').send(body);
    },
  }),
  route({
    method: 'GET',
    url: '/candles/timeframes',
    summary: "The timeframes stored for an asset, with each one's first and last candle time (epoch ms)",
    tag: 'candles',
    auth: 'read',
    schema: {
      querystring: z.object(which),
      response: z.object({
        data: z.array(
          z.object({ timeframe: z.enum(TIMEFRAMES), first_ts: z.number().int(), last_ts: z.number().int() }),
        ),
        next_cursor: z.null(),
      }),
    },
    handler: async (req, ctx) => ({
      data: (await candleCoverage(ctx.store, await assetId(ctx.store, req.query.asset, req.query.venue))).map(
        toWire,
      ),
      next_cursor: null,
    }),
  }),
  route({
    method: 'POST',
    url: '/candles',
    summary:
      'Bulk upload candles: a JSON array (freqtrade/ccxt arrays or {ts, open, …} objects), NDJSON or CSV, streamed',
    tag: 'candles',
    auth: 'trade',
    rawBody: true,
    schema: {
      querystring: z.object({
        ...which,
        timeframe: z.enum(TIMEFRAMES),
        kind: z.enum(ASSET_KIND_LIST).optional(),
        format: z.enum([...CANDLE_FORMATS, 'auto']).default('auto'),
        on_conflict: z.enum(['ignore', 'update']).default('ignore'),
        strict: z
          .enum(['true', 'false'])
          .transform((v) => v === 'true')
          .optional(),
      }),
      body: z.unknown().meta({ description: 'application/json, application/x-ndjson or text/csv' }),
      response: summary,
    },
    handler: async (req, ctx) => {
      const q = req.query;
      const limit = ctx.deps.config.CANDLE_UPLOAD_LIMIT_BYTES ?? 268_435_456;
      const chunks = limited(req.body as unknown as Readable, limit);
      const ndjson = /ndjson|jsonl/.test(String(req.headers['content-type'] ?? ''));
      const rejects = rejectsReport();
      const result = await importCandleFile(ctx.store, ndjson ? ndjsonAsArray(chunks) : chunks, {
        onRejects: rejects.onRejects,
        symbol: q.asset,
        venue: q.venue,
        timeframe: q.timeframe,
        fileName: 'upload',
        format: q.format,
        onConflict: q.on_conflict,
        ...(q.kind ? { kind: q.kind } : {}),
        ...(q.strict ? { strict: true } : {}),
      });
      return { ...(toWire(result) as object), ...rejects.report() };
    },
  }),
  route({
    method: 'GET',
    url: '/ticks',
    summary: 'Public trades of an asset, newest first by time',
    tag: 'ticks',
    auth: 'read',
    schema: {
      querystring: z.object({
        ...which,
        from: instant.optional(),
        to: instant.optional(),
        limit: pageQuery.limit,
        cursor: pageQuery.cursor,
      }),
      response: z.object({
        data: z.array(
          z.object({
            id: idOut,
            ts: z.number().int(),
            trade_id: z.string(),
            side: z.string().nullable(),
            price: z.number(),
            amount: z.number(),
          }),
        ),
        next_cursor: z.string().nullable(),
      }),
    },
    handler: async (req, ctx) => {
      const q = req.query;
      const id = await assetId(ctx.store, q.asset, q.venue);
      return pageOut(await readTicks(ctx.store, id, { ...timeKeysetOf(q), from: q.from, to: q.to }));
    },
  }),
  route({
    method: 'POST',
    url: '/ticks',
    summary: 'Bulk upload public trades (freqtrade trades JSON or Kraken CSV), streamed',
    tag: 'ticks',
    auth: 'trade',
    rawBody: true,
    schema: {
      querystring: z.object({ ...which, format: z.enum([...TICK_FORMATS, 'auto']).default('auto') }),
      body: z.unknown(),
      response: summary,
    },
    handler: async (req, ctx) => {
      const limit = ctx.deps.config.CANDLE_UPLOAD_LIMIT_BYTES ?? 268_435_456;
      const rejects = rejectsReport();
      const result = await importTickFile(ctx.store, limited(req.body as unknown as Readable, limit), {
        symbol: req.query.asset,
        venue: req.query.venue,
        fileName: 'upload',
        format: req.query.format,
        onRejects: rejects.onRejects,
      });
      return { ...(toWire(result) as object), ...rejects.report() };
    },
  }),
];
