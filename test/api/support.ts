/**
 * What the API suites share: an app on the suite's store with its log captured (so a test can grep
 * it for secrets), and a small JSON client over app.inject.
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import type { Store } from '../../src/db/store.ts';
import type { HybridSettings } from '../../src/hybrid/settings.ts';

export const SECRET = 'test-secret-key-0123456789abcdef-0123456789';

export interface TestApi {
  app: FastifyInstance;
  log: string[];
  call(
    method: string,
    url: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: string | Buffer },
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- answers are asserted field by field
  ): Promise<{ status: number; body: any; headers: Record<string, unknown>; text: string }>;
  /** Registers (first user) or creates through the admin, then logs in: the access token. */
  login(email: string, password: string): Promise<{ access: string; refresh: string }>;
  close(): Promise<void>;
}

export function testApi(
  store: Store,
  config: Record<string, unknown> = {},
  hybrid?: HybridSettings,
): TestApi {
  const log: string[] = [];
  const logStream = new Writable({
    write(chunk, _encoding, done) {
      log.push(String(chunk));
      done();
    },
  });
  const app = buildApp({
    store,
    config: { LOG_LEVEL: 'info', SECRET_KEY: SECRET, ...config } as never,
    logStream,
    validateResponses: true,
    ...(hybrid ? { hybrid } : {}),
  });
  const call: TestApi['call'] = async (method, url, options = {}) => {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await app.inject({
      method: method as 'GET',
      url,
      headers,
      ...(options.raw !== undefined
        ? { payload: options.raw }
        : options.body !== undefined
          ? { payload: options.body as object }
          : {}),
    });
    let body: unknown;
    try {
      body = res.body === '' ? null : JSON.parse(res.body);
    } catch {
      body = res.body;
    }
    return { status: res.statusCode, body, headers: res.headers, text: res.body };
  };
  return {
    app,
    log,
    call,
    async login(email, password) {
      const r = await call('POST', '/auth/login', { body: { email, password } });
      if (r.status !== 200) throw new Error(`login ${email}: ${r.status} ${r.text}`);
      return { access: r.body.access_token, refresh: r.body.refresh_token };
    },
    close: () => app.close(),
  };
}

/** Every table's row count (production and test), to prove a refused request changed nothing. */
export async function rowCounts(store: Store): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  const tables = [
    'users',
    'portfolios',
    'portfolio_access',
    'api_keys',
    'auth_sessions',
    'refresh_tokens',
    'assets',
    'strategies',
    'strategy_versions',
    'signals',
    'trade_ideas',
    'orders',
    'fills',
    'positions',
    'trades',
    'decision_history',
    'risk_configs',
    'portfolio_snapshots',
    'account_snapshots',
    'candles',
  ];
  for (const t of tables) {
    const row = await store.kysely
      .selectFrom(t)
      .select((eb) => eb.fn.countAll().as('n'))
      .executeTakeFirst();
    out[t] = Number(row?.n ?? 0);
  }
  return out;
}
