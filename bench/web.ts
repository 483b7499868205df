/**
 * The web app's first page (issue 13: usable within 2 s on loopback), against a whole
 * `tradestore serve` process on a SQLite file seeded with `db seed --demo`, in Debian's Chromium
 * (headless, one browser, a fresh profile; the HTTP cache cleared before every run, so each is a
 * first visit):
 * - sign-in: from `goto('/')` until the "Sign in" button is enabled and the email field can be typed in;
 * - overview: signed in, from `goto('/')` until the Overview heading and the portfolios' rows show;
 * next to a bare node:http page holding one button (the browser's own floor), p50 of `runs` each.
 * Also the built bundle: every file under web/dist, raw and gzipped.
 */
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Page } from 'playwright-core';
import { launchBrowser } from '../test/support/browser.ts';
import { ENABLE_CHROMIUM, findChromium } from '../test/support/chromium.ts';
import { runCli, startServe, stopServe } from '../test/support/cli.ts';

const ROOT = resolve(import.meta.dirname, '..');
const DIST = join(ROOT, 'web/dist');
const ADMIN = 'bench-admin@example.com';
const PASSWORD = 'bench web passphrase';

export interface WebBench {
  runs: number;
  signInMs: number[];
  overviewMs: number[];
  bareMs: number[];
  bundle: { file: string; bytes: number; gzip: number }[];
}

const p50 = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) / 2)]!;

function bundleFiles(): WebBench['bundle'] {
  const out: WebBench['bundle'] = [];
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else {
        const body = readFileSync(path);
        out.push({ file: relative(DIST, path), bytes: body.length, gzip: gzipSync(body).length });
      }
    }
  };
  walk(DIST);
  return out.sort((a, b) => b.bytes - a.bytes);
}

/** ms from the start of `goto` until `ready` resolves, the HTTP cache cleared first. */
async function timed(page: Page, url: string, ready: () => Promise<unknown>): Promise<number> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.clearBrowserCache');
  await cdp.detach();
  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready();
  return performance.now() - t0;
}

export async function benchWeb(options: {
  runs: number;
  log: (line: string) => void;
}): Promise<WebBench | null> {
  const chromium = findChromium();
  if (!chromium) {
    options.log(`web benchmark skipped: no chromium on PATH (${ENABLE_CHROMIUM})`);
    return null;
  }
  const build = spawnSync('npm', ['run', '-s', 'build:web'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`npm run build:web failed: ${build.stderr}`);
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-web-'));
  const url = `sqlite:${join(dir, 'demo.db')}`;
  const bare = createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end('<!doctype html><html lang="en"><title>bare</title><main><button>Sign in</button></main></html>');
  });
  await new Promise<void>((done) => bare.listen(0, '127.0.0.1', done));
  const bareBase = `http://127.0.0.1:${(bare.address() as AddressInfo).port}`;
  for (const args of [
    ['migrate', 'up'],
    ['db', 'seed', '--demo'],
    ['users', 'create', '--email', ADMIN, '--role', 'admin'],
  ]) {
    const r = runCli(['--db', url, ...args], { stdin: `${PASSWORD}\n` });
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  const served = await startServe(url, { SECRET_KEY: 'bench-secret-key-0123456789abcdef-012345678' });
  const browser = await launchBrowser(chromium);
  try {
    const page = await browser.context.newPage();
    const result: WebBench = {
      runs: options.runs,
      signInMs: [],
      overviewMs: [],
      bareMs: [],
      bundle: bundleFiles(),
    };
    const signIn = page.getByRole('button', { name: 'Sign in' });
    const enabledSignIn = page.locator('button:enabled', { hasText: 'Sign in' });
    // One run of each to warm the server and the browser, not counted.
    for (let i = 0; i <= options.runs; i++) {
      const bareMs = await timed(page, bareBase, () => enabledSignIn.waitFor());
      const signInMs = await timed(page, `${served.base}/`, async () => {
        await enabledSignIn.waitFor();
        await page.getByLabel('Email').fill(ADMIN);
      });
      if (i > 0) {
        result.bareMs.push(bareMs);
        result.signInMs.push(signInMs);
      }
    }
    await page.getByLabel('Password').fill(PASSWORD);
    await signIn.click();
    await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
    for (let i = 0; i <= options.runs; i++) {
      const ms = await timed(page, `${served.base}/`, async () => {
        await page.getByRole('heading', { level: 1, name: 'Overview' }).waitFor();
        await page
          .getByRole('table', { name: 'Portfolios' })
          .getByRole('row', { name: /Crypto Paper/ })
          .waitFor();
      });
      if (i > 0) result.overviewMs.push(ms);
    }
    options.log(
      `web: sign-in p50 ${p50(result.signInMs).toFixed(0)} ms, overview p50 ${p50(result.overviewMs).toFixed(0)} ms, bare page p50 ${p50(result.bareMs).toFixed(0)} ms (${options.runs} runs)`,
    );
    return result;
  } finally {
    await browser.close();
    await stopServe(served.child);
    bare.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

export function webReport(r: WebBench): string {
  const kb = (n: number) => `${(n / 1024).toFixed(1)} kB`;
  const lines = [
    `| first page usable (Chromium, loopback, cache cleared, p50 of ${r.runs}) | p50 | min | max | bare page p50 | target | met |`,
    '|---|---|---|---|---|---|---|',
  ];
  for (const [what, xs] of [
    ['sign-in form interactive', r.signInMs],
    ['overview rendered (signed in)', r.overviewMs],
  ] as const)
    lines.push(
      `| ${what} | ${p50(xs).toFixed(0)} ms | ${Math.min(...xs).toFixed(0)} ms | ${Math.max(...xs).toFixed(0)} ms | ${p50(r.bareMs).toFixed(0)} ms | < 2000 ms | ${p50(xs) < 2000 ? 'yes' : 'NO'} |`,
    );
  const total = r.bundle.reduce((s, f) => ({ bytes: s.bytes + f.bytes, gzip: s.gzip + f.gzip }), {
    bytes: 0,
    gzip: 0,
  });
  lines.push('', '| web/dist file | bytes | gzip |', '|---|---|---|');
  for (const f of r.bundle) lines.push(`| ${f.file} | ${kb(f.bytes)} | ${kb(f.gzip)} |`);
  lines.push(`| total | ${kb(total.bytes)} | ${kb(total.gzip)} |`);
  return lines.join('\n');
}

if (import.meta.main) {
  const r = await benchWeb({ runs: 7, log: (line) => process.stderr.write(`${line}\n`) });
  if (r) process.stdout.write(`${webReport(r)}\n`);
}
