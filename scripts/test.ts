/**
 * `npm test` after type-check and lint: probes PostgreSQL, Redis and Chromium once, says in one line
 * each when their suites are skipped (or fails under CI=true), then runs every test file with node's
 * test runner.
 */
import { spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { pgReachable, pgServerUrl } from '../src/db/scratch.ts';
import { ENABLE_CHROMIUM, findChromium } from '../test/support/chromium.ts';

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

// Redis (the live events' publisher tests): the same rule as PostgreSQL, one line when skipped.
const redisUrl = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const redisUp = await redisReachable(redisUrl);
if (!redisUp) {
  if (process.env.CI === 'true') {
    process.stderr.write(`Redis is required under CI=true but does not answer at ${redisUrl}\n`);
    process.exit(1);
  }
  process.stderr.write(
    `Redis suites skipped: no server at ${redisUrl}. Start redis-server (127.0.0.1:6379) or set TEST_REDIS_URL to run them.\n`,
  );
}

/** A PING over a bare socket: loading a client library only to probe is not worth it. */
function redisReachable(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = connect({ host: hostname || '127.0.0.1', port: Number(port || 6379) });
    const done = (up: boolean) => {
      socket.destroy();
      resolve(up);
    };
    socket.setTimeout(1000, () => done(false));
    socket.on('error', () => done(false));
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (d) => done(/^(\+PONG|-NOAUTH)/.test(d.toString())));
  });
}

const chromium = findChromium();
if (!chromium) {
  if (process.env.CI === 'true') {
    process.stderr.write(
      `Chromium is required under CI=true but no chromium is on PATH (${ENABLE_CHROMIUM})\n`,
    );
    process.exit(1);
  }
  process.stderr.write(
    `Browser suites skipped: no chromium on PATH. Run \`${ENABLE_CHROMIUM}\` to run them.\n`,
  );
}

const files = process.argv.slice(2);
const result = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=2', ...(files.length ? files : ['test/**/*.test.ts'])],
  {
    stdio: 'inherit',
    env: {
      ...process.env,
      TRADESTORE_TEST_PG: reachable ? '1' : '0',
      TRADESTORE_TEST_REDIS: redisUp ? '1' : '0',
      TRADESTORE_TEST_CHROMIUM: chromium ?? '',
    },
  },
);
process.exit(result.status ?? 1);
