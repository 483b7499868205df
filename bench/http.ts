/**
 * The HTTP API under load (autocannon on loopback), each figure next to its baseline in the same
 * run: GET /candles returning 500 candles with a valid token against a bare `node:http` server
 * returning the same response bytes, headers included, for the same request (target >= 0.6x; and,
 * for comparison with earlier runs, one sending only the body), and POST /signals with act: true against the same
 * chain called in process (actOnSignal). Run alone: `node bench/http.ts`; `npm run bench` includes it.
 */
import { createServer } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import type autocannon from 'autocannon';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { buildApp } from '../src/api/app.ts';
import { openStore } from '../src/db/store.ts';
import { actOnSignal } from '../src/execution/chain.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { requestJson } from '../test/support/http-json.ts';

export interface HttpBenchRow {
  what: string;
  baseline: string;
  baselinePerSecond: number;
  oursPerSecond: number;
  baselineP99Ms: number;
  oursP99Ms: number;
  target: string;
}

const run = promisify(execFile);
const seconds = Math.max(2, Math.round(10 * Number(process.env.BENCH_SCALE ?? 1)));
const sliceSeconds = Math.max(1, Math.round(seconds / 4));

const AUTOCANNON = join(import.meta.dirname, '../node_modules/autocannon/autocannon.js');

/**
 * autocannon in its own process, so the load generator does not share the server's event loop
 * (in one process it was most of the bare server's cost).
 */
async function load(options: {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  connections?: number;
  seconds?: number;
}): Promise<{ perSecond: number; p99: number; errors: number }> {
  const duration = String(options.seconds ?? seconds);
  const args = [AUTOCANNON, '--json', '-c', String(options.connections ?? 10), '-d', duration];
  if (options.method) args.push('-m', options.method);
  for (const [k, v] of Object.entries(options.headers ?? {})) args.push('-H', `${k}=${v}`);
  if (options.body) args.push('-b', options.body);
  args.push(options.url);
  const { stdout } = await run(process.execPath, args, { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout) as autocannon.Result;
  return {
    perSecond: Math.round(r.requests.average),
    p99: r.latency.p99,
    errors: r.non2xx + r.errors + r.timeouts,
  };
}

type Load = Parameters<typeof load>[0];
type Measured = Awaited<ReturnType<typeof load>>;

/**
 * Several targets measured in alternating slices, so that load from other work on the machine
 * (it drifts over seconds) falls on each of them alike: each figure is the mean of its slices,
 * its p99 the worst slice's.
 */
async function interleaved(targets: Load[], slices = 4): Promise<Measured[]> {
  // A warm-up slice each (connections, JIT), not counted.
  for (const target of targets) await load({ ...target, seconds: 1 });
  const runs: Measured[][] = targets.map(() => []);
  for (let i = 0; i < slices; i++)
    for (const [k, target] of targets.entries())
      runs[k]!.push(await load({ ...target, seconds: sliceSeconds }));
  return runs.map((r) => ({
    perSecond: Math.round(r.reduce((sum, x) => sum + x.perSecond, 0) / r.length),
    p99: Math.max(...r.map((x) => x.p99)),
    errors: r.reduce((sum, x) => sum + x.errors, 0),
  }));
}

export async function benchHttp(log: (line: string) => void = () => {}): Promise<HttpBenchRow[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-http-'));
  const store = await openStore(`sqlite:${join(dir, 'http.db')}`);
  // The production log level (info: one line per request), written somewhere that costs nothing.
  const sink = new Writable({ write: (_c, _e, done) => done() });
  const config = { LOG_LEVEL: 'info' as const, SECRET_KEY: 'b'.repeat(32) };
  const app = buildApp({ store, config, logStream: sink });
  // The same server without the candle page cache: every request reads and serialises.
  const uncached = buildApp({ store, config: { ...config, RESPONSE_CACHE: false }, logStream: sink });
  const bare = createServer();
  const sameBytes = createServer();
  try {
    await migrateUp(store);
    await app.listen({ port: 0, host: '127.0.0.1' });
    await uncached.listen({ port: 0, host: '127.0.0.1' });
    const uncachedBase = `http://127.0.0.1:${(uncached.server.address() as AddressInfo).port}`;
    const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    const call = (method: string, path: string, body?: unknown, token?: string) =>
      requestJson(base, method, path, body, token);
    await call('POST', '/auth/register', { email: 'bench@example.com', password: 'bench passphrase' });
    const { access_token: token } = await call('POST', '/auth/login', {
      email: 'bench@example.com',
      password: 'bench passphrase',
    });
    const asset = await call('POST', '/assets', { symbol: 'BTC/USDT', venue: 'binance' }, token);
    const start = Date.UTC(2026, 0, 1);
    const csv = ['ts,open,high,low,close,volume'];
    for (let i = 0; i < 500; i++)
      csv.push(`${start + i * 60_000},${100 + i},${101 + i},${99 + i},${100.5 + i},${10 + i}`);
    const up = await fetch(`${base}/candles?asset=BTC/USDT&venue=binance&timeframe=1m`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
      body: csv.join('\n'),
    });
    if (!up.ok) throw new Error(`candle upload: ${up.status} ${await up.text()}`);

    const candlesPath = '/candles?asset=BTC%2FUSDT&venue=binance&timeframe=1m&limit=500';
    const sample = await fetch(base + candlesPath, { headers: { authorization: `Bearer ${token}` } });
    const bytes = Buffer.from(await sample.arrayBuffer());
    const parsed = JSON.parse(bytes.toString()) as { data: unknown[] };
    if (parsed.data.length !== 500) throw new Error(`expected 500 candles, got ${parsed.data.length}`);
    // Two bare servers: one sends the body with its two headers only (the baseline of earlier
    // runs); the other the same response bytes as tradestore, headers included (security headers,
    // the request id of the sample), for the same request (token included): its client then
    // parses what ours parses.
    const headers: Record<string, string> = {};
    for (const [k, v] of sample.headers)
      if (!['date', 'connection', 'keep-alive', 'content-length'].includes(k)) headers[k] = v;
    bare.on('request', (_req, res) => {
      res.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': bytes.length,
      });
      res.end(bytes);
    });
    sameBytes.on('request', (_req, res) => {
      res.writeHead(200, { ...headers, 'content-length': bytes.length });
      res.end(bytes);
    });
    const listen = (server: typeof bare) =>
      new Promise<string>((resolve) =>
        server.listen(0, '127.0.0.1', () =>
          resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}${candlesPath}`),
        ),
      );
    const bareUrl = await listen(bare);
    const sameBytesUrl = await listen(sameBytes);

    log(
      `http: GET /candles (500 candles, ${bytes.length} bytes), 4 alternating slices (after a warm-up) of ${sliceSeconds} s each`,
    );
    const auth = { authorization: `Bearer ${token}` };
    const [bareRun, sameBytesRun, oursRun, uncachedRun] = (await interleaved([
      { url: bareUrl },
      { url: sameBytesUrl, headers: auth },
      { url: base + candlesPath, headers: auth },
      { url: uncachedBase + candlesPath, headers: auth },
    ])) as [Measured, Measured, Measured, Measured];
    if (oursRun.errors > 0 || uncachedRun.errors > 0)
      throw new Error(`GET /candles: ${oursRun.errors + uncachedRun.errors} failed requests`);

    // The chain: over HTTP (JSON, auth, validation, the route) against the same call in process.
    const portfolio = await call(
      'POST',
      '/portfolios',
      { name: 'bench', base_currency: 'USDT', initial_balance: '100000000' },
      token,
    );
    const strategy = (await call('POST', '/strategies', { name: 'bench' }, token)).strategy;
    await call('PUT', '/risk-config', { ai_trading_enabled: true, min_confidence_threshold: 0.5 }, token);
    const signal = {
      portfolio_id: portfolio.id,
      strategy_id: strategy.id,
      asset_id: asset.id,
      action: 'buy',
      price: '100.25',
      quantity: '0.01',
      confidence: 0.8,
      act: true,
      fill: { fee: '0.01' },
    };
    const first = await call('POST', '/signals', signal, token);
    if (first.verdict !== 'auto_executed')
      throw new Error(`bench signal not auto-executed: ${first.verdict}`);
    log(`http: POST /signals act:true, ${seconds} s; then the same chain in process`);
    const chainHttp = await load({
      url: `${base}/signals`,
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify(signal),
      connections: 4,
    });
    if (chainHttp.errors > 0) throw new Error(`POST /signals: ${chainHttp.errors} failed requests`);
    const input = {
      signal: {
        portfolioId: portfolio.id,
        strategyId: strategy.id,
        assetId: asset.id,
        action: 'buy' as const,
        price: '100.25',
        quantity: '0.01',
        confidence: 0.8,
      },
      fill: { fee: '0.01' },
    };
    const latencies: number[] = [];
    const began = performance.now();
    while (performance.now() - began < seconds * 1000) {
      const t = performance.now();
      await actOnSignal(store, input);
      latencies.push(performance.now() - t);
    }
    const elapsed = (performance.now() - began) / 1000;
    latencies.sort((a, b) => a - b);
    const inProcess = {
      perSecond: Math.round(latencies.length / elapsed),
      p99: latencies[Math.floor(latencies.length * 0.99)]!,
    };

    return [
      {
        what: 'GET /candles, 500 candles, valid token',
        baseline: 'bare node:http, same response bytes (headers and body) for the same request',
        baselinePerSecond: sameBytesRun.perSecond,
        oursPerSecond: oursRun.perSecond,
        baselineP99Ms: sameBytesRun.p99,
        oursP99Ms: oursRun.p99,
        target: '≥ 0.6×',
      },
      {
        what: 'GET /candles, same',
        baseline: 'bare node:http, same body, two headers, no token sent',
        baselinePerSecond: bareRun.perSecond,
        oursPerSecond: oursRun.perSecond,
        baselineP99Ms: bareRun.p99,
        oursP99Ms: oursRun.p99,
        target: 'report',
      },
      {
        what: 'GET /candles, same, RESPONSE_CACHE=false',
        baseline: 'bare node:http, same response bytes',
        baselinePerSecond: sameBytesRun.perSecond,
        oursPerSecond: uncachedRun.perSecond,
        baselineP99Ms: sameBytesRun.p99,
        oursP99Ms: uncachedRun.p99,
        target: 'report',
      },
      {
        what: 'POST /signals act:true (chain over HTTP)',
        baseline: 'actOnSignal in process',
        baselinePerSecond: inProcess.perSecond,
        oursPerSecond: chainHttp.perSecond,
        baselineP99Ms: Number(inProcess.p99.toFixed(2)),
        oursP99Ms: chainHttp.p99,
        target: 'report',
      },
    ];
  } finally {
    await new Promise((resolve) => bare.close(resolve));
    await new Promise((resolve) => sameBytes.close(resolve));
    await app.close();
    await uncached.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function httpReport(rows: HttpBenchRow[]): string {
  const lines = [
    '| HTTP (sqlite file, loopback, autocannon) | baseline | baseline req/s | tradestore req/s | ratio | target | baseline p99 | tradestore p99 |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.what} | ${r.baseline} | ${r.baselinePerSecond.toLocaleString('en-US')} | ${r.oursPerSecond.toLocaleString('en-US')} | ${(r.oursPerSecond / r.baselinePerSecond).toFixed(2)}× | ${r.target} | ${r.baselineP99Ms} ms | ${r.oursP99Ms} ms |`,
    );
  return lines.join('\n');
}

if (import.meta.main) {
  const rows = await benchHttp((line) => process.stderr.write(`${line}\n`));
  process.stdout.write(`${httpReport(rows)}\n`);
}
