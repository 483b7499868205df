/**
 * Security basics: standard security headers (helmet, applied to every response), CORS only for the origins CORS_ORIGINS
 * lists (off otherwise: no cross-origin browser access), a request id on every request and
 * response (the client's `X-Request-Id` when it is a sane token, else a new UUID), and a global
 * request rate limit when RATE_LIMIT_PER_MINUTE is set.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import helmet from 'helmet';
import rateLimit from '@fastify/rate-limit';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/**
 * helmet's headers, computed by helmet itself once: with these options every directive is a fixed
 * string (no nonce, no function of the request), so its middleware sets the same headers on every
 * response, and running its twelve middlewares per request (each a `setHeader` with node's checks)
 * cost more than the rest of the security work. Recorded here from helmet's own calls; an option
 * that made a header depend on the request would have to go back to running helmet per request.
 */
export function securityHeaders(): Readonly<Record<string, string>> {
  const middleware = helmet({
    // The docs page (swagger-ui) and the web app (/app/: Vite's module scripts and stylesheet,
    // fetch and EventSource to this origin, charts drawn on canvas) load from this origin only.
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'validator.swagger.io'],
        fontSrc: ["'self'"],
        // helmet's default would upgrade every same-origin request of a page served over plain
        // http on a LAN name (docker's HOST=0.0.0.0) to https, where nothing listens.
        upgradeInsecureRequests: null,
      },
    },
  });
  const headers: Record<string, string> = {};
  // X-Powered-By, which helmet removes, is never set by Fastify.
  const recorder = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: () => {},
  };
  let finished = false;
  middleware({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    if (error) throw error as Error;
    finished = true;
  });
  if (!finished) throw new Error('helmet did not set its headers synchronously');
  return Object.freeze(headers);
}

export function registerSecurity(
  app: FastifyInstance,
  options: { corsOrigins: readonly string[]; ratePerMinute: number },
): void {
  const headers = securityHeaders();
  // One hook: the request id and helmet's headers, set on the reply (a route that hijacks the
  // reply and writes reply.raw itself must set `securityHeaders()` there: these are not written).
  app.addHook('onRequest', (request, reply, done) => {
    reply.headers(headers);
    reply.header('x-request-id', request.id);
    done();
  });
  if (options.corsOrigins.length > 0)
    void app.register(cors, {
      origin: [...options.corsOrigins],
      credentials: false,
      exposedHeaders: ['x-request-id'],
    });
  void app.register(rateLimit, {
    global: options.ratePerMinute > 0,
    max: options.ratePerMinute > 0 ? options.ratePerMinute : 1_000_000,
    timeWindow: '1 minute',
    errorResponseBuilder: (_request, context) =>
      new ApiError('rate_limited', `rate limit exceeded: retry in ${context.after}`, {
        retry_after: context.after,
      }),
  });
}
