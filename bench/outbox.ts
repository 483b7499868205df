/**
 * What the live-event outbox (src/events/) costs the trading chain: `actOnSignal` chains (8 events
 * each: signal, idea, decision, order placed, fill, order filled, position, trade) against the
 * same chains on a store whose outbox is off (`disableOutboxForBenchmark`), in alternating rounds
 * of one run, on a SQLite file, in memory and on PostgreSQL, timed by wall clock and by this
 * process's CPU time (on a machine shared with other work the CPU time is the steadier figure).
 * Target (issue 12): the outbox costs at most 10% of chains/s. In the same rounds the bare chain
 * runs with and without its event statements (the same 8 rows with fixed payloads of the same
 * sizes): what storing the events costs before any serialising, hence the floor of this design.
 *
 * Standalone: `node bench/outbox.ts [n]`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openScratchStore, pgReachable } from '../src/db/scratch.ts';
import { openStore, type Store } from '../src/db/store.ts';
import { disableOutboxForBenchmark } from '../src/events/outbox.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import {
  alternatingRounds,
  barePgChains,
  bareSqliteChains,
  type BenchResult,
  type ChainRunner,
  type RoundsResult,
  tradingChains,
} from './trading.ts';

export interface OutboxCost {
  what: string;
  withOutbox: BenchResult;
  without: BenchResult;
  /** chains/s with the outbox ÷ without it (wall clock). */
  ratio: number;
  /** This process's CPU time per chain (user + system), µs: steadier than wall clock on a shared machine. */
  cpuWithUs: number;
  cpuWithoutUs: number;
  /**
   * The bare chain with and without its event statements (the same rows, fixed payloads, no
   * serialising): what writing the events costs at the least, in µs per chain (wall clock)…
   */
  bareEventsUs: number;
  /** …and the ratio our chain would reach if the outbox cost only that: the floor of this design. */
  floorRatio: number;
}

/**
 * Alternating rounds (ours with, ours without, bare with, bare without, …), each timed by wall
 * clock and by this process's CPU.
 */
async function compare(
  what: string,
  [a, b]: [Store, Store],
  bare: (store: Store, outbox: boolean) => Promise<ChainRunner>,
  n: number,
  rounds = 10,
): Promise<OutboxCost> {
  disableOutboxForBenchmark(b);
  const [on, off, bareOn, bareOff] = (await alternatingRounds(
    [await tradingChains(a), await tradingChains(b), await bare(a, true), await bare(b, false)],
    n,
    rounds,
  )) as [RoundsResult, RoundsResult, RoundsResult, RoundsResult];
  const usPerChain = (r: BenchResult) => 1e6 / r.perSecond;
  const bareEventsUs = Math.max(0, usPerChain(bareOn.result) - usPerChain(bareOff.result));
  return {
    what,
    withOutbox: on.result,
    without: off.result,
    ratio: on.result.perSecond / off.result.perSecond,
    cpuWithUs: on.cpuUs,
    cpuWithoutUs: off.cpuUs,
    bareEventsUs: Math.round(bareEventsUs),
    floorRatio: usPerChain(off.result) / (usPerChain(off.result) + bareEventsUs),
  };
}

export async function benchOutbox(options: {
  chains: number;
  pgChains: number;
  pg: boolean;
  log: (line: string) => void;
}): Promise<OutboxCost[]> {
  const out: OutboxCost[] = [];
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-outbox-'));
  try {
    // Two files (not one shared): neither side's growing tables slow the other's.
    for (const [what, urls] of [
      ['sqlite file', [`sqlite:${join(dir, 'a.db')}`, `sqlite:${join(dir, 'b.db')}`]],
      ['sqlite in memory', ['sqlite::memory:', 'sqlite::memory:']],
    ] as const) {
      options.log(`${what}: ${options.chains.toLocaleString()} chains with the outbox against without`);
      const [a, b] = [await openStore(urls[0]), await openStore(urls[1])];
      try {
        await migrateUp(a);
        await migrateUp(b);
        out.push(await compare(what, [a, b], (s, outbox) => bareSqliteChains(s, { outbox }), options.chains));
      } finally {
        await a.close();
        await b.close();
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!options.pg) return out;
  const [a, b] = [await openScratchStore('postgresql'), await openScratchStore('postgresql')];
  try {
    await migrateUp(a.store);
    await migrateUp(b.store);
    options.log(`postgresql: ${options.pgChains.toLocaleString()} chains with the outbox against without`);
    out.push(
      await compare(
        'postgresql, 1 bot',
        [a.store, b.store],
        (s, outbox) => barePgChains(s, { outbox }),
        options.pgChains,
      ),
    );
  } finally {
    await a.dispose();
    await b.dispose();
  }
  return out;
}

export function outboxReport(rows: readonly OutboxCost[]): string {
  const lines = [
    "| trading chain, outbox on vs off (same run) | chains/s without | chains/s with | ratio | CPU µs/chain without / with | CPU ratio | target | met | p50 / p99 with | p50 / p99 without | bare chain's event rows alone | floor: ratio if the outbox cost only those |",
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const cpuRatio = r.cpuWithoutUs / r.cpuWithUs;
    lines.push(
      `| ${r.what} | ${r.without.perSecond.toLocaleString('en-US')} | ${r.withOutbox.perSecond.toLocaleString('en-US')} | ${r.ratio.toFixed(3)}× | ${r.cpuWithoutUs} / ${r.cpuWithUs} | ${cpuRatio.toFixed(3)}× | ≥ 0.90× | ${r.ratio >= 0.9 ? 'yes' : 'NO'} | ${r.withOutbox.p50Ms} / ${r.withOutbox.p99Ms} ms | ${r.without.p50Ms} / ${r.without.p99Ms} ms | ${r.bareEventsUs} µs/chain | ${r.floorRatio.toFixed(3)}× |`,
    );
  }
  return lines.join('\n');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const n = Number(process.argv[2] ?? 5_000);
  const rows = await benchOutbox({
    chains: n,
    pgChains: Math.min(n, 2_000),
    pg: await pgReachable(),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  process.stdout.write(`${outboxReport(rows)}\n`);
}
