/**
 * Authentication and authorization of every request, from the route's own declaration
 * (RouteSpec.auth and .portfolio): the Bearer credential (an access token or an API key) becomes
 * the request's Principal in onRequest; in preValidation, before the body is even validated,
 * `authorize` decides with the portfolio the route touches, so another user's id is a 404 and a
 * viewer's change a 403 whatever the body says.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { portfolioOfRow, reachablePortfolioIds, relationTo } from '../../accounts/access.ts';
import { authenticateApiKey, looksLikeApiKey } from '../../accounts/api-keys.ts';
import { authorize, type Need } from '../../accounts/authorize.ts';
import type { Principal } from '../../accounts/principal.ts';
import {
  authenticateAccessToken,
  authenticateAccessTokenNow,
  type TokenKeys,
} from '../../accounts/sessions.ts';
import { dataVersion } from '../../db/data-version.ts';
import type { Store } from '../../db/store.ts';
import type { RouteContext, RouteSpec } from '../route.ts';
import { ApiError, refuseNul } from './errors.ts';

declare module 'fastify' {
  interface FastifyRequest {
    principal?: Principal;
    /**
     * The store's data version read when the request arrived (null: none on this store), shared
     * by the credential check and cached answers: both are then as of that instant.
     */
    dataVersion?: number | null;
  }
  interface FastifyContextConfig {
    spec?: RouteSpec;
  }
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return queryToken(request);
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  return m ? m[1]! : null;
}

/**
 * `?access_token=` on a route that accepts it (GET /events: EventSource sends no headers). Only an
 * access token (minutes-lived): an API key would be a long-lived secret in URLs, proxies' logs and
 * browser history, so it is refused there.
 */
function queryToken(request: FastifyRequest): string | null {
  if (request.routeOptions.config.spec?.queryToken !== true) return null;
  const token = (request.query as Record<string, unknown> | undefined)?.access_token;
  if (typeof token !== 'string' || token === '') return null;
  if (looksLikeApiKey(token))
    throw new ApiError(
      'unauthenticated',
      'an API key goes in the Authorization header, never in a URL; ?access_token= takes an access token',
    );
  return token;
}

export async function principalOf(
  store: Store,
  keys: TokenKeys,
  request: FastifyRequest,
): Promise<Principal> {
  const credential = bearer(request);
  if (credential === null)
    throw new ApiError('unauthenticated', 'send Authorization: Bearer <access token or API key>');
  return looksLikeApiKey(credential)
    ? authenticateApiKey(store, credential)
    : authenticateAccessToken(store, keys, credential);
}

function positiveInt(value: unknown): number | undefined {
  const n = typeof value === 'string' && /^\d{1,15}$/.test(value) ? Number(value) : value;
  return typeof n === 'number' && Number.isSafeInteger(n) && n > 0 ? n : undefined;
}

/** The portfolio id the request names, as the route declares it; null: the request names none. */
async function portfolioIdOf(
  store: Store,
  spec: RouteSpec,
  request: FastifyRequest,
): Promise<number | null | 'missing'> {
  const locator = spec.portfolio;
  if (!locator) return null;
  const params = request.params as Record<string, unknown>;
  switch (locator.from) {
    case 'path':
      return positiveInt(params.id) ?? 'missing';
    case 'body':
    case 'query': {
      const source = (locator.from === 'body' ? request.body : request.query) as Record<
        string,
        unknown
      > | null;
      const id = positiveInt(source?.portfolio_id);
      if (id !== undefined) return id;
      // No (valid) id: validation answers for a required one; an optional one means "all I may see".
      return locator.optional || source?.portfolio_id !== undefined ? null : 'missing';
    }
    case 'row': {
      const id = positiveInt(params.id);
      if (id === undefined) return 'missing';
      const owner = await portfolioOfRow(store, locator.resource, id);
      // A missing row: the handler's own lookup answers 404; a row outside portfolios: shared data.
      return owner === undefined ? 'missing' : owner;
    }
  }
}

export function registerAuth(app: FastifyInstance, store: Store, keys: TokenKeys): void {
  app.decorateRequest('principal', undefined);
  app.decorateRequest('dataVersion', undefined);
  // Callback hooks with synchronous fast paths: a bot's request with a known token on SQLite is
  // decided without a promise (these two hooks run on every request).
  app.addHook('onRequest', (request, _reply, done) => {
    const spec = request.routeOptions.config.spec;
    if (!spec || spec.auth === 'public') return done();
    try {
      const credential = bearer(request);
      const version = (request.dataVersion = dataVersion(store));
      const now =
        credential !== null && !looksLikeApiKey(credential)
          ? authenticateAccessTokenNow(store, keys, credential, version)
          : undefined;
      if (now !== undefined) {
        request.principal = now;
        return done();
      }
    } catch (error) {
      return done(error as Error);
    }
    principalOf(store, keys, request).then((principal) => {
      request.principal = principal;
      done();
    }, done);
  });
  app.addHook('preValidation', (request, _reply, done) => {
    try {
      if (request.body !== undefined && typeof (request.body as { pipe?: unknown }).pipe !== 'function')
        refuseNul(request.body);
      const spec = request.routeOptions.config.spec;
      if (!spec || spec.auth === 'public') return done();
      if (!spec.portfolio) {
        decide(spec, request.principal!, authorize(request.principal!, spec.auth));
        return done();
      }
    } catch (error) {
      return done(error as Error);
    }
    authorizeRequest(store, request).then(() => done(), done);
  });
}

function decide(spec: RouteSpec, _principal: Principal, decision: ReturnType<typeof authorize>): void {
  if (decision.allow) return;
  // A portfolio named through a row is reported as that row: nothing about the portfolio leaks.
  const message =
    decision.code === 'not_found' && spec.portfolio?.from === 'row'
      ? `${spec.portfolio.resource.replace(/_/g, ' ')} not found`
      : decision.reason;
  throw new ApiError(decision.code, message);
}

async function authorizeRequest(store: Store, request: FastifyRequest): Promise<void> {
  const spec = request.routeOptions.config.spec!;
  const principal = request.principal!;
  const portfolioId = await portfolioIdOf(store, spec, request);
  if (portfolioId === 'missing') {
    // Nothing to check a portfolio against: a request that names none (validation will refuse
    // it) or a row that does not exist (the handler will answer 404). Scope and role still apply.
    const decision = authorize(principal, spec.auth as Need);
    decide(spec, principal, decision);
    if (spec.portfolio?.from === 'row' && principal.role !== 'admin')
      throw new ApiError('not_found', `${spec.portfolio.resource.replace(/_/g, ' ')} not found`);
    return;
  }
  if (portfolioId === null) return decide(spec, principal, authorize(principal, spec.auth as Need));
  const relation =
    principal.role === 'admin' ? 'owner' : await relationTo(store, principal.userId, portfolioId);
  decide(spec, principal, authorize(principal, spec.auth as Need, { id: portfolioId, relation }));
}

export function contextFor(store: Store, request: FastifyRequest): Omit<RouteContext, 'deps'> {
  const principal = request.principal!;
  return {
    store,
    principal,
    async visiblePortfolios() {
      const limits = principal.portfolioIds;
      if (principal.role === 'admin') return limits ?? undefined;
      const reachable = await reachablePortfolioIds(store, principal.userId);
      return limits === null ? reachable : reachable.filter((id) => limits.includes(id));
    },
  };
}
