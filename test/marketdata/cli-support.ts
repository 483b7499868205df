/** Running the tradestore CLI from market-data tests, and reading back what it stored. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { Store } from '../../src/db/store.ts';
import type { Timeframe } from '../../src/entities/common.ts';
import { findAsset } from '../../src/marketdata/assets.ts';
import { readCandles } from '../../src/marketdata/candles.ts';
import { type CliResult, spawnCli as spawnTradestore } from '../support/cli.ts';
import type { CandleRow } from '../../src/marketdata/formats/types.ts';

export { BIN, type CliResult } from '../support/cli.ts';

const capture = new AsyncLocalStorage<{ stdout: string; stderr: string }>();
let patched = false;

/** Routes stdout/stderr writes made inside `capture.run` to its buffers; everything else (the test reporter) passes. */
function patchWrites(): void {
  if (patched) return;
  patched = true;
  for (const name of ['stdout', 'stderr'] as const) {
    const stream = process[name];
    const original = stream.write.bind(stream) as (...a: unknown[]) => boolean;
    stream.write = ((chunk: unknown, ...rest: unknown[]) => {
      const sink = capture.getStore();
      if (sink === undefined) return original(chunk, ...rest);
      sink[name] += typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8');
      const done = rest.find((r) => typeof r === 'function') as (() => void) | undefined;
      done?.();
      return true;
    }) as typeof stream.write;
  }
}

/**
 * Runs the CLI's `main` in this process (the same commander program, options and exit codes as the
 * binary, without paying a Node start-up and module load per command); output is captured.
 */
export async function cli(url: string, args: string[]): Promise<CliResult> {
  patchWrites();
  const sink = { stdout: '', stderr: '' };
  const errorListeners = process.stdout.listeners('error');
  const venue = process.env.DEFAULT_VENUE;
  process.env.DEFAULT_VENUE = 'testvenue';
  process.exitCode = undefined;
  try {
    const code = await capture.run(sink, () => main(['node', 'tradestore', '--db', url, ...args]));
    return { code, ...sink };
  } finally {
    process.exitCode = undefined;
    if (venue === undefined) delete process.env.DEFAULT_VENUE;
    else process.env.DEFAULT_VENUE = venue;
    // main() adds an EPIPE handler per call.
    for (const l of process.stdout.listeners('error')) {
      if (!errorListeners.includes(l)) process.stdout.off('error', l as (e: Error) => void);
    }
  }
}

/** Runs the real binary in a child process, optionally feeding `stdin`; resolves when it exits. */
export function spawnCli(url: string, args: string[], stdin?: string | Buffer): Promise<CliResult> {
  return spawnTradestore(['--db', url, ...args], {
    env: { DEFAULT_VENUE: 'testvenue' },
    ...(stdin === undefined ? {} : { stdin }),
  });
}

/** `--json` summary of a CLI run that must have succeeded. */
export function summaryOf(r: CliResult): Record<string, unknown> & {
  read: number;
  inserted: number;
  updated: number;
  skipped: number;
  rejected: number;
} {
  if (r.code !== 0) throw new Error(`exit ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout);
}

export async function assetId(store: Store, symbol: string, venue = 'testvenue'): Promise<number> {
  const asset = await findAsset(store, { symbol, venue });
  if (!asset) throw new Error(`no asset ${symbol}`);
  return Number(asset.id);
}

export async function storedCandles(
  store: Store,
  symbol: string,
  timeframe: Timeframe,
): Promise<CandleRow[]> {
  return readCandles(store, await assetId(store, symbol), timeframe);
}

export function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'tradestore-md-'));
}
