/**
 * examples/python/bot.py (standard library only) against a live server: it authenticates with an
 * API key, records a signal with act: true and prints its position and P&L, exact; and the
 * README's standard-library SSE reader reads GET /events and resumes. Skipped, visibly, when
 * python3 is not installed.
 */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/api/app.ts';
import { eachDialect } from '../support/dialects.ts';
import { SECRET, testApi } from './support.ts';

const run = promisify(execFile);
const BOT = join(resolve(import.meta.dirname, '../..'), 'examples/python/bot.py');

function hasPython(): boolean {
  try {
    execFileSync('python3', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

eachDialect('examples/python/bot.py against a live server', (ctx) => {
  let app: FastifyInstance;
  let url: string;
  before(async () => {
    app = buildApp({ store: ctx.store, config: { LOG_LEVEL: 'silent', SECRET_KEY: SECRET } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    url = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  });
  after(() => app.close());

  test(
    'logs in with an API key, acts on a signal, prints position and P&L',
    { skip: hasPython() ? false : 'python3 not installed' },
    async () => {
      const api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
      await api.call('POST', '/auth/register', {
        body: { email: 'py@example.com', password: 'python passphrase' },
      });
      const { access } = await api.login('py@example.com', 'python passphrase');
      const call = async (method: string, path: string, body?: unknown) =>
        (await api.call(method, path, { token: access, body })).body;
      const portfolio = await call('POST', '/portfolios', {
        name: 'Py',
        base_currency: 'USD',
        initial_balance: '1000',
      });
      const asset = await call('POST', '/assets', { symbol: 'SOL/USDT', venue: 'binance' });
      const strategy = (await call('POST', '/strategies', { name: 'py' })).strategy;
      await call('PUT', '/risk-config', { ai_trading_enabled: true, min_confidence_threshold: 0.5 });
      const key = await call('POST', '/api-keys', {
        name: 'python bot',
        scopes: ['read', 'trade'],
        portfolio_ids: [portfolio.id],
      });
      await api.close();

      const { stdout } = await run(
        'python3',
        [
          BOT,
          '--portfolio-id',
          String(portfolio.id),
          '--strategy-id',
          String(strategy.id),
          '--asset-id',
          String(asset.id),
          '--price',
          '150.125',
          '--quantity',
          '2.5',
          '--fee',
          '0.375',
        ],
        { env: { ...process.env, TRADESTORE_URL: url, TRADESTORE_API_KEY: key.key } },
      );
      assert.match(stdout, /authenticated as py@example\.com \(admin, scopes read,trade\)/);
      assert.match(stdout, /auto_executed/);
      assert.match(stdout, /position long 2\.5 @ 150\.125 cost 375\.3125 realized -0\.375/);
      assert.match(stdout, /P&L closed 0 fees 0\.375 open trades 1/);
      const stored = await ctx.store.kysely
        .selectFrom('positions')
        .selectAll()
        .where('portfolio_id', '=', portfolio.id)
        .execute();
      assert.equal(stored.length, 1);
      assert.equal(String(stored[0]!.quantity).replace(/\.?0+$/, ''), '2.5');
    },
  );

  test(
    "the README's Python snippet reads GET /events and resumes after the last seq it saw",
    { skip: hasPython() ? false : 'python3 not installed' },
    async () => {
      const readme = readFileSync(resolve(import.meta.dirname, '../../README.md'), 'utf8');
      const snippet =
        /```python\n(import json[\s\S]*?def events\([\s\S]*?)\nfor seq, topic, data in events\(/.exec(readme);
      assert.ok(snippet, 'the README has no Python events snippet');
      const api = testApi(ctx.store, { LOG_LEVEL: 'silent' });
      const { access } = await api.login('py@example.com', 'python passphrase');
      const key = (
        await api.call('POST', '/api-keys', { token: access, body: { name: 'sse', scopes: ['read'] } })
      ).body.key as string;
      await api.close();
      // The first test's chain recorded one signal and one fill: read them from seq 0, then resume.
      const driver = `${snippet[1]}
import sys
base, key = sys.argv[1], sys.argv[2]
after = None
for n, (seq, topic, data) in enumerate(events(base, key, after=0, topics="signal,fill")):
    print(seq, topic, data["change"], data["price"])
    after = seq
    break
for seq, topic, data in events(base, key, after=after, topics="signal,fill"):
    print(seq, topic, data["change"], data["price"])
    break
`;
      const { stdout } = await run('python3', ['-c', driver, url, key], { timeout: 20_000 });
      const lines = stdout.trim().split('\n');
      assert.equal(lines.length, 2, stdout);
      assert.match(lines[0]!, /^\d+ signal recorded 150\.125$/);
      assert.match(lines[1]!, /^\d+ fill recorded 150\.125$/);
      assert.ok(Number(lines[1]!.split(' ')[0]) > Number(lines[0]!.split(' ')[0]));
    },
  );
});
