/**
 * Several processes on one database: two `tradestore serve` processes (and the CLI, and the test
 * process as a library user) on one SQLite file and on one PostgreSQL database. A change made
 * through any of them reaches the SSE listeners of both servers, each event once, in seq order.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { setBotStatus } from '../../src/operations/bot-status.ts';
import { type Served, spawnCandleImport, startServe, stopServe } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';
import { requestJson } from '../support/http-json.ts';
import { openSse, type SseClient } from '../support/sse.ts';

const SECRET_KEY = 'events-processes-secret-0123456789abcdef';

eachDialect('events across processes', (ctx) => {
  let servers: Served[] = [];
  before(async () => {
    const env = { SECRET_KEY, EVENTS_HEARTBEAT_SECONDS: '1', MIGRATE_ON_START: 'false' };
    servers = await Promise.all([startServe(ctx.url, env), startServe(ctx.url, env)]);
  });
  after(async () => {
    await Promise.all(servers.map((s) => stopServe(s.child)));
  });

  test('a change through either server, the CLI or the library reaches the listeners of both servers', async () => {
    const [one, two] = servers as [Served, Served];
    const call = (server: Served, method: string, path: string, body?: unknown, token?: string) =>
      requestJson(server.base, method, path, body, token);
    const credentials = { email: 'ops@example.com', password: 'two servers one database' };
    await call(one, 'POST', '/auth/register', credentials);
    // A token from one server is good on the other: same secret, sessions in the shared database.
    const { access_token: token } = await call(two, 'POST', '/auth/login', credentials);
    const portfolio = await call(
      one,
      'POST',
      '/portfolios',
      { name: 'P', base_currency: 'USD', initial_balance: '1000' },
      token,
    );
    const strategy = (await call(two, 'POST', '/strategies', { name: 'S' }, token)).strategy;
    const asset = await call(one, 'POST', '/assets', { symbol: 'ETH/USD', venue: 'kraken' }, token);

    const listeners: SseClient[] = [];
    for (const server of [one, two])
      for (const topics of ['signal,bot_status,candles', 'bot_status,candles,signal']) {
        const client = await openSse(`${server.base}/events?topics=${topics}`, { token });
        assert.equal(client.status, 200, server.stderr());
        listeners.push(client);
      }
    try {
      const signal = (server: Served) =>
        call(
          server,
          'POST',
          '/signals',
          {
            portfolio_id: portfolio.id,
            strategy_id: strategy.id,
            asset_id: asset.id,
            action: 'sell',
            price: '2500.25',
            quantity: '1.5',
            confidence: 0.6,
          },
          token,
        );
      await signal(one);
      await call(two, 'PUT', '/bot-status/heartbeat', { value: { alive: true } }, token);
      const cli = await spawnCandleImport(ctx.url, {
        symbol: 'ETH/USD',
        venue: 'kraken',
        times: [Date.UTC(2026, 5, 1)],
      });
      assert.equal(cli.code, 0, cli.stderr);
      await setBotStatus(ctx.store, 'library', 'written in process');
      await signal(two);

      const expected = ['signal', 'bot_status', 'candles', 'bot_status', 'signal'];
      for (const [i, client] of listeners.entries()) {
        const got = await client.waitFor(5);
        assert.deepEqual(
          got.map((m) => m.event),
          expected,
          `listener ${i} on ${i < 2 ? 'server one' : 'server two'}`,
        );
        const seqs = got.map((m) => Number(m.id));
        assert.deepEqual(
          seqs,
          [...seqs].sort((a, b) => a - b),
        );
        assert.equal(got[0]!.data.price, '2500.25');
        assert.equal(got[0]!.data.portfolio_id, portfolio.id);
        assert.equal(got[2]!.data.symbol, 'ETH/USD');
        assert.equal(got[3]!.data.key, 'library');
      }
      // All four saw the same seqs, and nothing more (each event once).
      const firstSeqs = listeners[0]!.messages.map((m) => m.id);
      for (const client of listeners)
        assert.deepEqual(
          client.messages.map((m) => m.id),
          firstSeqs,
        );
      await listeners[0]!.waitForComment(/^heartbeat$/, 5000);
      for (const client of listeners) assert.equal(client.messages.length, 5);
    } finally {
      for (const client of listeners) client.close();
    }
  });

  test(
    'SIGTERM stops both servers with exit 0, one with a stream open, one whose client left',
    // A shutdown waiting on a connection hangs for about a minute: the timeout fails it first.
    { timeout: 20_000 },
    async () => {
      const [one, two] = servers as [Served, Served];
      const credentials = { email: 'ops@example.com', password: 'two servers one database' };
      const login = await fetch(`${one.base}/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(credentials),
      });
      const { access_token: token } = (await login.json()) as { access_token: string };
      const open = await openSse(`${one.base}/events`, { token });
      const left = await openSse(`${two.base}/events`, { token });
      left.close();
      await left.ended;
      const codes = await Promise.all([stopServe(one.child), stopServe(two.child)]);
      assert.deepEqual(codes, [0, 0], one.stderr() + two.stderr());
      await open.ended;
      assert.ok(open.comments.includes('server closing'), open.comments.join('|'));
    },
  );
});
