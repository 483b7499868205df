/**
 * Keyset paging, generated from the route table (src/api/routes): every GET route answering
 * `{ data, next_cursor }` with a `cursor` parameter is walked with `limit=2` after more rows than
 * that were added, and a row is added between the first and second page. The walk must return
 * every row that existed when it began exactly once, newest first, and not the row added behind
 * it. A list route without a seeder here, or a list without a cursor that is not named as a whole
 * answer below, fails the suite: a route added to the table is covered without a test written for it.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { after, before, test } from 'node:test';
import type { z } from 'zod';
import { routes } from '../../src/api/routes/index.ts';
import type { RouteSpec } from '../../src/api/route.ts';
import { eachDialect } from '../support/dialects.ts';
import { buildScenario, type Scenario } from './scenario.ts';
import { testApi, type TestApi } from './support.ts';

const BACKTEST = readFileSync(
  resolve(import.meta.dirname, '../fixtures/backtests/freqtrade-StrategyTestV3-5-trades.json'),
  'utf8',
);

const shapeOf = (schema: z.ZodType | undefined): Record<string, unknown> =>
  (schema as unknown as { shape?: Record<string, unknown> } | undefined)?.shape ?? {};
const isList = (r: RouteSpec) => r.method === 'GET' && 'next_cursor' in shapeOf(r.schema.response);
const paged = routes.filter((r) => isList(r) && 'cursor' in shapeOf(r.schema.querystring));

/**
 * Lists that are one bounded answer, not a growing history: aggregates (stats, counts), a keyed
 * map (bot status), a calendar window (the latest capture of each event in it), and the small
 * per-parent lists (a portfolio's grants, a strategy's versions and performance rows, an order's fills,
 * an asset's stored timeframes).
 */
const WHOLE = new Set([
  '/portfolios/:id/access',
  '/strategies/:id/versions',
  '/strategies/:id/performance',
  '/orders/:id/fills',
  '/candles/timeframes',
  '/stats/daily',
  '/stats/weekly',
  '/stats/monthly',
  '/stats/per-strategy',
  '/stats/per-asset',
  '/admin/db/counts',
  '/admin/db/stats',
  '/calendar-events',
  '/bot-status',
]);

interface Seeder {
  /** The list URL with its required query (no limit or cursor). */
  url: string;
  token: keyof Scenario['tokens'];
  /** Adds one row; `mid` is the row added during the walk (newer than every row before it). */
  add(n: number, mid: boolean): Promise<void>;
  /** The ordering key, newest first (default the row id). */
  key?: (row: Record<string, unknown>) => number;
  /** Why no row can be added during a walk (the list's parent is immutable). */
  noMidWalk?: string;
}

/**
 * Lists read oldest first from a position (`after` a seq, next_cursor the seq to continue after):
 * the events history, walked by test/api/events.test.ts.
 */
const FORWARD = new Set(['/events/history']);

test('every list route is either a keyset page or a named whole answer', () => {
  assert.ok(paged.length >= 25, `only ${paged.length} paged routes found`);
  for (const r of routes.filter(isList))
    assert.ok(
      paged.includes(r) || WHOLE.has(r.url) || FORWARD.has(r.url),
      `${r.url} returns a list without a cursor and is not a named whole answer`,
    );
});

eachDialect('keyset paging of every list route (generated from the route table)', (ctx) => {
  let api: TestApi;
  let world: Scenario;
  let seeders: Record<string, Seeder>;
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent', RESPONSE_CACHE: false });
    world = await buildScenario(api);
    seeders = await buildSeeders();
  });
  after(() => api.close());

  const ok = async (method: string, url: string, body?: unknown, token = world.tokens.owner) => {
    const r = await api.call(method, url, { token, body });
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  };
  const raw = async (url: string, body: string, contentType: string) => {
    const r = await api.call('POST', url, {
      token: world.tokens.owner,
      raw: body,
      headers: { 'content-type': contentType },
    });
    assert.ok(r.status < 300, `POST ${url}: ${r.status} ${r.text.slice(0, 300)}`);
    return r.body;
  };

  async function buildSeeders(): Promise<Record<string, Seeder>> {
    const pid = world.ids.portfolios!;
    const strategyId = world.ids.strategies!;
    let chains = 0;
    /** One auto-executed chain on a new asset: a signal, idea, order, fill, position, trade, decision. */
    const chain = async () => {
      chains += 1;
      const asset = await ok('POST', '/assets', {
        symbol: `PG${chains}/USD`,
        venue: 'paging',
        kind: 'crypto',
      });
      const r = await ok('POST', '/signals', {
        portfolio_id: pid,
        strategy_id: strategyId,
        asset_id: asset.id,
        action: 'buy',
        price: '10.5',
        quantity: '1',
        confidence: 0.9,
        act: true,
        fill: { fee: '0.01' },
      });
      assert.equal(r.verdict, 'auto_executed', JSON.stringify(r));
    };
    const trading = (url: string): Seeder => ({
      url: `${url}?portfolio_id=${pid}`,
      token: 'owner',
      add: chain,
    });
    const market = await ok('POST', '/prediction-markets', { external_id: 'paging-m', question: 'Paged?' });
    const feed = await ok('POST', '/news-feeds', { url: 'https://example.com/paging', name: 'Paging' });
    const upload = (n: number) =>
      raw('/backtests', BACKTEST.replaceAll('StrategyTestV3', `PagingStrategy${n}`), 'application/json');
    const run = (await upload(0)).runs[0].run_id;
    const T0 = Date.UTC(2025, 0, 1);
    const candle = (n: number, mid: boolean) => {
      const ts = T0 + (mid ? 1000 + n : -n) * 60_000;
      return raw(
        '/candles?asset=PAGE/USD&venue=paging&timeframe=1m',
        JSON.stringify([[ts, 1, 2, 0.5, 1.5, 10]]),
        'application/json',
      );
    };
    // Older ticks are added later, so insertion order is not time order.
    const tick = (n: number, mid: boolean) =>
      raw(
        '/ticks?asset=PAGE/USD&venue=paging',
        `${T0 / 1000 + (mid ? 1000 + n : -n) * 60},1.5,${n}\n`,
        'text/csv',
      );
    return {
      '/users': {
        url: '/users',
        token: 'admin',
        add: (n) =>
          ok(
            'POST',
            '/users',
            { email: `paging${n}@example.com`, password: 'paging password', role: 'viewer' },
            world.tokens.admin,
          ),
      },
      '/api-keys': {
        url: '/api-keys',
        token: 'owner',
        add: (n) => ok('POST', '/api-keys', { name: `k${n}`, scopes: ['read'] }),
      },
      '/portfolios': {
        url: '/portfolios',
        token: 'owner',
        add: (n) => ok('POST', '/portfolios', { name: `P${n}`, base_currency: 'USD', initial_balance: '1' }),
      },
      '/portfolios/:id/snapshots': {
        url: `/portfolios/${pid}/snapshots`,
        token: 'owner',
        add: () => ok('POST', `/portfolios/${pid}/snapshots`, {}),
      },
      '/assets': {
        url: '/assets',
        token: 'owner',
        add: (n) => ok('POST', '/assets', { symbol: `A${n}/USD`, venue: 'assets', kind: 'crypto' }),
      },
      '/candles': {
        url: '/candles?asset=PAGE/USD&venue=paging&timeframe=1m',
        token: 'owner',
        add: candle,
        key: (row) => Number(row.ts),
      },
      '/ticks': {
        url: '/ticks?asset=PAGE/USD&venue=paging',
        token: 'owner',
        add: tick,
        key: (row) => Number(row.ts),
      },
      '/strategies': {
        url: '/strategies',
        token: 'owner',
        add: (n) => ok('POST', '/strategies', { name: `S${n}` }),
      },
      '/backtests': { url: '/backtests', token: 'owner', add: (n, mid) => upload(mid ? 1000 + n : n) },
      '/backtests/:id/trades': {
        url: `/backtests/${run}/trades`,
        token: 'owner',
        add: async () => {},
        noMidWalk: 'a run is imported whole: its trades cannot grow',
      },
      '/signals': trading('/signals'),
      '/trade-ideas': trading('/trade-ideas'),
      '/orders': trading('/orders'),
      '/fills': trading('/fills'),
      '/positions': trading('/positions'),
      '/trades': trading('/trades'),
      '/decisions': trading('/decisions'),
      '/learning-entries': {
        url: '/learning-entries',
        token: 'owner',
        add: (n) => ok('POST', '/learning-entries', { insight: `insight ${n}`, confidence: 0.5 }),
      },
      '/ingestion-tasks': {
        url: '/ingestion-tasks',
        token: 'owner',
        add: (n) => ok('POST', '/ingestion-tasks', { source_type: 'pdf', source_ref: `p${n}.pdf` }),
      },
      '/news-feeds': {
        url: '/news-feeds',
        token: 'owner',
        add: (n) => ok('POST', '/news-feeds', { url: `https://example.com/f${n}`, name: `F${n}` }),
      },
      '/news-items': {
        url: `/news-items?feed_id=${feed.id}`,
        token: 'owner',
        add: (n) => ok('POST', '/news-items', { feed_id: feed.id, guid: `g${n}`, headline: `h${n}` }),
      },
      '/prediction-markets': {
        url: '/prediction-markets',
        token: 'owner',
        add: (n) => ok('POST', '/prediction-markets', { external_id: `pm${n}`, question: `q${n}?` }),
      },
      '/prediction-markets/:id/snapshots': {
        url: `/prediction-markets/${market.id}/snapshots`,
        token: 'owner',
        add: (n) =>
          ok('POST', '/market-snapshots', {
            market: { venue: 'polymarket', external_id: 'paging-m' },
            yes_price: `0.${n + 10}`,
          }),
      },
      '/account-snapshots': {
        url: `/account-snapshots?portfolio_id=${pid}`,
        token: 'owner',
        add: (n) =>
          ok('POST', '/account-snapshots', {
            portfolio_id: pid,
            balance: `${n}`,
            equity: `${n}`,
            margin_used: '0',
            margin_free: `${n}`,
            open_pl: '0',
            open_positions: 0,
          }),
      },
      '/error-logs': {
        url: '/error-logs',
        token: 'owner',
        add: (n) => ok('POST', '/error-logs', { level: 'error', source: 'paging', message: `m${n}` }),
      },
    };
  }

  for (const spec of paged) {
    test(`GET ${spec.url}: limit=2 pages give every row once, newest first, a row added mid-walk changes nothing`, async () => {
      const s = seeders[spec.url];
      assert.ok(s, `no seeder for the list route ${spec.url}: add one to test/api/paging.test.ts`);
      const token = world.tokens[s.token];
      for (let n = 1; n <= 5; n++) await s.add(n, false);
      const sep = s.url.includes('?') ? '&' : '?';
      const key = s.key ?? ((row: Record<string, unknown>) => Number(row.id));
      const everything = (await ok('GET', `${s.url}${sep}limit=1000`, undefined, token)).data as Record<
        string,
        unknown
      >[];
      assert.ok(everything.length > 4, `${spec.url}: only ${everything.length} rows to page`);
      const walked: Record<string, unknown>[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url = `${s.url}${sep}limit=2${cursor === null ? '' : `&cursor=${encodeURIComponent(cursor)}`}`;
        const page = await ok('GET', url, undefined, token);
        assert.ok(page.data.length <= 2, `${url}: ${page.data.length} rows for limit=2`);
        walked.push(...page.data);
        cursor = page.next_cursor;
        pages += 1;
        if (pages === 1 && s.noMidWalk === undefined) await s.add(99, true);
        assert.ok(pages <= everything.length, `${spec.url}: the walk does not end`);
      } while (cursor !== null);
      const keys = walked.map(key);
      for (let i = 1; i < keys.length; i++)
        assert.ok(keys[i]! < keys[i - 1]!, `${spec.url}: not newest first at row ${i}: ${keys.join(', ')}`);
      assert.deepEqual(keys, everything.map(key), `${spec.url}: the walk is not every row exactly once`);
      assert.deepEqual(walked, everything, `${spec.url}: the walked rows differ from the whole list`);
    });
  }
});
