/**
 * Redis for the live events' tests: the shared server (`TEST_REDIS_URL`, default 127.0.0.1:6379),
 * skipped in one line by scripts/test.ts when absent (required under CI=true), and private
 * servers a test may stop: never the shared one, which other suites and helpers use.
 */
import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { Redis } from 'ioredis';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
export const REDIS_ENABLED = process.env.TRADESTORE_TEST_REDIS !== '0';
/** The `skip` option of a Redis suite. */
export const REDIS_SKIP = REDIS_ENABLED ? false : 'Redis not available';

/** A subscriber that collects every message on `channel`. */
export async function collect(url: string, channel: string) {
  const client = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  client.on('error', () => {});
  const messages: Array<Record<string, unknown>> = [];
  const waiters: Array<() => void> = [];
  client.on('message', (ch: string, text: string) => {
    if (ch !== channel) return;
    messages.push(JSON.parse(text) as Record<string, unknown>);
    for (const w of waiters.splice(0)) w();
  });
  await client.subscribe(channel);
  return {
    messages,
    /** Resolves with the messages once `ok(messages)` holds, or rejects after `ms`. */
    async until(ok: (m: typeof messages) => boolean, ms = 15_000) {
      const deadline = Date.now() + ms;
      while (!ok(messages)) {
        const left = deadline - Date.now();
        if (left <= 0) throw new Error(`timed out on ${channel}: ${JSON.stringify(messages)}`);
        await new Promise<void>((resolve) => {
          const t = setTimeout(resolve, Math.min(left, 250));
          waiters.push(() => {
            clearTimeout(t);
            resolve();
          });
        });
      }
      return messages;
    },
    close: () => client.disconnect(),
  };
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A private `redis-server` on a free port (no persistence), which the test may kill and restart. */
export async function privateRedis() {
  const port = await freePort();
  const url = `redis://127.0.0.1:${port}`;
  let child: ReturnType<typeof spawn> | null = null;
  const start = async () => {
    child = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
      {
        stdio: 'ignore',
      },
    );
    const probe = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {});
    for (let i = 0; i < 100; i++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  const stop = async () => {
    const c = child;
    child = null;
    if (c === null || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGKILL');
    });
  };
  await start();
  return { url, start, stop };
}
