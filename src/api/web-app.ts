/**
 * The web app (web/, built by Vite into web/dist) served beside the API. It lives under `/app/`
 * so that none of its routes can shadow an API route (`/strategies`, `/users`, `/api-keys` are
 * both pages and API resources): `/` and every `/app/…` page answer with index.html (no-cache,
 * so a new build is picked up at once), `/app/static/…` are Vite's content-hashed files (cached
 * for a year, immutable). A missing static file is the API's 404, never index.html.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** web/dist at the package root: the same two levels up from src/api/ and from dist/api/. */
export const WEB_ROOT = fileURLToPath(new URL('../../web/dist/', import.meta.url));

/** Answered at `/` while the app is not built (a checkout before `npm run build:web`). */
const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>tradestore</title></head>
<body><main><h1>tradestore</h1><p>The HTTP API of tradestore. The web app is not built here: run
<code>npm run build:web</code>. Read the <a href="/docs">interactive API documentation</a> or fetch the
<a href="/openapi.json">OpenAPI 3.1 document</a>. Health: <a href="/health">/health</a>.</p></main></body></html>`;

export function registerWebApp(app: FastifyInstance, root: string = WEB_ROOT): void {
  const index = join(root, 'index.html');
  const page = async (reply: FastifyReply) => {
    // Read per request (a small file): a rebuild while the server runs serves the new hashes.
    const html = await readFile(index).catch(() => NOT_BUILT);
    return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(html);
  };
  app.get('/', { schema: { hide: true } }, (_request, reply) => page(reply));
  app.get('/app', { schema: { hide: true } }, (_request, reply) => reply.redirect('/app/'));
  app.get('/app/*', { schema: { hide: true } }, (_request, reply) => page(reply));
  const assets = join(root, 'static');
  if (!existsSync(assets))
    app.get('/app/static/*', { schema: { hide: true } }, (_request, reply) => reply.callNotFound());
  else
    void app.register(fastifyStatic, {
      root: assets,
      prefix: '/app/static/',
      decorateReply: false,
      index: false,
      cacheControl: false,
      setHeaders: (reply) => reply.header('cache-control', 'public, max-age=31536000, immutable'),
    });
}
