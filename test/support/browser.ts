/**
 * The browser for the end-to-end tests and the web benchmark: Debian's Chromium (the `chromium`
 * package's binary, found like `command -v chromium`) driven by playwright-core, which never
 * downloads a browser of its own (test/support/chromium.ts finds it). One headless browser per run
 * with a fresh profile in a temp folder; axe-core checks the page it is given.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

export const BROWSER_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
/** Screenshots of the e2e run (git-ignored). */
export const ARTIFACTS = resolve(import.meta.dirname, '../../test-artifacts/web');

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** A headless Chromium with a fresh user data dir, removed on close. */
export async function launchBrowser(
  executablePath: string,
  viewport = { width: 1280, height: 800 },
): Promise<Browser> {
  const profile = mkdtempSync(join(tmpdir(), 'tradestore-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    args: BROWSER_ARGS,
    viewport,
    timezoneId: 'UTC',
    locale: 'en-GB',
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[] }[];
}

const describe = (list: AxeViolation[]) =>
  list
    .map((v) => `${v.impact} ${v.id} (${v.help}): ${v.nodes.map((n) => JSON.stringify(n.target)).join(', ')}`)
    .join('\n');

/**
 * axe-core on the page as it is now: throws on any serious or critical violation, naming each rule
 * and the elements it found; returns every violation. While fixing pages, `E2E_AXE=report` prints
 * every violation of every page (any impact) instead of stopping at the first serious one.
 */
export async function assertAccessible(page: Page, where: string): Promise<AxeViolation[]> {
  if (!(await page.evaluate('typeof globalThis.axe === "object"'))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(
    `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => ({
      id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  )) as AxeViolation[];
  if (process.env.E2E_AXE === 'report') {
    if (violations.length > 0) process.stderr.write(`axe on ${where}:\n${describe(violations)}\n`);
    return violations;
  }
  const bad = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0)
    throw new Error(`axe on ${where}: ${bad.length} serious or critical violation(s)\n${describe(bad)}`);
  return violations;
}

/** A full-page screenshot under test-artifacts/web/. */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
}
