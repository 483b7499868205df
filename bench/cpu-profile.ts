/**
 * `--profile FILE` for the profiling harnesses (bench/profile-chain.ts, bench/profile-http.ts):
 * a CPU profile of the measured phase only, sampled every 100 µs, written as a .cpuprofile that
 * Chrome DevTools and speedscope read. Without the flag both calls do nothing.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';

/** Starts profiling when argv has `--profile FILE`; the returned stop() writes FILE. */
export async function startCpuProfile(argv: readonly string[]): Promise<() => Promise<void>> {
  const at = argv.indexOf('--profile');
  const file = at >= 0 ? argv[at + 1] : undefined;
  if (file === undefined) return async () => {};
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 100 });
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    writeFileSync(file, JSON.stringify(profile));
    session.disconnect();
  };
}
