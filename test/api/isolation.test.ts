/**
 * Isolation, generated from the route table (src/api/routes): for every route that takes an id of
 * a portfolio's data, another user gets 404 on read and on change, the viewer the portfolio is
 * shared with gets 403 on change, and nothing changes (every table's row count and the row itself
 * compared before and after). Admin routes refuse non-admins with 403. A route added to the table
 * is covered without writing a test for it.
 */
import assert from 'node:assert/strict';
import { before, after, test } from 'node:test';
import { routes } from '../../src/api/routes/index.ts';
import type { RouteSpec } from '../../src/api/route.ts';
import { eachDialect } from '../support/dialects.ts';
import { buildScenario, type Scenario } from './scenario.ts';
import { rowCounts, testApi, type TestApi } from './support.ts';

function tableOf(spec: RouteSpec): string | null {
  if (spec.portfolio?.from === 'path') return 'portfolios';
  if (spec.portfolio?.from === 'row') return spec.portfolio.resource;
  return null;
}

const scoped = routes.filter((r) => r.url.includes('/:id') && tableOf(r) !== null);
const adminOnly = routes.filter((r) => r.auth === 'admin');

test('the route table has portfolio-scoped id routes to check (the generator found them)', () => {
  assert.ok(scoped.length >= 20, `only ${scoped.length} scoped routes`);
  for (const needed of [
    '/portfolios/:id',
    '/orders/:id',
    '/trade-ideas/:id/approve',
    '/orders/:id/fills',
    '/trades/:id',
    '/trades/:id/chain',
  ])
    assert.ok(
      scoped.some((r) => r.url === needed),
      `${needed} is not portfolio-scoped in the route table`,
    );
});

eachDialect('isolation (generated from the route table)', (ctx) => {
  let api: TestApi;
  let world: Scenario;
  before(async () => {
    api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
    world = await buildScenario(api);
  });
  after(() => api.close());

  const urlFor = (spec: RouteSpec) => {
    const table = tableOf(spec)!;
    const id = spec.url.startsWith('/orders/:id/fills') ? world.ids.orders : world.ids[table];
    assert.ok(id, `no ${table} row in the scenario for ${spec.url}`);
    return spec.url.replace(':id', String(id)).replace(':user_id', String(world.userIds.viewer));
  };
  const rowOf = async (spec: RouteSpec) => {
    const table = tableOf(spec)!;
    const id = spec.url.startsWith('/orders/:id/fills') ? world.ids.orders : world.ids[table];
    return ctx.store.kysely.selectFrom(table).selectAll().where('id', '=', id!).executeTakeFirst();
  };
  const unchanged = async (spec: RouteSpec, fn: () => Promise<void>) => {
    const counts = await rowCounts(ctx.store);
    const row = await rowOf(spec);
    await fn();
    assert.deepEqual(await rowCounts(ctx.store), counts, `${spec.method} ${spec.url} changed row counts`);
    assert.deepEqual(await rowOf(spec), row, `${spec.method} ${spec.url} changed its row`);
  };

  for (const spec of scoped) {
    const change = spec.method !== 'GET';
    test(`${spec.method} ${spec.url}: another user gets 404 and nothing changes`, async () => {
      await unchanged(spec, async () => {
        const r = await api.call(spec.method, urlFor(spec), {
          token: world.tokens.other,
          ...(change ? { body: {} } : {}),
        });
        assert.equal(r.status, 404, r.text);
        assert.equal(r.body.error.code, 'not_found');
        if (spec.portfolio?.from === 'row')
          assert.doesNotMatch(r.body.error.message, /portfolio/, 'the 404 names no portfolio of the row');
      });
    });
    if (change) {
      test(`${spec.method} ${spec.url}: the read-only viewer gets 403 and nothing changes`, async () => {
        await unchanged(spec, async () => {
          const r = await api.call(spec.method, urlFor(spec), { token: world.tokens.viewer, body: {} });
          assert.equal(r.status, 403, r.text);
          assert.equal(r.body.error.code, 'forbidden');
        });
      });
    } else {
      test(`${spec.method} ${spec.url}: the viewer it is shared with reads it`, async () => {
        const r = await api.call('GET', urlFor(spec), { token: world.tokens.viewer });
        assert.ok(r.status === 200, `${r.status} ${r.text}`);
      });
    }
  }

  for (const spec of adminOnly) {
    test(`${spec.method} ${spec.url}: admin only (403 for a trader and a viewer)`, async () => {
      const url = spec.url.replace(':id', String(world.userIds.other));
      const counts = await rowCounts(ctx.store);
      for (const token of [world.tokens.owner, world.tokens.viewer]) {
        const r = await api.call(spec.method, url, { token, ...(spec.method === 'GET' ? {} : { body: {} }) });
        assert.equal(r.status, 403, `${spec.method} ${url}: ${r.text}`);
      }
      assert.deepEqual(await rowCounts(ctx.store), counts);
    });
  }

  test('lists show only what the caller may see: the other trader sees none of the owner’s rows', async () => {
    for (const url of [
      '/portfolios',
      '/orders',
      '/trades',
      '/positions',
      '/fills',
      '/trade-ideas',
      '/decisions',
      '/signals',
    ]) {
      const mine = await api.call('GET', url, { token: world.tokens.owner });
      const theirs = await api.call('GET', url, { token: world.tokens.other });
      assert.equal(mine.status, 200, mine.text);
      assert.ok(mine.body.data.length > 0, `${url}: the owner sees rows`);
      assert.deepEqual(theirs.body.data, [], `${url}: the other trader sees none`);
      if (url === '/portfolios') continue;
      const named = await api.call('GET', `${url}?portfolio_id=${world.ids.portfolios}`, {
        token: world.tokens.other,
      });
      assert.equal(named.status, 404, `${url}?portfolio_id= of another user: ${named.text}`);
    }
  });

  test("another user's API key is 404 to delete", async () => {
    const key = await api.call('POST', '/api-keys', {
      token: world.tokens.owner,
      body: { name: 'bot', scopes: ['read'] },
    });
    const r = await api.call('DELETE', `/api-keys/${key.body.id}`, { token: world.tokens.other });
    assert.equal(r.status, 404);
    const still = await api.call('GET', '/auth/me', { token: key.body.key });
    assert.equal(still.status, 200);
  });
});
