/**
 * The route table's shape. Every route says, as data, what it needs (`auth`) and where the portfolio
 * it touches is (`portfolio`); the auth plugin decides every request from that through the one
 * authorization rule (src/accounts/authorize.ts), and the isolation tests are generated from the
 * same table. Handlers get the store and the principal and return a service result in wire form.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { Need } from '../accounts/authorize.ts';
import type { Principal } from '../accounts/principal.ts';
import type { Store } from '../db/store.ts';
import type { RouteDeps } from './app.ts';

/**
 * What a handler returns when it answers with a stream of its own (GET /events): the reply is
 * under way, there is nothing to send. (Not the reply itself: a reply is a thenable, and awaiting
 * it waits for the response to end.)
 */
export const STREAMING: unique symbol = Symbol('streaming');

/** Where a route finds the portfolio it reads or changes. */
export type PortfolioLocator =
  /** `/portfolios/:id…` */
  | { from: 'path' }
  /** `portfolio_id` in the body or the query (optional on lists: then the visible portfolios). */
  | { from: 'body' | 'query'; optional?: boolean }
  /** `/:id` names a row of a portfolio's table (orders, trade ideas, …). */
  | { from: 'row'; resource: PortfolioResource };

export type PortfolioResource =
  | 'orders'
  | 'trade_ideas'
  | 'trades'
  | 'positions'
  | 'signals'
  | 'fills'
  | 'decision_history'
  | 'portfolio_snapshots'
  | 'account_snapshots';

export interface RouteContext {
  store: Store;
  principal: Principal;
  /** Portfolio ids a list may show: undefined when unrestricted (an admin without key limits). */
  visiblePortfolios(): Promise<readonly number[] | undefined>;
  /** Token keys and configuration (auth routes). */
  deps: RouteDeps;
}

export interface RouteSpec {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: string;
  summary: string;
  tag: string;
  auth: Need | 'public';
  portfolio?: PortfolioLocator;
  status?: number;
  bodyLimit?: number;
  schema: {
    body?: z.ZodType;
    querystring?: z.ZodType;
    params?: z.ZodType;
    headers?: z.ZodType;
    response: z.ZodType;
  };
  /** For content types other than JSON (CSV/NDJSON candle uploads): the body stays a stream. */
  rawBody?: boolean;
  /** The answer's content type when it is not JSON (`text/event-stream`: GET /events). */
  produces?: 'text/event-stream';
  /**
   * The credential may also come as `?access_token=` (an access token, never an API key): browsers'
   * EventSource cannot send headers. Only GET /events; the query string is never logged.
   */
  queryToken?: boolean;
  rateLimit?: { max: number; per: 'ip' | 'email' }[];
  handler(
    request: FastifyRequest<{ Body: never; Querystring: never; Params: never }>,
    ctx: RouteContext,
    reply: FastifyReply,
  ): Promise<unknown>;
}

/** Declares a route with its input types inferred from its schemas. */
export function route<
  B extends z.ZodType | undefined = undefined,
  Q extends z.ZodType | undefined = undefined,
  P extends z.ZodType | undefined = undefined,
>(
  spec: Omit<RouteSpec, 'handler' | 'schema'> & {
    schema: { body?: B; querystring?: Q; params?: P; headers?: z.ZodType; response: z.ZodType };
    handler(
      request: FastifyRequest<{
        Body: B extends z.ZodType ? z.output<B> : undefined;
        Querystring: Q extends z.ZodType ? z.output<Q> : undefined;
        Params: P extends z.ZodType ? z.output<P> : undefined;
      }>,
      ctx: RouteContext,
      reply: FastifyReply,
    ): Promise<unknown>;
  },
): RouteSpec {
  return spec as unknown as RouteSpec;
}
