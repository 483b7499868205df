/**
 * The HTTP API: a thin Fastify layer over the services. Routes validate input with zod (the same
 * schemas produce /openapi.json), the auth plugin decides every request from the route table, and
 * handlers call the same functions the CLI and library users call.
 *
 * Layout (after fastify's demo app): plugins/ (errors, security, auth), schemas/ (wire shapes per
 * resource), routes/ (one file per resource), route.ts (the route table's type), wire.ts
 * (snake_case and decimal strings), web-app.ts (the built web app at `/` and `/app/`).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { DestinationStream } from 'pino';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, {
  type FastifyInstance,
  type FastifyReply,
  type FastifyRequest,
  type FastifyServerOptions,
  LogController,
} from 'fastify';
import {
  createSerializerCompiler,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import { tokenKeys } from '../accounts/sessions.ts';
import { type Config, ConfigError } from '../config/env.ts';
import { redactLogArguments } from '../config/secrets.ts';
import { OpenStreams } from './event-stream.ts';
import type { Store } from '../db/store.ts';
import type { HybridSettings } from '../hybrid/settings.ts';
import { health } from '../operations/inspect.ts';
import { contextFor, registerAuth } from './plugins/auth.ts';
import { ApiError, registerErrorHandling } from './plugins/errors.ts';
import { registerSecurity, requestIdOf } from './plugins/security.ts';
import { type RouteSpec, STREAMING } from './route.ts';
import { routes } from './routes/index.ts';
import { ERROR_STATUSES, errors } from './schemas/common.ts';
import { registerWebApp } from './web-app.ts';

type ApiConfig = Pick<Config, 'LOG_LEVEL'> &
  Partial<
    Pick<
      Config,
      | 'SECRET_KEY'
      | 'NODE_ENV'
      | 'ALLOW_SIGNUP'
      | 'CORS_ORIGINS'
      | 'BODY_LIMIT_BYTES'
      | 'CANDLE_UPLOAD_LIMIT_BYTES'
      | 'LOGIN_ATTEMPTS_PER_MINUTE'
      | 'RATE_LIMIT_PER_MINUTE'
      | 'RESPONSE_CACHE'
      | 'EVENTS_HEARTBEAT_SECONDS'
      | 'EVENTS_MAX_STREAMS_PER_USER'
    >
  >;

export interface AppOptions {
  store: Store;
  config: ApiConfig;
  /** Where the JSON log goes (default stdout); tests capture it. */
  logStream?: DestinationStream;
  /** Check every response against its schema (tests); production serialises without re-checking. */
  validateResponses?: boolean;
  /** STORAGE_MODE=hybrid: settings mirrored to files, /health `degraded` while they serve reads. */
  hybrid?: HybridSettings;
  /** The built web app served at `/` and `/app/` (default web/dist; tests give a fixture). */
  webRoot?: string;
}

/**
 * SECRET_KEY as signing bytes. Production refuses to start without 32 bytes of it; development
 * generates one and says that tokens will not survive a restart.
 */
export function resolveSecretKey(config: ApiConfig, warn: (message: string) => void): string {
  const key = config.SECRET_KEY;
  if (key !== undefined && key !== '') {
    if (Buffer.byteLength(key) < 32) throw new ConfigError('SECRET_KEY is too short: at least 32 bytes');
    return key;
  }
  if (config.NODE_ENV === 'production')
    throw new ConfigError(
      'SECRET_KEY is required with NODE_ENV=production (at least 32 random bytes, e.g. `openssl rand -hex 32`)',
    );
  warn('SECRET_KEY is not set: generated a random one for this run; tokens will not survive a restart');
  return randomBytes(32).toString('hex');
}

/**
 * Fastify logs a request twice (received, then completed); one line when it is answered, with the
 * method and path (no query string: nothing a client puts there belongs in a log), is enough.
 */
class OneLinePerRequest extends LogController {
  override incomingRequest(): void {}
  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    const line = {
      method: request.method,
      path: request.url.split('?')[0],
      status: reply.statusCode,
      ms: Math.round(reply.elapsedTime * 100) / 100,
    };
    if (error) reply.log.error({ ...line, err: error }, 'request errored');
    else reply.log.info(line, 'request');
  }
}

const fastJson = () => (data: unknown) => JSON.stringify(data);

/** The logger: one line a request, secrets cut from every path and message. */
function loggerOptions(
  level: string,
  logStream: DestinationStream | undefined,
): FastifyServerOptions['logger'] {
  return {
    level,
    ...(logStream ? { stream: logStream } : {}),
    // Belt and braces: request logs carry no headers or bodies, and these paths are cut if a
    // future log line ever includes them.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'headers.authorization',
        '*.password',
        '*.access_token',
        '*.refresh_token',
        '*.key',
      ],
      censor: '[redacted]',
    },
    // Where Fastify logs a request itself (a failed error handler, a stream error): the method
    // and path only, never the query string (GET /events takes ?access_token=).
    serializers: {
      req: (req: { method?: string; url?: string }) => ({
        method: req.method,
        path: req.url?.split('?')[0],
      }),
    },
    // A driver's error text can quote a connection string: every message and error is masked.
    hooks: {
      logMethod(args, method) {
        method.apply(this, redactLogArguments(args) as Parameters<typeof method>);
      },
    },
  };
}

/** The OpenAPI document (served at /openapi.json, browsed at /docs). */
function registerOpenApi(app: FastifyInstance): void {
  void app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'tradestore',
        version: '0.1.0',
        description:
          'Records and reads everything a trading bot does. JSON is snake_case; money, prices and quantities are decimal strings; times ISO-8601 UTC (candles: ts in epoch ms). Lists are keyset pages {data, next_cursor}. ' +
          ERROR_STATUSES,
        license: { name: 'MIT', identifier: 'MIT' },
      },
      servers: [{ url: '/' }],
      components: {
        securitySchemes: {
          bearer: {
            type: 'http',
            scheme: 'bearer',
            description: 'An access token from POST /auth/login, or an API key (tsk_…) from POST /api-keys',
          },
        },
      },
      tags: [...new Set(routes.map((r) => r.tag))].map((name) => ({ name, description: `${name} routes` })),
    },
    transform: jsonSchemaTransform,
    transformObject: (input) =>
      withoutUnusedSchemas(jsonSchemaTransformObject(input) as OpenApiDocument) as never,
  });
  void app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
}

export function buildApp({
  store,
  config,
  hybrid,
  logStream,
  validateResponses = false,
  webRoot,
}: AppOptions): FastifyInstance {
  const app = Fastify({
    logger: loggerOptions(config.LOG_LEVEL, logStream),
    bodyLimit: config.BODY_LIMIT_BYTES ?? 1_048_576,
    genReqId: (request) => requestIdOf(request.headers['x-request-id']),
    logController: new OneLinePerRequest(),
    trustProxy: false,
  });
  const secret = resolveSecretKey(config, (m) => app.log.warn(m));
  const keys = tokenKeys(secret);
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(validateResponses ? createSerializerCompiler({}) : fastJson);
  registerErrorHandling(app);
  registerSecurity(app, {
    corsOrigins: config.CORS_ORIGINS ?? [],
    ratePerMinute: config.RATE_LIMIT_PER_MINUTE ?? 0,
  });
  registerOpenApi(app);
  registerAuth(app, store, keys);

  registerWebApp(app, webRoot);
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  app.get('/health', { schema: { hide: true } }, async (_request, reply) => {
    const h = hybrid ? await hybrid.health() : await health(store);
    // Degraded still answers (settings from the files), so it is not a 503.
    return reply.code(h.status === 'unhealthy' ? 503 : 200).send(h);
  });

  // Open event streams would hold app.close() (their responses never end by themselves).
  const streams = new OpenStreams();
  const quiet = connectionsWithoutRequests(app);
  app.addHook('preClose', (done) => {
    streams.endAll('server closing');
    // A connection a client opened ahead and never used (fetch does so beside a long stream) is
    // not "idle" to node, and would hold the close until its headers timeout (about a minute).
    for (const socket of quiet()) socket.destroy();
    done();
  });
  const deps: RouteDeps = { store, keys, config, streams, ...(hybrid ? { hybrid } : {}) };
  // Registered as a plugin so it runs after the plugins above have loaded (rate limit, swagger's route hook).
  void app.register(async (instance) => {
    for (const spec of routes) if (!spec.rawBody) registerRoute(instance, spec, deps);
  });
  // Bulk uploads read the body as a stream (any content type: JSON, NDJSON, CSV, gzip) so a large
  // file is never buffered whole; the route counts bytes against its own, larger limit.
  void app.register(async (instance) => {
    instance.removeAllContentTypeParsers();
    instance.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    for (const spec of routes) if (spec.rawBody) registerRoute(instance, spec, deps);
  });
  return app;
}

/** The server's connections that carry no request right now. */
function connectionsWithoutRequests(app: FastifyInstance): () => Socket[] {
  const open = new Map<Socket, number>();
  app.server.on('connection', (socket: Socket) => {
    open.set(socket, 0);
    socket.once('close', () => open.delete(socket));
  });
  app.server.on('request', (request: IncomingMessage, response: ServerResponse) => {
    const socket = request.socket;
    open.set(socket, (open.get(socket) ?? 0) + 1);
    response.once('close', () => {
      if (open.has(socket)) open.set(socket, open.get(socket)! - 1);
    });
  });
  return () => [...open].filter(([, requests]) => requests === 0).map(([socket]) => socket);
}

export interface RouteDeps {
  store: Store;
  keys: ReturnType<typeof tokenKeys>;
  config: ApiConfig;
  /** STORAGE_MODE=hybrid: settings writes go through it (routes/helpers.ts settingsWrite). */
  hybrid?: HybridSettings;
  /** GET /events streams open on this app. */
  streams: OpenStreams;
}

function registerRoute(app: FastifyInstance, spec: RouteSpec, deps: RouteDeps): void {
  const status = spec.status ?? 200;
  // Each limit counts separately (createRateLimit: the plugin's hook form runs only one per request).
  const checks = (spec.rateLimit ?? []).map((l) => ({
    per: l.per,
    check: app.createRateLimit({
      // Per email the configured attempts; per IP six times that (offices and bots share addresses).
      max: (deps.config.LOGIN_ATTEMPTS_PER_MINUTE ?? l.max) * (l.per === 'ip' ? 6 : 1),
      timeWindow: 60_000,
      keyGenerator: (request) =>
        l.per === 'ip'
          ? `login-ip:${request.ip}`
          : `login-email:${String((request.body as { email?: unknown } | undefined)?.email ?? '')
              .trim()
              .toLowerCase()}`,
    }),
  }));
  const limiters =
    checks.length === 0
      ? []
      : [
          async (request: FastifyRequest, reply: FastifyReply) => {
            for (const { per, check } of checks) {
              const r = await check(request);
              if (!r.isAllowed && r.isExceeded) {
                reply.header('retry-after', r.ttlInSeconds);
                throw new ApiError(
                  'rate_limited',
                  `too many attempts from this ${per === 'ip' ? 'address' : 'account'}: retry in ${r.ttlInSeconds} s`,
                  {
                    retry_after_seconds: r.ttlInSeconds,
                  },
                );
              }
            }
          },
        ];
  app.route({
    method: spec.method,
    url: spec.url,
    bodyLimit: spec.bodyLimit ?? deps.config.BODY_LIMIT_BYTES ?? 1_048_576,
    config: { spec },
    schema: {
      summary: spec.summary,
      tags: [spec.tag],
      operationId: operationId(spec),
      security: spec.auth === 'public' ? [] : [{ bearer: [] }],
      ...(spec.schema.body && !spec.rawBody ? { body: spec.schema.body } : {}),
      ...(spec.schema.querystring ? { querystring: spec.schema.querystring } : {}),
      ...(spec.schema.params ? { params: spec.schema.params } : {}),
      ...(spec.schema.headers ? { headers: spec.schema.headers } : {}),
      response: {
        [status]: spec.produces
          ? { content: { [spec.produces]: { schema: spec.schema.response } } }
          : spec.schema.response,
        ...errors,
      },
    },
    ...(limiters.length > 0 ? { preHandler: limiters } : {}),
    handler: async (request, reply) => {
      const result = await spec.handler(
        request as never,
        { ...contextFor(deps.store, request), deps },
        reply,
      );
      if (reply.sent || result === STREAMING) return reply;
      if (status === 204) return reply.code(204).send();
      return reply.code(status).send(result);
    },
  });
}

/** `POST /trade-ideas/:id/approve` → `postTradeIdeasByIdApprove`: stable names for generated clients. */
export function operationId(spec: Pick<RouteSpec, 'method' | 'url'>): string {
  const words = spec.url
    .split('/')
    .filter(Boolean)
    .map((part) => (part.startsWith(':') ? `by_${part.slice(1)}` : part))
    .flatMap((part) => part.split(/[-_]/));
  return spec.method.toLowerCase() + words.map((w) => w.charAt(0).toUpperCase() + w.slice(1)).join('');
}

type OpenApiDocument = { paths?: unknown; components?: { schemas?: Record<string, unknown> } };

/**
 * The zod transform registers an input and an output variant of every named schema; a variant no
 * operation references would only be noise in the document (and in generated clients).
 */
function withoutUnusedSchemas(doc: OpenApiDocument): OpenApiDocument {
  const schemas = doc.components?.schemas;
  if (!schemas) return doc;
  const used = new Set<string>();
  const visit = (text: string) => {
    for (const m of text.matchAll(/#\/components\/schemas\/([^"]+)"/g)) {
      if (used.has(m[1]!)) continue;
      used.add(m[1]!);
      visit(JSON.stringify(schemas[m[1]!] ?? null));
    }
  };
  visit(JSON.stringify(doc.paths ?? {}));
  const kept = Object.fromEntries(Object.entries(schemas).filter(([name]) => used.has(name)));
  return { ...doc, components: { ...doc.components, schemas: kept } };
}
