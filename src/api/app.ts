/**
 * The HTTP API: a thin Fastify layer over the services. Routes validate input with zod and call
 * the same functions the CLI and library users call.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import type { Config } from '../config/env.ts';
import { health } from '../operations/inspect.ts';
import type { Store } from '../db/store.ts';
import type { HybridSettings } from '../hybrid/settings.ts';

export interface AppOptions {
  store: Store;
  config: Pick<Config, 'LOG_LEVEL'>;
  /** STORAGE_MODE=hybrid: settings mirrored to files, /health `degraded` while they serve reads. */
  hybrid?: HybridSettings;
}

export function buildApp({ store, config, hybrid }: AppOptions): FastifyInstance {
  const app = Fastify({ logger: { level: config.LOG_LEVEL } });

  app.get('/health', async (_request, reply) => {
    const h = hybrid ? await hybrid.health() : await health(store);
    // Degraded still answers (settings from the files), so it is not a 503.
    return reply.code(h.status === 'unhealthy' ? 503 : 200).send(h);
  });

  return app;
}
