/**
 * Profiling harness (not part of `npm run bench`): n in-memory trading chains, or bare chains with
 * `--bare`, for `node --cpu-prof bench/profile-chain.ts` or `valgrind --tool=callgrind`. Prints
 * CPU µs per chain (process.cpuUsage) so an A/B of two commits can be read from one line each.
 */
import { openStore } from '../src/db/store.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { startCpuProfile } from './cpu-profile.ts';
import { bareSqliteChains, tradingChains } from './trading.ts';

const n = Number(process.argv[2] ?? 5000);
const bare = process.argv.includes('--bare');
const url = process.argv.find((a) => a.startsWith('sqlite:')) ?? 'sqlite::memory:';
const store = await openStore(url);
await migrateUp(store);
const run = bare ? await bareSqliteChains(store) : await tradingChains(store, { warmUp: 200 });
await run(500);
// `--profile FILE`: a CPU profile of the measured chains only.
const stopProfile = await startCpuProfile(process.argv);
const cpu0 = process.cpuUsage();
const t0 = performance.now();
await run(n);
const cpu = process.cpuUsage(cpu0);
const wall = performance.now() - t0;
await stopProfile();
process.stdout.write(
  `${bare ? 'bare' : 'tradestore'} ${n} chains: ${((cpu.user + cpu.system) / n).toFixed(1)} µs CPU/chain, ${((wall * 1000) / n).toFixed(1)} µs wall/chain\n`,
);
await store.close();
