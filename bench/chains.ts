/**
 * The chain section of `npm run bench`: tradestore's trading chain against its baselines, in
 * alternating rounds of the same run (bench/trading.ts has the runners).
 *   - SQLite, on a file and in memory: tradestore, the bare chain and the floor
 *     (bench/floor-chain.ts: the bare statements plus what the rules and records need computed),
 *     then the time each side spends inside the engine. The floor's books must come out equal to
 *     tradestore's, or the run fails.
 *   - PostgreSQL, 1 and 8 bots: tradestore against the bare chain.
 *
 * Standalone: `node bench/chains.ts [n]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openScratchStore, pgReachable } from '../src/db/scratch.ts';
import { openStore } from '../src/db/store.ts';
import { disableOutboxForBenchmark } from '../src/events/outbox.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { floorSqliteChains, sameBooks } from './floor-chain.ts';
import {
  alternatingRounds,
  barePgChains,
  bareSqliteChains,
  type BenchResult,
  compareChains,
  engineTimePerChain,
  OUTBOX,
  type RoundsResult,
  tradingChains,
} from './trading.ts';

export interface ChainComparison {
  what: string;
  ours: BenchResult;
  bare: BenchResult;
  /** SQLite only: the floor (bench/floor-chain.ts), in the same rounds. */
  floor?: BenchResult;
  /** SQLite only: µs per chain inside the engine (`engineTimePerChain`), each side. */
  engineUs?: { ours: number; bare: number; floor: number };
}

/** One SQLite database: the three runners in alternating rounds, then their engine time. */
async function sqliteChains(what: string, url: string, chains: number): Promise<ChainComparison> {
  const store = await openStore(url);
  if (!OUTBOX) disableOutboxForBenchmark(store);
  try {
    await migrateUp(store);
    const ours = await tradingChains(store);
    const bare = await bareSqliteChains(store);
    const floor = await floorSqliteChains(store, { outbox: OUTBOX });
    const [o, b, f] = (await alternatingRounds([ours, bare, floor], chains, 5)) as [
      RoundsResult,
      RoundsResult,
      RoundsResult,
    ];
    const n = Math.max(200, Math.round(chains / 5));
    const engineUs = {
      ours: await engineTimePerChain(ours, n),
      bare: await engineTimePerChain(bare, n),
      floor: await engineTimePerChain(floor, n),
    };
    // Both ran the same inputs the same number of times (warm-up, rounds, engine pass).
    await sameBooks(store, { ours: ours.portfolioIds[0]!, floor: floor.portfolioId });
    return { what, ours: o.result, bare: b.result, floor: f.result, engineUs };
  } finally {
    await store.close();
  }
}

/** The chain benchmark of `npm run bench`: file, memory and PostgreSQL, each against its baselines. */
export async function benchChains(options: {
  chains: number;
  pgChains: number;
  pg: boolean;
  log: (line: string) => void;
}): Promise<ChainComparison[]> {
  const out: ChainComparison[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-'));
  try {
    for (const [what, url] of [
      ['sqlite file', `sqlite:${join(dir, 'trading.db')}`],
      ['sqlite in memory', 'sqlite::memory:'],
    ] as const) {
      options.log(
        `${what}: ${options.chains.toLocaleString()} trading chains against the bare chain and the floor`,
      );
      out.push(await sqliteChains(what, url, options.chains));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!options.pg) return out;
  const scratch = await openScratchStore('postgresql');
  if (!OUTBOX) disableOutboxForBenchmark(scratch.store);
  try {
    await migrateUp(scratch.store);
    for (const concurrency of [1, 8]) {
      const what =
        concurrency === 1
          ? 'postgresql, 1 bot'
          : `postgresql, ${concurrency} bots on ${concurrency} portfolios`;
      options.log(`${what}: ${options.pgChains.toLocaleString()} trading chains against the bare chain`);
      const result = await compareChains(
        await tradingChains(scratch.store, { concurrency }),
        await barePgChains(scratch.store, { concurrency }),
        options.pgChains,
      );
      out.push({ what, ...result });
    }
  } finally {
    await scratch.dispose();
  }
  return out;
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 10_000);
  const results = await benchChains({
    chains: n,
    pgChains: Math.min(n, 3000),
    pg: await pgReachable(),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  for (const r of results) {
    const floor = r.floor ? `\n${''.padEnd(36)} floor      ${JSON.stringify(r.floor)}` : '';
    process.stdout.write(
      `${r.what.padEnd(36)} tradestore ${JSON.stringify(r.ours)}\n${''.padEnd(36)} bare       ${JSON.stringify(r.bare)}  ratio ${(r.ours.perSecond / r.bare.perSecond).toFixed(2)}${floor}\n`,
    );
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
