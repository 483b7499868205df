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
import type { FastifyInstance } from 'fastify';
import { ApiError } from './errors.ts';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,64}$/;

export function requestIdOf(header: unknown): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

export function registerSecurity(
  app: FastifyInstance,
  options: { corsOrigins: readonly string[]; ratePerMinute: number },
): void {
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    done();
  });
  // helmet's middleware built once (the fastify wrapper rebuilt it, parsing the CSP, per request).
  const headers = helmet({
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
  app.addHook('onRequest', (request, reply, done) =>
    headers(request.raw, reply.raw, (error) => done(error as Error | undefined)),
  );
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
