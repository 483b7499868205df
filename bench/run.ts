/**
 * `npm run bench`: every figure next to its bare-engine baseline from the same run.
 * BENCH_SCALE=0.1 runs a tenth of the data (for a quick look); the README quotes full runs.
 */
import { pgReachable } from '../src/db/scratch.ts';
import { benchPostgres, benchSqlite } from './candles.ts';
import { type Row, report } from './stats.ts';

const scale = Number(process.env.BENCH_SCALE ?? 1);
const options = {
  assets: 10,
  perAsset: Math.round(100_000 * scale),
  lookups: 10_000,
  log: (line: string) => process.stderr.write(`${line}\n`),
};

const rows: Row[] = [];
rows.push(...(await benchSqlite(options)));
if (await pgReachable()) {
  rows.push(...(await benchPostgres(options)));
  if (process.env.BENCH_PARTITIONED !== '0')
    rows.push(...(await benchPostgres({ ...options, partitioned: true })));
} else {
  process.stderr.write('PostgreSQL benchmarks skipped: no server at TEST_DATABASE_URL\n');
}
process.stdout.write(`${report(rows)}\n`);
