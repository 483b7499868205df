/**
 * Trading hot path benchmark: signal → trade idea (risk gate: auto_executed) → market order →
 * fill → position / round trip / cash update, each chain ONE transaction (`actOnSignal`), n times.
 *
 * Workload: one portfolio, four assets, a strategy with a watchlist, a global risk config with AI
 * trading on, a confidence threshold, a max lot size and a max concurrent trades limit (so the gate
 * runs its open-position count). Each asset alternates buy and sell, so positions open and close and
 * round trips accumulate like a day of trading. Latency is per chain, wall clock.
 *
 * Standalone: `node bench/trading.ts [n]` prints SQLite (temp file) and PostgreSQL (scratch
 * database, dropped afterwards) figures.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { openScratchStore, pgReachable } from '../src/db/scratch.ts';
import { openStore, type Store } from '../src/db/store.ts';
import { actOnSignal } from '../src/execution/chain.ts';
import { ensureAsset } from '../src/marketdata/assets.ts';
import { migrateUp } from '../src/migrate/runner.ts';
import { createPortfolio } from '../src/portfolios/portfolios.ts';
import { setGlobalRiskConfig } from '../src/portfolios/risk-configs.ts';
import { registerStrategy } from '../src/strategies/strategies.ts';

export interface BenchResult {
  ops: number;
  seconds: number;
  perSecond: number;
  p50Ms: number;
  p99Ms: number;
}

const SYMBOLS = ['BTC/USDT', 'ETH/USDT', 'SOL/USDT', 'XRP/USDT'];

async function setUp(store: Store) {
  const now = new Date();
  const email = `bench-${process.pid}-${Date.now()}@example.com`;
  await store.kysely
    .insertInto('users')
    .values({
      email,
      password_hash: 'x',
      role: 'trader',
      is_active: store.dialect === 'sqlite' ? 1 : true,
      created_at: store.dialect === 'sqlite' ? now.getTime() : now,
      updated_at: store.dialect === 'sqlite' ? now.getTime() : now,
    })
    .execute();
  const portfolio = await createPortfolio(store, {
    owner: email,
    name: `bench ${Date.now()}`,
    initialBalance: '1000000000',
  });
  const assets: number[] = [];
  for (const symbol of SYMBOLS)
    assets.push(await ensureAsset(store, { symbol, venue: 'bench', kind: 'crypto' }));
  const { strategy } = await registerStrategy(store, {
    name: `bench-trend-${Date.now()}`,
    allowedSymbols: SYMBOLS,
    entryConditions: { ema: { fast: 12, slow: 26 } },
  });
  await setGlobalRiskConfig(store, {
    aiTradingEnabled: true,
    minConfidenceThreshold: 0.6,
    maxLotSize: '10',
    maxConcurrentTrades: 50,
    allowOffWatchlistAutotrade: false,
  });
  return { portfolioId: portfolio.id, assets, strategyId: strategy.id };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Runs n signal → idea → order → fill chains (after a short warm-up) and reports throughput and latency. */
export async function benchTrading(store: Store, n: number): Promise<BenchResult> {
  const { portfolioId, assets, strategyId } = await setUp(store);
  const prices = assets.map((_, i) => new Decimal(1000 * (i + 1)));
  let step = 0;
  const chain = () => {
    const k = step % assets.length;
    const action = Math.floor(step / assets.length) % 2 === 0 ? 'buy' : 'sell';
    prices[k] = prices[k]!.plus(((step * 7919) % 21) - 10).toDecimalPlaces(2);
    step += 1;
    return actOnSignal(store, {
      signal: {
        portfolioId,
        strategyId,
        assetId: assets[k]!,
        price: prices[k]!,
        action,
        confidence: 0.8,
        quantity: '0.5',
        aggregationMethod: 'weighted',
        components: { trend: { action, confidence: 0.8 }, momentum: { action, confidence: 0.7 } },
        botVersion: 'bench',
      },
      idea: { rationale: 'bench' },
      fill: { fee: '0.05' },
    });
  };
  const warmUp = Math.min(200, Math.max(10, Math.floor(n / 10)));
  for (let i = 0; i < warmUp; i++) {
    const r = await chain();
    if (r.fill === null) throw new Error(`bench chain was not auto-executed: ${r.proposal?.idea.status}`);
  }
  const latencies = new Array<number>(n);
  const started = performance.now();
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await chain();
    latencies[i] = performance.now() - t0;
  }
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    ops: n,
    seconds: Number(seconds.toFixed(3)),
    perSecond: Math.round(n / seconds),
    p50Ms: Number(percentile(latencies, 50).toFixed(3)),
    p99Ms: Number(percentile(latencies, 99).toFixed(3)),
  };
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-'));
  try {
    const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
    await migrateUp(store);
    const result = await benchTrading(store, n);
    await store.close();
    process.stdout.write(`sqlite      ${JSON.stringify(result)}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  if (!(await pgReachable())) {
    process.stdout.write('postgresql  skipped: no server (set TEST_DATABASE_URL)\n');
    return;
  }
  const scratch = await openScratchStore('postgresql');
  try {
    await migrateUp(scratch.store);
    const result = await benchTrading(scratch.store, Math.min(n, 5_000));
    process.stdout.write(`postgresql  ${JSON.stringify(result)}\n`);
  } finally {
    await scratch.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
