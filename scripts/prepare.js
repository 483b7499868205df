/* global URL */
// npm's `prepare` (after `npm install` / `npm ci` in a checkout): builds the web app into
// web/dist so that `npm start` serves it. Plain JavaScript: an install without dev dependencies
// runs this on the system Node, where there is no Vite and nothing to build with; it says so and
// succeeds (the server then answers `/` with a page saying how to build the app).
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const vite = new URL('../node_modules/vite/bin/vite.js', import.meta.url);
if (!existsSync(vite)) {
  console.log('prepare: vite is not installed (no dev dependencies): the web app is not built');
  process.exit(0);
}
const run = spawnSync(
  process.execPath,
  [vite.pathname, 'build', '--config', 'web/vite.config.ts', '--logLevel', 'warn'],
  {
    stdio: 'inherit',
  },
);
process.exit(run.status ?? 1);
