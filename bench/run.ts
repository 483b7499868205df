/**
 * `npm run bench`: every figure next to its bare baseline from the same run.
 * - start-up: `tradestore --help`, `--version`, `db health` as whole processes against `node -e 0`;
 * - import: 1,000,000 candles from a freqtrade JSON file as a whole `tradestore import candles`
 *   process against a raw JSON.parse + prepared-insert process;
 * - migration: the candles layout migration on a file holding 1,000,000 candles, under the
 *   runner's safety checks, and a lossy copy of it refused;
 * - candles: in-process ingest and reads against bare node:sqlite / psql / pg;
 * - chains: the trading chain on a SQLite file, in memory and on PostgreSQL (1 and 8 bots)
 *   against the same statements as bare SQL; on SQLite also against the floor (those statements
 *   plus what the rules and records need computed: bench/floor-chain.ts), and the time each side
 *   spends inside the engine;
 * - outbox: the trading chain with the live-event outbox against the same chain without it;
 * - http: the HTTP API on loopback next to a bare node:http server and the in-process chain;
 * - events: commit → SSE client latency of GET /events through a whole `tradestore serve`, on a
 *   SQLite file and PostgreSQL (next to a bare NOTIFY → LISTEN);
 * - web: the web app's first page in Chromium against a whole `serve` process next to a bare page,
 *   and the bundle's size.
 * `--only startup,import,migration,candles,chains,outbox,http,events,web` runs some of them (while iterating; the README quotes full
 * runs). BENCH_SCALE=0.1 runs a tenth of the data.
 */
import { pgReachable } from '../src/db/scratch.ts';
import { benchCandlesMigration, migrationReport } from './candles-migration.ts';
import { benchPostgres, benchSqlite } from './candles.ts';
import { benchCopy } from './copy.ts';
import { benchEvents, eventsReport } from './events.ts';
import { benchHttp, httpReport } from './http.ts';
import { benchImportProcess } from './import.ts';
import { type ProcessRow, processReport } from './processes.ts';
import { benchStartup } from './startup.ts';
import { type Row, report } from './stats.ts';
import { benchChains } from './chains.ts';
import { benchOutbox, outboxReport } from './outbox.ts';
import { benchWeb, webReport } from './web.ts';

const SECTIONS = [
  'startup',
  'import',
  'migration',
  'candles',
  'chains',
  'outbox',
  'http',
  'events',
  'web',
] as const;
type Section = (typeof SECTIONS)[number];

function selected(argv: string[]): Set<Section> {
  const at = argv.indexOf('--only');
  if (at < 0) return new Set(SECTIONS);
  const names = (argv[at + 1] ?? '').split(',').filter(Boolean);
  const unknown = names.filter((n) => !(SECTIONS as readonly string[]).includes(n));
  if (names.length === 0 || unknown.length > 0) {
    process.stderr.write(`--only takes a comma-separated list of ${SECTIONS.join(', ')}\n`);
    process.exit(2);
  }
  return new Set(names as Section[]);
}

const only = selected(process.argv.slice(2));
const scale = Number(process.env.BENCH_SCALE ?? 1);
const log = (line: string) => process.stderr.write(`${line}\n`);
const pg = await pgReachable();
if (!pg) log('PostgreSQL benchmarks skipped: no server at TEST_DATABASE_URL');

const processes: ProcessRow[] = [];
if (only.has('startup')) processes.push(...benchStartup({ runs: 11, log }));
if (only.has('import'))
  processes.push(benchImportProcess({ candles: Math.round(1_000_000 * scale), runs: 3, log }));

const migration = only.has('migration')
  ? await benchCandlesMigration({ candles: Math.round(1_000_000 * scale), log })
  : null;

const rows: Row[] = [];
if (only.has('candles')) {
  const options = { assets: 10, perAsset: Math.round(100_000 * scale), lookups: 10_000, log };
  rows.push(...(await benchSqlite(options)));
  if (pg) {
    rows.push(...(await benchPostgres(options)));
    if (process.env.BENCH_PARTITIONED !== '0')
      rows.push(...(await benchPostgres({ ...options, partitioned: true })));
    rows.push(...(await benchCopy(options)));
  }
}

const chains = only.has('chains')
  ? await benchChains({
      chains: Math.max(500, Math.round(10_000 * scale)),
      pgChains: Math.max(500, Math.round(3_000 * scale)),
      pg,
      log,
    })
  : [];

if (processes.length > 0) process.stdout.write(`${processReport(processes)}\n\n`);
if (migration) process.stdout.write(`${migrationReport(migration)}\n\n`);
if (rows.length > 0) process.stdout.write(`${report(rows)}\n\n`);
if (chains.length > 0) {
  // Targets of issue #15: file ≥ 0.85× and memory ≥ 0.6× the bare chain; PostgreSQL ≥ 2× the
  // 129 (1 bot) and 276 (8 bots) chains/s measured before it.
  const target = (what: string) =>
    what === 'sqlite file'
      ? { text: '≥ 0.85× bare', met: (ratio: number) => ratio >= 0.85 }
      : what === 'sqlite in memory'
        ? { text: '≥ 0.6× bare', met: (ratio: number) => ratio >= 0.6 }
        : what.includes('8 bots')
          ? { text: '≥ 552/s (2× 276)', met: (_: number, perSecond: number) => perSecond >= 552 }
          : { text: '≥ 258/s (2× 129)', met: (_: number, perSecond: number) => perSecond >= 258 };
  process.stdout.write(
    '| trading chain (signal → idea → order → fill → position, one transaction) | bare chains/s | floor chains/s | tradestore chains/s | ratio to bare | target | met | ratio to floor | tradestore p50 / p99 | bare p50 / p99 |\n|---|---|---|---|---|---|---|---|---|---|\n',
  );
  for (const c of chains) {
    const ratio = c.ours.perSecond / c.bare.perSecond;
    const t = target(c.what);
    const floor = c.floor ? c.floor.perSecond.toLocaleString('en-US') : '—';
    const toFloor = c.floor ? `${(c.ours.perSecond / c.floor.perSecond).toFixed(2)}×` : '—';
    process.stdout.write(
      `| ${c.what} | ${c.bare.perSecond.toLocaleString('en-US')} | ${floor} | ${c.ours.perSecond.toLocaleString('en-US')} | ${ratio.toFixed(2)}× | ${t.text} | ${t.met(ratio, c.ours.perSecond) ? 'yes' : 'NO'} | ${toFloor} | ${c.ours.p50Ms} / ${c.ours.p99Ms} ms | ${c.bare.p50Ms} / ${c.bare.p99Ms} ms |\n`,
    );
  }
  // Where the time goes: inside the engine (what the statements write) or around it (the
  // JavaScript: for the floor, what the rules and records need; for tradestore, its services too).
  const engine = chains.filter((c) => c.engineUs !== undefined);
  if (engine.length > 0) {
    process.stdout.write(
      '\n| per chain: in the engine / whole chain | bare chain | floor | tradestore |\n|---|---|---|---|\n',
    );
    const split = (inEngine: number, r: { perSecond: number }) =>
      `${inEngine.toFixed(0)} / ${(1e6 / r.perSecond).toFixed(0)} µs`;
    for (const c of engine) {
      process.stdout.write(
        `| ${c.what} | ${split(c.engineUs!.bare, c.bare)} | ${split(c.engineUs!.floor, c.floor!)} | ${split(c.engineUs!.ours, c.ours)} |\n`,
      );
    }
  }
}

// What the live-event outbox costs the chain (issue 12: at most 10%).
if (only.has('outbox')) {
  const rows = await benchOutbox({
    chains: Math.max(500, Math.round(5_000 * scale)),
    pgChains: Math.max(500, Math.round(2_000 * scale)),
    pg,
    log,
  });
  process.stdout.write(`\n${outboxReport(rows)}\n`);
}

// The HTTP API on loopback, next to a bare node:http server and the in-process chain.
if (only.has('http')) process.stdout.write(`\n${httpReport(await benchHttp(log))}\n`);

// Event delivery: commit → SSE client, whole server process, both databases.
if (only.has('events'))
  process.stdout.write(
    `\n${eventsReport(await benchEvents({ events: Math.max(50, Math.round(200 * scale)), pg, log }))}\n`,
  );

// The web app's first page in a real browser against a whole serve process, and its bundle.
if (only.has('web')) {
  const web = await benchWeb({ runs: 7, log });
  if (web) process.stdout.write(`\n${webReport(web)}\n`);
}
