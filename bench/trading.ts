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
 * database, dropped afterwards) figures, and on SQLite the bare-engine baseline from the same run:
 * the chain's statements with fixed values over node:sqlite prepared statements in BEGIN
 * IMMEDIATE … COMMIT, no validation, no accounting (`bareSqliteChains`). The gap between the two is
 * the services' own cost; the baseline itself is bounded by the schema (≈50 index pages written per
 * chain) and the WAL checkpoints.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Decimal } from 'decimal.js';
import { openScratchStore, pgReachable } from '../src/db/scratch.ts';
import { openStore, type Store } from '../src/db/store.ts';
import { booleanValue, timestampValue } from '../src/db/column-values.ts';
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

async function setUp(store: Store, portfolios: number) {
  const now = new Date();
  const email = `bench-${process.pid}-${Date.now()}@example.com`;
  await store.kysely
    .insertInto('users')
    .values({
      email,
      password_hash: 'x',
      role: 'trader',
      is_active: booleanValue(store.dialect, true),
      created_at: timestampValue(store.dialect, now),
      updated_at: timestampValue(store.dialect, now),
    })
    .execute();
  const portfolioIds: number[] = [];
  for (let i = 0; i < portfolios; i++) {
    const p = await createPortfolio(store, {
      owner: email,
      name: `bench ${Date.now()} ${i}`,
      initialBalance: '1000000000',
    });
    portfolioIds.push(p.id);
  }
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
  return { portfolioIds, assets, strategyId: strategy.id };
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/**
 * Runs n signal → idea → order → fill chains (after a short warm-up) and reports throughput and
 * per-chain latency. `concurrency` > 1 runs that many bots at once, each on its own portfolio
 * (PostgreSQL serves them on separate connections; SQLite serialises writers anyway).
 */
export async function benchTrading(
  store: Store,
  n: number,
  options: { concurrency?: number } = {},
): Promise<BenchResult> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const { portfolioIds, assets, strategyId } = await setUp(store, concurrency);
  const bots = portfolioIds.map((portfolioId) => {
    const prices = assets.map((_, i) => new Decimal(1000 * (i + 1)));
    let step = 0;
    return () => {
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
  });
  const warmUp = Math.min(200, Math.max(8, Math.floor(n / 10)));
  for (let i = 0; i < warmUp; i++) {
    const r = await bots[i % bots.length]!();
    if (r.fill === null) throw new Error(`bench chain was not auto-executed: ${r.proposal?.idea.status}`);
  }
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    bots.map(async (bot) => {
      while (next < n) {
        next += 1;
        const t0 = performance.now();
        await bot();
        latencies.push(performance.now() - t0);
      }
    }),
  );
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

/**
 * The same chain as bare SQL on SQLite: the statements actOnSignal runs (fixed values, no checks),
 * each chain one BEGIN IMMEDIATE … COMMIT on the raw node:sqlite handle. The engine's ceiling.
 */
export async function bareSqliteChains(store: Store, n: number): Promise<BenchResult> {
  const { portfolioIds, assets, strategyId } = await setUp(store, 1);
  const portfolioId = portfolioIds[0]!;
  return store.withSqlite((db) => {
    const P = (sql: string) => db.prepare(sql);
    const st = {
      strategy: P(`select s.id, s.name, s.is_active, s.allowed_symbols, v.version_hash from strategies s
        left join strategy_versions v on v.id = s.current_version_id where s.id = ?`),
      signal:
        P(`insert into signals (portfolio_id, strategy_id, strategy_version, asset_id, ts, price, action,
        confidence, aggregation_method, components, quantity, executed, test_mode, bot_version)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?) returning id`),
      portfolio: P('select * from portfolios where id = ?'),
      asset: P('select symbol, venue from assets where id = ?'),
      risk: P('select * from risk_configs where portfolio_id is null or portfolio_id = ?'),
      open: P(
        `select count(*) as n from positions where portfolio_id = ? and status = 'open' and test_mode = 0`,
      ),
      idea: P(`insert into trade_ideas (portfolio_id, signal_id, strategy_id, asset_id, direction, entry_price,
        rationale, confidence, status, decided_by, decided_at, test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, 'bench', 0.8, 'auto_executed', 'ai', ?, 0, ?, ?) returning id`),
      decision:
        P(`insert into decision_history (occurred_at, portfolio_id, asset_id, action, actor, rationale,
        confidence, risk_check_result, strategy_id, trade_idea_id, human_override, test_mode)
        values (?, ?, ?, 'ai_auto_executed', 'ai', 'bench', 0.8, ?, ?, ?, 0, 0) returning id`),
      order:
        P(`insert into orders (portfolio_id, trade_idea_id, signal_id, asset_id, side, type, quantity, status,
        client_order_id, test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, 'market', '0.5', 'new', ?, 0, ?, ?) on conflict (client_order_id) do nothing returning id`),
      executed: P('update signals set executed = 1, executed_at = ? where id = ? and executed = 0'),
      position: P(
        `select * from positions where portfolio_id = ? and asset_id = ? and test_mode = 0 and status = 'open'`,
      ),
      trade:
        P(`select * from trades where +portfolio_id = ? and +asset_id = ? and test_mode = 0 and is_backtest = 0
        and outcome = 'open'`),
      fill: P(`insert into fills (order_id, venue, quantity, price, fee, ts, test_mode, created_at)
        values (?, 'bench', '0.5', ?, '0.05', ?, 0, ?) returning id`),
      openTrade:
        P(`insert into trades (portfolio_id, strategy_id, signal_id, trade_idea_id, asset_id, direction,
        quantity, entry_price, entry_time, fees, pnl, entry_value, exit_quantity, exit_value, outcome, is_backtest,
        test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, 'long', '0.5', ?, ?, '0.05', '-0.05', '500', '0', '0', 'open', 0, 0, ?, ?) returning id`),
      closeTrade:
        P(`update trades set exit_price = ?, exit_time = ?, outcome = 'win', pnl = '1', fees = '0.1',
        exit_quantity = '0.5', exit_value = '501', updated_at = ? where id = ?`),
      openPosition:
        P(`insert into positions (portfolio_id, asset_id, side, quantity, average_entry_price, cost_basis,
        realized_pnl, status, opened_at, test_mode, created_at, updated_at)
        values (?, ?, 'long', '0.5', ?, '500', '-0.05', 'open', ?, 0, ?, ?) returning id`),
      closePosition:
        P(`update positions set quantity = '0', cost_basis = '0', realized_pnl = '1', status = 'closed',
        closed_at = ?, updated_at = ? where id = ?`),
      cash: P('update portfolios set cash_balance = ?, updated_at = ? where id = ?'),
      orderStatus: P(`update orders set status = 'filled', updated_at = ? where id = ?`),
    };
    const riskJson = JSON.stringify({
      verdict: 'auto_executed',
      rules: Array.from({ length: 7 }, (_, i) => ({
        rule: `rule_${i}`,
        passed: true,
        detail: 'within the limit',
      })),
    });
    const latencies: number[] = [];
    const started = performance.now();
    for (let i = 0; i < n; i++) {
      const t0 = performance.now();
      const now = Date.now();
      const assetId = assets[i % assets.length]!;
      const buy = Math.floor(i / assets.length) % 2 === 0;
      const price = String(1000 + (i % 50));
      db.exec('begin immediate');
      st.strategy.get(strategyId);
      const signal = st.signal.get(
        portfolioId,
        strategyId,
        'v',
        assetId,
        now,
        price,
        buy ? 'buy' : 'sell',
        0.8,
        'weighted',
        '{"trend":{"confidence":0.8},"momentum":{"confidence":0.7}}',
        '0.5',
        'bench',
      ) as { id: number };
      st.portfolio.get(portfolioId);
      st.asset.get(assetId);
      st.risk.all(portfolioId);
      st.open.get(portfolioId);
      const idea = st.idea.get(
        portfolioId,
        signal.id,
        strategyId,
        assetId,
        buy ? 'long' : 'short',
        price,
        now,
        now,
        now,
      ) as { id: number };
      st.decision.get(now, portfolioId, assetId, riskJson, strategyId, idea.id);
      const order = st.order.get(
        portfolioId,
        idea.id,
        signal.id,
        assetId,
        buy ? 'buy' : 'sell',
        `bare-${i}-${now}`,
        now,
        now,
      ) as { id: number };
      st.executed.run(now, signal.id);
      const position = st.position.get(portfolioId, assetId) as { id: number } | undefined;
      const trade = st.trade.get(portfolioId, assetId) as { id: number } | undefined;
      st.fill.get(order.id, price, now, now);
      if (trade) st.closeTrade.run(price, now, now, trade.id);
      else st.openTrade.get(portfolioId, strategyId, signal.id, idea.id, assetId, price, now, now, now);
      if (position) st.closePosition.run(now, now, position.id);
      else st.openPosition.get(portfolioId, assetId, price, now, now, now);
      st.cash.run('1000000000', now, portfolioId);
      st.orderStatus.run(now, order.id);
      db.exec('commit');
      latencies.push(performance.now() - t0);
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
  });
}

async function main(): Promise<void> {
  const n = Number(process.argv[2] ?? 20_000);
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-'));
  try {
    const store = await openStore(`sqlite:${join(dir, 'bench.db')}`);
    await migrateUp(store);
    const result = await benchTrading(store, n);
    const bare = await bareSqliteChains(store, n);
    await store.close();
    process.stdout.write(`sqlite      ${JSON.stringify(result)}\n`);
    process.stdout.write(`sqlite      bare SQL baseline ${JSON.stringify(bare)}\n`);
    const memory = await openStore('sqlite::memory:');
    await migrateUp(memory);
    const inMemory = await benchTrading(memory, n);
    const bareInMemory = await bareSqliteChains(memory, n);
    await memory.close();
    process.stdout.write(`sqlite      in memory ${JSON.stringify(inMemory)}\n`);
    process.stdout.write(`sqlite      in memory, bare SQL baseline ${JSON.stringify(bareInMemory)}\n`);
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
    const sequential = await benchTrading(scratch.store, Math.min(n, 5_000));
    process.stdout.write(`postgresql  ${JSON.stringify(sequential)}\n`);
    const parallel = await benchTrading(scratch.store, Math.min(n, 5_000), { concurrency: 8 });
    process.stdout.write(`postgresql  8 bots on 8 portfolios ${JSON.stringify(parallel)}\n`);
  } finally {
    await scratch.dispose();
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await main();
}
