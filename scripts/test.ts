/**
 * `npm test` after type-check and lint: probes PostgreSQL once, says in one line when its suites
 * are skipped (or fails under CI=true), then runs every test file with node's test runner.
 */
import { spawnSync } from 'node:child_process';
import { pgReachable, pgServerUrl } from '../src/db/scratch.ts';

const url = pgServerUrl();
const display = url.replace(/\/\/[^@/]*@/, '//');
const reachable = await pgReachable(url);
if (!reachable) {
  if (process.env.CI === 'true') {
    process.stderr.write(`PostgreSQL is required under CI=true but does not answer at ${display}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `PostgreSQL suites skipped: no server at ${display}. Start PostgreSQL or set TEST_DATABASE_URL to run them.\n`,
  );
} else {
  process.stderr.write(`PostgreSQL suites enabled: scratch databases on ${display}\n`);
}

const files = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', ...(files.length ? files : ['test/**/*.test.ts'])],
  { stdio: 'inherit', env: { ...process.env, TRADESTORE_TEST_PG: reachable ? '1' : '0' } },
);
process.exit(result.status ?? 1);
