/**
 * The HTTP API: a thin Fastify layer over the services. Routes validate input with zod and call
 * the same functions the CLI and library users call.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/env.ts';
import { health } from '../operations/inspect.ts';
import type { Store } from '../db/store.ts';

export interface AppOptions {
  store: Store;
  config: Pick<Config, 'LOG_LEVEL'>;
}

export function buildApp({ store, config }: AppOptions): FastifyInstance {
  const app = Fastify({ logger: { level: config.LOG_LEVEL } });

  app.get('/health', async (_request, reply) => {
    const h = await health(store);
    return reply.code(h.status === 'healthy' ? 200 : 503).send(h);
  });

  return app;
}
