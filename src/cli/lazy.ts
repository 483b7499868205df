/**
 * Our own modules loaded synchronously on first use (require of ES modules), for the few sync
 * helpers every command runs but `--help` must not load: the config schema (zod) and the instant
 * parser. They sit beside this file as .ts in the repository and as .js in the published build.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const EXT = import.meta.url.endsWith('.ts') ? '.ts' : '.js';

/** `path` relative to src/cli/, without its extension. */
export function loadModule<T>(path: string): T {
  return require(`${path}${EXT}`) as T;
}
