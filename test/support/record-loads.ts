/**
 * Preloaded into a CLI child process (`--import`) by the start-up tests: records every module the
 * process resolves (imports and requires alike) and writes their URLs, one a line, to the file in
 * TRADESTORE_RECORD_LOADS when the process exits. What a command loads is behaviour the tests can
 * assert without timing anything.
 */
import { writeFileSync } from 'node:fs';
import { registerHooks } from 'node:module';

const target = process.env.TRADESTORE_RECORD_LOADS;
if (target) {
  const seen = new Set<string>();
  registerHooks({
    resolve(specifier, context, nextResolve) {
      const resolved = nextResolve(specifier, context);
      seen.add(resolved.url);
      return resolved;
    },
  });
  process.on('exit', () => writeFileSync(target, [...seen].join('\n')));
}
