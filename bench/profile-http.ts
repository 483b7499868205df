/**
 * Profiling harness (not part of `npm run bench`): the API (SQLite file, LOG_LEVEL=info) or a bare
 * node:http server with the same bytes (`--bare`) under autocannon in its own process for `-d`
 * seconds, GET /candles with 500 candles and a valid token. Run with `--cpu-prof` to see where the
 * server's time goes; prints req/s. `--uncached` turns the candle page cache off.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { buildApp } from '../src/api/app.ts';
import { openStore } from '../src/db/store.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { requestJson } from '../test/support/http-json.ts';
import { startCpuProfile } from './cpu-profile.ts';

const bare = process.argv.includes('--bare');
const seconds = process.argv[process.argv.indexOf('-d') + 1] ?? '5';
// `-n N`: exactly N requests instead of a duration (for instruction counts under callgrind).
const amount = process.argv.includes('-n') ? process.argv[process.argv.indexOf('-n') + 1] : undefined;
const dir = mkdtempSync(join(tmpdir(), 'tradestore-prof-http-'));
const store = await openStore(`sqlite:${join(dir, 'http.db')}`);
await migrateUp(store);
const sink = new Writable({ write: (_c, _e, done) => done() });
const config = {
  LOG_LEVEL: (process.env.PROFILE_LOG_LEVEL ?? 'info') as 'info',
  SECRET_KEY: 'b'.repeat(32),
  RESPONSE_CACHE: !process.argv.includes('--uncached'),
};
const app = buildApp({ store, config, logStream: sink });
await app.listen({ port: 0, host: '127.0.0.1' });
const base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
const call = (method: string, path: string, body?: unknown, token?: string) =>
  requestJson(base, method, path, body, token);
await call('POST', '/auth/register', { email: 'p@example.com', password: 'bench passphrase' });
const { access_token: token } = await call('POST', '/auth/login', {
  email: 'p@example.com',
  password: 'bench passphrase',
});
await call('POST', '/assets', { symbol: 'BTC/USDT', venue: 'binance' }, token);
const csv = ['ts,open,high,low,close,volume'];
for (let i = 0; i < 500; i++)
  csv.push(`${Date.UTC(2026, 0, 1) + i * 60_000},${100 + i},${101 + i},${99 + i},${100.5 + i},${10 + i}`);
await fetch(`${base}/candles?asset=BTC/USDT&venue=binance&timeframe=1m`, {
  method: 'POST',
  headers: { 'content-type': 'text/csv', authorization: `Bearer ${token}` },
  body: csv.join('\n'),
});
const path = '/candles?asset=BTC%2FUSDT&venue=binance&timeframe=1m&limit=500';
const sample = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
const bytes = Buffer.from(await sample.arrayBuffer());
// `--same-headers`: the bare server sends our response's headers too (the same bytes on the wire).
const sameHeaders: Record<string, string> = {};
if (process.argv.includes('--same-headers'))
  for (const [k, v] of sample.headers)
    if (!['date', 'connection', 'keep-alive', 'content-length'].includes(k)) sameHeaders[k] = v;
let url = base + path;
const server = createServer((_req, res) => {
  res.writeHead(200, {
    'content-type': 'application/json; charset=utf-8',
    ...sameHeaders,
    'content-length': bytes.length,
  });
  res.end(bytes);
});
if (bare) {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
}
const autocannon = join(import.meta.dirname, '../node_modules/autocannon/autocannon.js');
const { spawn } = await import('node:child_process');
// `--profile FILE`: a CPU profile of the load phase only (setup and module loading left out).
const stopProfile = await startCpuProfile(process.argv);
const cpu0 = process.cpuUsage();
const child = spawn(
  '/usr/bin/time',
  [
    '-f',
    'autocannon CPU %U user %S sys',
    process.execPath,
    autocannon,
    '--json',
    '-c',
    '10',
    ...(amount ? ['-a', amount, '-t', '600'] : ['-d', seconds]),
    '-H',
    `authorization=Bearer ${token}`,
    url,
  ],
  { stdio: ['ignore', 'pipe', 'pipe'] },
);
let out = '';
let timing = '';
child.stderr.on('data', (c: Buffer) => (timing += c));
child.stdout.on('data', (c: Buffer) => (out += c));
await new Promise((resolve) => child.on('close', resolve));
const cpu = process.cpuUsage(cpu0);
await stopProfile();
const r = JSON.parse(out) as {
  requests: { average: number; total: number };
  latency: { p99: number };
  non2xx: number;
};
process.stdout.write(
  `${bare ? 'bare' : 'tradestore'}: ${Math.round(r.requests.average)} req/s, server CPU ${((cpu.user + cpu.system) / r.requests.total).toFixed(1)} µs/request (user ${(cpu.user / r.requests.total).toFixed(1)}), p99 ${r.latency.p99} ms, non-2xx ${r.non2xx}, ${timing.trim()} for ${r.requests.total}, load ${execFileSync(
    'uptime',
  )
    .toString()
    .trim()
    .replace(/.*average: /, '')}\n`,
);
server.close();
await app.close();
await store.close();
rmSync(dir, { recursive: true, force: true });
