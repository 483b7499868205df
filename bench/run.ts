/**
 * `npm run bench`: every figure next to its bare-engine baseline from the same run.
 * BENCH_SCALE=0.1 runs a tenth of the data (for a quick look); the README quotes full runs.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openScratchStore, pgReachable } from '../src/db/scratch.ts';
import { openStore } from '../src/db/store.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { benchPostgres, benchSqlite } from './candles.ts';
import { benchCopy } from './copy.ts';
import { benchHttp, httpReport } from './http.ts';
import { type Row, report } from './stats.ts';
import { type BenchResult, bareSqliteChains, benchTrading } from './trading.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const options = {
  assets: 10,
  perAsset: Math.round(100_000 * scale),
  lookups: 10_000,
  log: (line: string) => process.stderr.write(`${line}\n`),
};
const chains = Math.max(500, Math.round(10_000 * scale));

const pg = await pgReachable();
const rows: Row[] = [];
rows.push(...(await benchSqlite(options)));
if (pg) {
  rows.push(...(await benchPostgres(options)));
  if (process.env.BENCH_PARTITIONED !== '0')
    rows.push(...(await benchPostgres({ ...options, partitioned: true })));
  rows.push(...(await benchCopy(options)));
} else {
  process.stderr.write('PostgreSQL benchmarks skipped: no server at TEST_DATABASE_URL\n');
}

// signal → idea → order → fill → position update, one transaction per chain
const trading: Array<{ what: string; ours: BenchResult; bare?: BenchResult }> = [];
const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-'));
try {
  options.log(`sqlite: ${chains.toLocaleString()} trading chains`);
  const store = await openStore(`sqlite:${join(dir, 'trading.db')}`);
  await migrateUp(store);
  const ours = await benchTrading(store, chains);
  const bare = await bareSqliteChains(store, chains);
  trading.push({ what: 'sqlite', ours, bare });
  await store.close();
  // The engine's ceiling with no file under it: what no amount of service work can beat.
  const memory = await openStore('sqlite::memory:');
  await migrateUp(memory);
  trading.push({
    what: 'sqlite in memory (ceiling)',
    ours: await benchTrading(memory, chains),
    bare: await bareSqliteChains(memory, chains),
  });
  await memory.close();
} finally {
  rmSync(dir, { recursive: true, force: true });
}
if (pg) {
  options.log(`postgresql: ${Math.min(chains, 3000).toLocaleString()} trading chains`);
  const scratch = await openScratchStore('postgresql');
  try {
    await migrateUp(scratch.store);
    trading.push({ what: 'postgresql', ours: await benchTrading(scratch.store, Math.min(chains, 3000)) });
    trading.push({
      what: 'postgresql, 8 bots on 8 portfolios',
      ours: await benchTrading(scratch.store, Math.min(chains, 3000), { concurrency: 8 }),
    });
  } finally {
    await scratch.dispose();
  }
}

process.stdout.write(`${report(rows)}\n\n`);
process.stdout.write(
  '| db | trading chain (one transaction each) | bare SQL chains/s | tradestore chains/s | ratio | target | p50 / p99 |\n|---|---|---|---|---|---|---|\n',
);
for (const t of trading) {
  process.stdout.write(
    `| ${t.what} | signal → idea → order → fill → position | ${t.bare ? t.bare.perSecond.toLocaleString('en-US') : '-'} | ${t.ours.perSecond.toLocaleString('en-US')} | ${t.bare ? `${(t.ours.perSecond / t.bare.perSecond).toFixed(2)}×` : '-'} | ${t.what.startsWith('sqlite') ? '≥ 5,000/s' : 'report'} | ${t.ours.p50Ms} / ${t.ours.p99Ms} ms |\n`,
  );
}

// The HTTP API on loopback, next to a bare node:http server and the in-process chain.
const http = await benchHttp(options.log);
process.stdout.write(`\n${httpReport(http)}\n`);
