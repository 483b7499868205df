/**
 * GET /events (Server-Sent Events, read with node's fetch as a real client would) and GET
 * /events/history (app.inject): authentication and input, the heartbeat, resuming after a
 * disconnect with changes from another process in between (nothing missed, nothing twice),
 * isolation between users on both routes, access revoked on an open stream, `?access_token=`
 * kept out of the log, the reset after pruning, and app.close() with streams open.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { spawnCandleImport } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';
import { openSse, type SseClient, type SseMessage } from '../support/sse.ts';
import { buildScenario, type Scenario } from './scenario.ts';
import { testApi, type TestApi } from './support.ts';

eachDialect('GET /events and /events/history', (ctx) => {
  let api: TestApi;
  let base: string;
  let world: Scenario;
  let otherPortfolio: number;
  const open: SseClient[] = [];

  before(async () => {
    api = testApi(ctx.store, { EVENTS_HEARTBEAT_SECONDS: 0.2 });
    await api.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(api.app.server.address() as AddressInfo).port}`;
    world = await buildScenario(api);
    const b = await api.call('POST', '/portfolios', {
      token: world.tokens.other,
      body: { name: 'Other', base_currency: 'USD', initial_balance: '5000' },
    });
    assert.equal(b.status, 201, b.text);
    otherPortfolio = b.body.id;
  });
  after(async () => {
    for (const c of open) c.close();
    await api.close();
  });

  const sse = async (query: string, token: string | undefined, headers: Record<string, string> = {}) => {
    const client = await openSse(`${base}/events${query}`, { ...(token ? { token } : {}), headers });
    open.push(client);
    assert.equal(client.status, 200);
    return client;
  };
  const ok = async (method: string, url: string, token: string, body?: unknown) => {
    const r = await api.call(method, url, { token, ...(body === undefined ? {} : { body }) });
    assert.ok(r.status < 300, `${method} ${url}: ${r.status} ${r.text}`);
    return r.body;
  };
  /** One change, one event: a signal recorded without acting on it. */
  const signal = (portfolioId: number, token: string) =>
    ok('POST', '/signals', token, {
      portfolio_id: portfolioId,
      strategy_id: world.ids.strategies,
      asset_id: world.ids.assets,
      action: 'buy',
      price: '40000',
      quantity: '0.1',
      confidence: 0.7,
    });
  let markers = 0;
  /** A global event (bot status): every reader gets it, so it marks "caught up to here". */
  const marker = async () => {
    markers += 1;
    await ok('PUT', `/bot-status/marker-${markers}`, world.tokens.admin, { value: markers });
    return `marker-${markers}`;
  };
  const isMarker = (m: SseMessage, key: string) => m.event === 'bot_status' && m.data.key === key;
  const until = async (client: SseClient, key: string) => {
    for (let n = 1; ; n++) {
      const got = await client.waitFor(n);
      if (isMarker(got[n - 1]!, key)) return got;
    }
  };
  /** A candle file imported by the CLI in its own process: one `candles` event. */
  const cliImport = async (n: number) => {
    const times = [Date.UTC(2026, 2, 1) + n * 60_000];
    const r = await spawnCandleImport(ctx.url, { symbol: 'EVT/USD', venue: 'default', times });
    assert.equal(r.code, 0, r.stderr);
  };
  const latestSeq = async (token: string): Promise<number> => {
    let after = 0;
    for (;;) {
      const page = await ok('GET', `/events/history?after=${after}&limit=1000`, token);
      if (page.data.length > 0) after = page.data.at(-1).seq;
      if (page.next_cursor === null) return after;
    }
  };

  test('no credential is a 401; a bad topic, after or Last-Event-ID a 400 naming it; an API key in the URL a 401', async () => {
    for (const url of ['/events', '/events/history']) assert.equal((await api.call('GET', url)).status, 401);
    const bad = await api.call('GET', '/events?topics=fill,nonsense', { token: world.tokens.owner });
    assert.equal(bad.status, 400, bad.text);
    assert.match(bad.body.error.message, /topics.*unknown topic "nonsense": accepted: signal, idea, order/);
    const badHistory = await api.call('GET', '/events/history?topics=fils', { token: world.tokens.owner });
    assert.equal(badHistory.status, 400);
    assert.equal(badHistory.body.error.details[0].path, 'querystring.topics');
    assert.equal((await api.call('GET', '/events?after=-1', { token: world.tokens.owner })).status, 400);
    const header = await api.call('GET', '/events', {
      token: world.tokens.owner,
      headers: { 'last-event-id': 'abc' },
    });
    assert.equal(header.status, 400);
    assert.match(header.body.error.message, /last-event-id/);
    assert.equal(
      (await api.call('GET', '/events/history?limit=1001', { token: world.tokens.owner })).status,
      400,
    );
    // Another user's portfolio named: 404, as on every route.
    const foreign = await api.call('GET', `/events?portfolio_id=${otherPortfolio}`, {
      token: world.tokens.owner,
    });
    assert.equal(foreign.status, 404);
    const key = await ok('POST', '/api-keys', world.tokens.owner, { name: 'bot', scopes: ['read'] });
    const inUrl = await api.call('GET', `/events?access_token=${key.key}`);
    assert.equal(inUrl.status, 401);
    assert.match(inUrl.body.error.message, /Authorization header/);
    assert.ok(!api.log.join('').includes(key.key), 'the API key reached the log');
    // A key with the read scope in the header is accepted (the stream opens).
    const viaKey = await sse('?topics=fill', key.key);
    assert.match(viaKey.headers.get('content-type') ?? '', /^text\/event-stream/);
    viaKey.close();
  });

  test('heartbeat comments arrive while nothing happens, after the retry hint', async () => {
    const client = await sse('', world.tokens.viewer);
    await client.waitForComment(/^heartbeat$/, 5000);
    assert.equal(client.messages.length, 0);
    client.close();
  });

  test('resume: 5 read, disconnect, 20 changes (5 from the CLI), reconnect with Last-Event-ID: exactly those 20, in order', async () => {
    const portfolio = world.ids.portfolios!;
    const first = await sse(`?portfolio_id=${portfolio}&topics=signal,candles`, world.tokens.owner);
    for (let i = 0; i < 5; i++) await signal(portfolio, world.tokens.owner);
    const five = await first.waitFor(5);
    first.close();
    assert.deepEqual(
      five.map((m) => m.event),
      ['signal', 'signal', 'signal', 'signal', 'signal'],
    );
    const last = five[4]!.id!;
    assert.equal(String(five[4]!.data.seq), last);

    for (let i = 0; i < 15; i++) {
      await signal(portfolio, world.tokens.owner);
      if (i % 3 === 0) await cliImport(i);
    }
    const again = await sse(`?portfolio_id=${portfolio}&topics=signal,candles&after=1`, world.tokens.owner, {
      'last-event-id': last,
    });
    const twenty = await again.waitFor(20);
    const ids = twenty.map((m) => Number(m.id));
    assert.ok(
      ids.every((id, i) => id > Number(last) && (i === 0 || id > ids[i - 1]!)),
      `not in order after ${last}: ${ids.join(',')}`,
    );
    assert.equal(twenty.filter((m) => m.event === 'candles').length, 5);
    assert.equal(twenty.filter((m) => m.event === 'signal').length, 15);
    // The same 20 the outbox holds after that seq, and nothing more arrives.
    const history = await ok(
      'GET',
      `/events/history?after=${last}&portfolio_id=${portfolio}&topics=signal,candles`,
      world.tokens.owner,
    );
    assert.deepEqual(
      history.data.map((e: { seq: number }) => e.seq),
      ids,
    );
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(again.messages.length, 20, 'an event arrived twice or one too many');
    const live = await signal(portfolio, world.tokens.owner);
    const withLive = await again.waitFor(21);
    assert.equal(withLive[20]!.data.id, live.signal.id);
    again.close();
  });

  test('isolation: users see their own and shared portfolios, global events, and nothing of anyone else', async () => {
    const a = world.ids.portfolios!;
    const start = await latestSeq(world.tokens.admin);
    const streams = {
      owner: await sse('', world.tokens.owner),
      other: await sse('', world.tokens.other),
      viewer: await sse('', world.tokens.viewer),
      admin: await sse('', world.tokens.admin),
    };
    const inA = await signal(a, world.tokens.owner);
    const inB = await signal(otherPortfolio, world.tokens.other);
    const key = await marker();
    const seen: Record<string, Set<number | null>> = {};
    for (const [who, client] of Object.entries(streams)) {
      const got = await until(client, key);
      seen[who] = new Set(got.map((m) => m.data.portfolio_id));
      const history = await ok('GET', `/events/history?after=${start}`, world.tokens[who as 'owner']);
      assert.deepEqual(
        history.data.map((e: { seq: number }) => e.seq),
        got.map((m) => m.data.seq),
        `${who}: history and stream differ`,
      );
      client.close();
    }
    assert.deepEqual([...seen.owner!].sort(), [a, null]);
    assert.deepEqual([...seen.viewer!].sort(), [a, null]);
    assert.deepEqual([...seen.other!].sort(), [otherPortfolio, null]);
    assert.deepEqual([...seen.admin!].sort(), [a, otherPortfolio, null].sort());
    assert.ok(inA.signal.id && inB.signal.id);
    // The whole history as each user pages it: never another user's portfolio.
    for (const [who, allowed] of [
      ['other', [otherPortfolio]],
      ['viewer', [a]],
    ] as const) {
      let after = 0;
      for (;;) {
        const page = await ok('GET', `/events/history?after=${after}&limit=7`, world.tokens[who]);
        for (const e of page.data)
          assert.ok(
            e.portfolio_id === null || allowed.includes(e.portfolio_id),
            `${who} got ${JSON.stringify(e)}`,
          );
        if (page.next_cursor === null) break;
        assert.equal(page.data.length, 7);
        after = Number(page.next_cursor);
        assert.equal(after, page.data.at(-1).seq);
      }
    }
  });

  test("revoked access: an open stream stops delivering the portfolio's events; one naming it ends", async () => {
    const a = world.ids.portfolios!;
    const all = await sse('', world.tokens.viewer);
    const named = await sse(`?portfolio_id=${a}`, world.tokens.viewer);
    await signal(a, world.tokens.owner);
    const seen = await all.waitFor(1);
    assert.equal(seen[0]!.data.portfolio_id, a);
    await named.waitFor(1);
    const r = await api.call('DELETE', `/portfolios/${a}/access/${world.userIds.viewer}`, {
      token: world.tokens.owner,
    });
    assert.equal(r.status, 204, r.text);
    // Access is checked again at the latest a second after the last check (event-stream.ts).
    await new Promise((resolve) => setTimeout(resolve, 1200));
    await signal(a, world.tokens.owner);
    const key = await marker();
    const after = await until(all, key);
    assert.deepEqual(
      after.slice(1).map((m) => m.data.portfolio_id),
      [null],
      'an event of the revoked portfolio was delivered',
    );
    await named.ended;
    assert.ok(
      named.comments.some((c) => c.includes(`access to portfolio ${a} ended`)),
      named.comments.join('|'),
    );
    all.close();
    // Shared again for the tests after this one.
    await ok('POST', `/portfolios/${a}/access`, world.tokens.owner, {
      email: 'viewer@example.com',
      role: 'viewer',
    });
  });

  test('?access_token= opens the stream (EventSource) and never reaches the log', async () => {
    const client = await openSse(`${base}/events?topics=bot_status&access_token=${world.tokens.viewer}`);
    open.push(client);
    assert.equal(client.status, 200);
    const key = await marker();
    await until(client, key);
    client.close();
    const refused = await openSse(`${base}/events?access_token=${world.tokens.viewer}x`);
    assert.equal(refused.status, 401);
    // A framework line quoting a raw URL is masked too.
    api.app.log.warn(`Reply was already sent in the "/events?access_token=${world.tokens.viewer}" route`);
    // The stream's one request line is written when it ends.
    for (let i = 0; i < 50 && !api.log.join('').includes('"path":"/events"'); i++)
      await new Promise((r) => setTimeout(r, 100));
    const all = api.log.join('');
    const leaks = api.log.filter((line) => line.includes(world.tokens.viewer));
    assert.deepEqual(leaks, [], 'an access token reached the log');
    assert.match(all, /"path":"\/events"/);
  });

  test('a pruned or unknown seq: the stream starts with event: reset, then every event from the oldest kept', async () => {
    const before = await latestSeq(world.tokens.admin);
    await marker();
    await marker();
    const oldest = before + 2;
    // What `db prune` does to events past their retention: delete the oldest rows.
    await ctx.store.kysely.deleteFrom('events').where('seq', '<', oldest).execute();
    const client = await sse(`?after=${before - 5}`, world.tokens.admin);
    const [reset, first] = await client.waitFor(2);
    assert.equal(reset!.event, 'reset');
    assert.deepEqual(reset!.data, { requested_after: before - 5, oldest_seq: oldest });
    assert.equal(Number(first!.id), oldest);
    client.close();
    // A seq this database never handed out (another database's, or from before a restore): reset too.
    const ahead = await sse(`?after=${before + 1000}`, world.tokens.admin, {});
    const [resetAhead, fromOldest] = await ahead.waitFor(2);
    assert.deepEqual(resetAhead!.data, { requested_after: before + 1000, oldest_seq: oldest });
    assert.equal(Number(fromOldest!.id), oldest);
    ahead.close();
  });

  test('one user holds at most EVENTS_MAX_STREAMS_PER_USER streams; a closed one frees its place; other users are not counted', async () => {
    const limited = testApi(ctx.store, { EVENTS_HEARTBEAT_SECONDS: 60, EVENTS_MAX_STREAMS_PER_USER: 2 });
    await limited.app.listen({ port: 0, host: '127.0.0.1' });
    const url = `http://127.0.0.1:${(limited.app.server.address() as AddressInfo).port}/events`;
    const clients: SseClient[] = [];
    try {
      // Opened at once: the check must count streams that have not started reading yet.
      clients.push(...(await Promise.all([0, 1, 2].map(() => openSse(url, { token: world.tokens.owner })))));
      assert.deepEqual(clients.map((c) => c.status).sort(), [200, 200, 429]);
      const refused = clients.find((c) => c.status === 429)!;
      const body = JSON.parse(await refused.text());
      assert.equal(body.error.code, 'rate_limited');
      assert.match(body.error.message, /2 event streams open.*EVENTS_MAX_STREAMS_PER_USER/);
      assert.deepEqual(body.error.details, { open: 2, limit: 2 });
      // Another user is not counted against the owner.
      const other = await openSse(url, { token: world.tokens.other });
      clients.push(other);
      assert.equal(other.status, 200);
      // A stream the owner closes frees its place.
      const open = clients.filter((c) => c.status === 200 && c !== other);
      open[0]!.close();
      await open[0]!.ended;
      let again: SseClient | undefined;
      for (let i = 0; i < 50 && again?.status !== 200; i++) {
        again = await openSse(url, { token: world.tokens.owner });
        clients.push(again);
        if (again.status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(again!.status, 200);
    } finally {
      for (const c of clients) c.close();
      await limited.close();
    }
  });

  test(
    'app.close() ends open streams (each client sees its end) and does not wait for connections a client left',
    // A close waiting on a connection hangs for about a minute: the timeout fails it first.
    { timeout: 15_000 },
    async () => {
      const second = testApi(ctx.store, { EVENTS_HEARTBEAT_SECONDS: 60 });
      await second.app.listen({ port: 0, host: '127.0.0.1' });
      const url = `http://127.0.0.1:${(second.app.server.address() as AddressInfo).port}/events`;
      const clients = [
        await openSse(url, { token: world.tokens.owner }),
        await openSse(`${url}?after=0`, { token: world.tokens.admin }),
      ];
      await clients[1]!.waitFor(1);
      // A client that left: fetch keeps a spare connection open beside its stream.
      const left = await openSse(url, { token: world.tokens.viewer });
      left.close();
      await left.ended;
      await second.close();
      await Promise.all(clients.map((c) => c.ended));
      assert.ok(clients[0]!.comments.includes('server closing'), clients[0]!.comments.join('|'));
    },
  );
});
