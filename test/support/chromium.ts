/**
 * Where Debian's Chromium is, without loading the browser driver (scripts/test.ts probes it once per
 * run, like PostgreSQL, and says in one line when the browser suites are skipped).
 */
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** How to get the browser the suites need. */
export const ENABLE_CHROMIUM = 'apt-get install -y chromium';

/** The `chromium` on PATH (what `command -v chromium` prints), or null. */
export function findChromium(): string | null {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'chromium');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return null;
}

/**
 * The Chromium the browser suites use: scripts/test.ts passes its probe on (empty: none, already
 * reported); a test file run on its own probes here.
 */
export function testChromium(): string | null {
  const given = process.env.TRADESTORE_TEST_CHROMIUM;
  if (given !== undefined) return given === '' ? null : given;
  return findChromium();
}
