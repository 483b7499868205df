/**
 * Event delivery latency: commit → an SSE client of GET /events receives the event, on a SQLite
 * file and on PostgreSQL, through a whole `tradestore serve` process (the way it runs in
 * production). This process writes signals through the library (another process than the server,
 * so the server learns of them the way it learns of any writer's: LISTEN/NOTIFY on PostgreSQL,
 * polling the outbox on SQLite) and times each from the moment its transaction returned to the
 * moment each listener has read the message; one change at a time (the next at a random moment
 * of SQLite's poll period), with 1 and with 10 listeners.
 * Next to it, on PostgreSQL, the bare floor: a NOTIFY on one pg connection until a LISTEN on
 * another receives it. `npm run bench -- --only events`; `node bench/events.ts` runs it alone.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPgDatabase, dropPgDatabase, pgReachable, pgServerUrl } from '../src/db/scratch.ts';
import { openStore } from '../src/db/store.ts';
import { SQLITE_POLL_MS } from '../src/events/subscribe.ts';
import { recordSignal } from '../src/execution/signals.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { startServe, stopServe } from '../test/support/cli.ts';
import { requestJson } from '../test/support/http-json.ts';
import { openSse, type SseClient } from '../test/support/sse.ts';
import { percentile } from './stats.ts';

export interface EventLatencyRow {
  db: string;
  listeners: number;
  events: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** The write itself (the library call), for scale. */
  writeP50Ms: number;
  baseline: string;
  baselineP50Ms: number | null;
  baselineP99Ms: number | null;
}

const SECRET_KEY = 'bench-events-secret-0123456789abcdef';
const round2 = (n: number) => Math.round(n * 100) / 100;

/** The bare floor on PostgreSQL: NOTIFY returns on one connection until LISTEN hears it on another. */
async function notifyFloor(url: string, count: number): Promise<number[]> {
  const listener = new pg.Client({ connectionString: url });
  const notifier = new pg.Client({ connectionString: url });
  await listener.connect();
  await notifier.connect();
  try {
    await listener.query('LISTEN bench_floor');
    const latencies: number[] = [];
    for (let i = 0; i < count; i++) {
      let heardAt = 0;
      const heard = new Promise<void>((resolve) =>
        listener.once('notification', () => {
          heardAt = performance.now();
          resolve();
        }),
      );
      await notifier.query(`NOTIFY bench_floor, '${i}'`);
      const returnedAt = performance.now();
      await heard;
      latencies.push(Math.max(0, heardAt - returnedAt));
    }
    return latencies;
  } finally {
    await listener.end();
    await notifier.end();
  }
}

async function measure(
  db: string,
  url: string,
  options: { events: number; listenerCounts: number[]; log: (line: string) => void },
): Promise<EventLatencyRow[]> {
  const store = await openStore(url);
  const rows: EventLatencyRow[] = [];
  try {
    await migrateUp(store);
    const served = await startServe(url, { SECRET_KEY, MIGRATE_ON_START: 'false', LOG_LEVEL: 'info' });
    try {
      const base = served.base;
      const credentials = { email: 'bench@example.com', password: 'bench passphrase' };
      await requestJson(base, 'POST', '/auth/register', credentials);
      const { access_token: token } = await requestJson(base, 'POST', '/auth/login', credentials);
      const portfolio = await requestJson(
        base,
        'POST',
        '/portfolios',
        { name: 'Bench', base_currency: 'USD', initial_balance: '100000' },
        token,
      );
      const strategy = (await requestJson(base, 'POST', '/strategies', { name: 'Bench' }, token)).strategy;
      const asset = await requestJson(
        base,
        'POST',
        '/assets',
        { symbol: 'BTC/USDT', venue: 'binance' },
        token,
      );
      const signal = () =>
        recordSignal(store, {
          portfolioId: portfolio.id,
          strategyId: strategy.id,
          assetId: asset.id,
          action: 'buy',
          price: '42000.5',
          quantity: '0.01',
          confidence: 0.8,
        });

      for (const listenerCount of options.listenerCounts) {
        const clients: SseClient[] = [];
        for (let i = 0; i < listenerCount; i++)
          clients.push(await openSse(`${base}/events?topics=signal`, { token }));
        try {
          const latencies: number[] = [];
          const writes: number[] = [];
          const warmUp = 10;
          for (let i = 0; i < warmUp + options.events; i++) {
            const startedAt = performance.now();
            await signal();
            const committedAt = performance.now();
            const got = await Promise.all(clients.map((c) => c.waitFor(i + 1, 10_000)));
            if (i < warmUp) continue;
            writes.push(committedAt - startedAt);
            // An event read before the library call returned counts as 0 (it was committed).
            for (const messages of got) latencies.push(Math.max(0, messages[i]!.receivedAt - committedAt));
            // The next change at a random moment of SQLite's poll period: right after a delivery
            // (which follows a poll) it would always wait almost a whole period.
            await new Promise((r) => setTimeout(r, Math.random() * SQLITE_POLL_MS));
          }
          latencies.sort((a, b) => a - b);
          writes.sort((a, b) => a - b);
          rows.push({
            db,
            listeners: listenerCount,
            events: options.events,
            p50Ms: round2(percentile(latencies, 50)),
            p99Ms: round2(percentile(latencies, 99)),
            maxMs: round2(latencies.at(-1) ?? Number.NaN),
            writeP50Ms: round2(percentile(writes, 50)),
            baseline: '-',
            baselineP50Ms: null,
            baselineP99Ms: null,
          });
          options.log(
            `events ${db}, ${listenerCount} listener(s): p50 ${rows.at(-1)!.p50Ms} ms, p99 ${rows.at(-1)!.p99Ms} ms`,
          );
        } finally {
          for (const c of clients) c.close();
        }
      }
    } finally {
      await stopServe(served.child);
    }
  } finally {
    await store.close();
  }
  return rows;
}

export async function benchEvents(
  options: { events?: number; pg?: boolean; log?: (line: string) => void } = {},
): Promise<EventLatencyRow[]> {
  const events = options.events ?? 200;
  const log = options.log ?? (() => {});
  const listenerCounts = [1, 10];
  const rows: EventLatencyRow[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-events-'));
  try {
    const sqliteRows = await measure('sqlite file', `sqlite:${join(dir, 'events.db')}`, {
      events,
      listenerCounts,
      log,
    });
    // SQLite has no notification: the floor is the poll itself, a wait uniform over its period.
    for (const row of sqliteRows) {
      row.baseline = `the ${SQLITE_POLL_MS} ms poll alone (uniform wait, computed)`;
      row.baselineP50Ms = SQLITE_POLL_MS * 0.5;
      row.baselineP99Ms = SQLITE_POLL_MS * 0.99;
    }
    rows.push(...sqliteRows);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (options.pg ?? (await pgReachable())) {
    const server = pgServerUrl();
    const url = await createPgDatabase(server, 'tradestore_bench_events');
    try {
      const pgRows = await measure('postgresql', url, { events, listenerCounts, log });
      const floor = (await notifyFloor(url, events)).sort((a, b) => a - b);
      for (const row of pgRows) {
        row.baseline = 'bare NOTIFY → LISTEN (pg)';
        row.baselineP50Ms = round2(percentile(floor, 50));
        row.baselineP99Ms = round2(percentile(floor, 99));
      }
      rows.push(...pgRows);
    } finally {
      await dropPgDatabase(server, url);
    }
  }
  return rows;
}

export function eventsReport(rows: EventLatencyRow[]): string {
  const lines = [
    '| event delivery (commit → SSE client, whole `tradestore serve`) | listeners | events | p50 | p99 | max | write p50 | baseline | baseline p50 / p99 |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows)
    lines.push(
      `| ${r.db} | ${r.listeners} | ${r.events} | ${r.p50Ms} ms | ${r.p99Ms} ms | ${r.maxMs} ms | ${r.writeP50Ms} ms | ${r.baseline} | ${r.baselineP50Ms === null ? '-' : `${r.baselineP50Ms} / ${r.baselineP99Ms} ms`} |`,
    );
  return lines.join('\n');
}

if (import.meta.main) {
  const events = Math.max(50, Math.round(200 * Number(process.env.BENCH_SCALE ?? 1)));
  process.stdout.write(
    `${eventsReport(await benchEvents({ events, log: (l) => process.stderr.write(`${l}\n`) }))}\n`,
  );
}
