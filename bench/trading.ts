/**
 * The trading chain's runners: signal → trade idea (risk gate: auto_executed) → market order →
 * fill → position / round trip / cash update, each chain ONE transaction.
 *   - `tradingChains`: through `actOnSignal`, 1 or more bots;
 *   - `bareSqliteChains` / `barePgChains`: the chain's statements with fixed values over prepared
 *     statements in BEGIN … COMMIT, no validation, no accounting, the outbox's event rows included;
 *     bounded by the schema (≈50 index pages written per chain) and the WAL checkpoints;
 *   - bench/floor-chain.ts: the same statements with what the rules and records need computed.
 * bench/chains.ts runs them against each other for `npm run bench`.
 *
 * Workload: one portfolio, four assets, a strategy with a watchlist, a global risk config with AI
 * trading on, a confidence threshold, a max lot size and a max concurrent trades limit (so the gate
 * runs its open-position count). Each asset alternates buy and sell, so positions open and close and
 * round trips accumulate like a day of trading. Latency is per chain, wall clock.
 */
import { Decimal } from 'decimal.js';
import { DatabaseSync, StatementSync } from 'node:sqlite';
import { pgStatement } from '../src/db/statements.ts';
import type { Store } from '../src/db/store.ts';
import { type PendingEvent, pgFlush } from '../src/events/outbox.ts';
import { booleanValue, timestampValue } from '../src/db/column-values.ts';
import { type ActOnSignalInput, actOnSignal } from '../src/execution/chain.ts';
import { ensureAsset } from '../src/marketdata/assets.ts';
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

/** The chains' portfolio(s), assets, strategy and global risk config (each runner its own portfolios). */
export async function setUpChains(store: Store, portfolios: number) {
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

/** Runs `count` more chains and returns their latencies in ms (wall clock, per chain). */
export type ChainRunner = (count: number) => Promise<number[]>;

export function summary(latencies: number[], seconds: number): BenchResult {
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    ops: latencies.length,
    seconds: Number(seconds.toFixed(3)),
    perSecond: Math.round(latencies.length / seconds),
    p50Ms: Number(percentile(sorted, 50).toFixed(3)),
    p99Ms: Number(percentile(sorted, 99).toFixed(3)),
  };
}

/** Runs `n` chains of one runner and summarises them. */
export async function measure(run: ChainRunner, n: number): Promise<BenchResult> {
  const started = performance.now();
  const latencies = await run(n);
  return summary(latencies, (performance.now() - started) / 1000);
}

/** One side of an alternating comparison: its chains summarised, and this process's CPU per chain. */
export interface RoundsResult {
  result: BenchResult;
  /** User + system CPU of this process per chain, µs: steadier than wall clock on a shared machine. */
  cpuUs: number;
}

/**
 * Runners in alternating rounds (a, b, c, a, b, c, …) of n / rounds chains each: on a machine
 * shared with other work, load that comes and goes then falls on every side alike instead of on
 * whichever ran last. Each round is timed by wall clock and by this process's CPU.
 */
export async function alternatingRounds(
  runners: readonly ChainRunner[],
  n: number,
  rounds: number,
): Promise<RoundsResult[]> {
  const per = Math.max(1, Math.round(n / rounds));
  const sides = runners.map((run) => ({ run, latencies: [] as number[], seconds: 0, cpu: 0 }));
  for (let r = 0; r < rounds; r++) {
    for (const side of sides) {
      const cpu0 = process.cpuUsage();
      const started = performance.now();
      side.latencies.push(...(await side.run(per)));
      side.seconds += (performance.now() - started) / 1000;
      const cpu = process.cpuUsage(cpu0);
      side.cpu += cpu.user + cpu.system;
    }
  }
  return sides.map((s) => ({
    result: summary(s.latencies, s.seconds),
    cpuUs: Math.round(s.cpu / s.latencies.length),
  }));
}

/** tradestore and its bare baseline in alternating rounds (ours, bare, ours, bare, …). */
export async function compareChains(
  ours: ChainRunner,
  bare: ChainRunner,
  n: number,
  rounds = 5,
): Promise<{ ours: BenchResult; bare: BenchResult }> {
  const [a, b] = (await alternatingRounds([ours, bare], n, rounds)) as [RoundsResult, RoundsResult];
  return { ours: a.result, bare: b.result };
}

/**
 * One bot's inputs, chain after chain: each asset in turn, buys then sells (positions open and
 * close, round trips accumulate), the price walking a few units a step. Shared by tradestore's
 * runner and the floor (bench/floor-chain.ts), which must see the same inputs.
 */
export function chainInputs(ids: { portfolioId: number; strategyId: number; assets: readonly number[] }) {
  const { portfolioId, strategyId, assets } = ids;
  const prices = assets.map((_, i) => new Decimal(1000 * (i + 1)));
  let step = 0;
  return (): ActOnSignalInput => {
    const k = step % assets.length;
    const action = Math.floor(step / assets.length) % 2 === 0 ? 'buy' : 'sell';
    prices[k] = prices[k]!.plus(((step * 7919) % 21) - 10).toDecimalPlaces(2);
    step += 1;
    return {
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
    };
  };
}

/**
 * signal → idea → order → fill chains through `actOnSignal`, after a short warm-up. `concurrency`
 * > 1 runs that many bots at once, each on its own portfolio (PostgreSQL serves them on separate
 * connections; SQLite serialises writers anyway).
 */
export async function tradingChains(
  store: Store,
  options: { concurrency?: number; warmUp?: number } = {},
): Promise<ChainRunner & { portfolioIds: number[] }> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const { portfolioIds, assets, strategyId } = await setUpChains(store, concurrency);
  const bots = portfolioIds.map((portfolioId) => {
    const next = chainInputs({ portfolioId, strategyId, assets });
    return () => actOnSignal(store, next());
  });
  const warmUp = options.warmUp ?? 200;
  for (let i = 0; i < warmUp; i++) {
    const r = await bots[i % bots.length]!();
    if (r.fill === null) throw new Error(`bench chain was not auto-executed: ${r.proposal?.idea.status}`);
  }
  const run: ChainRunner = async (count) => {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      bots.map(async (bot) => {
        while (next < count) {
          next += 1;
          const t0 = performance.now();
          await bot();
          latencies.push(performance.now() - t0);
        }
      }),
    );
    return latencies;
  };
  return Object.assign(run, { portfolioIds });
}

/** n chains through `actOnSignal` (see tradingChains). */
export async function benchTrading(
  store: Store,
  n: number,
  options: { concurrency?: number } = {},
): Promise<BenchResult> {
  const warmUp = Math.min(200, Math.max(8, Math.floor(n / 10)));
  return measure(await tradingChains(store, { ...options, warmUp }), n);
}

/**
 * The statements actOnSignal runs, as bare SQL: what the chain computes is a placeholder (the bare
 * chain binds fixed values, the floor its computed ones), the rest literal. `f` and `t` are the
 * dialect's false and true (0 and 1 on SQLite); placeholders are `?`.
 */
export function bareStatements(f: string, t: string, forUpdate: string) {
  return {
    strategy: `select s.id, s.name, s.is_active, s.allowed_symbols, v.version_hash from strategies s
        left join strategy_versions v on v.id = s.current_version_id where s.id = ?`,
    signal: `insert into signals (portfolio_id, strategy_id, strategy_version, asset_id, ts, price, action,
        confidence, aggregation_method, components, quantity, executed, test_mode, bot_version)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ${f}, ${f}, ?) returning id`,
    portfolio: `select * from portfolios where id = ?${forUpdate}`,
    asset: 'select symbol, venue from assets where id = ?',
    risk: 'select * from risk_configs where portfolio_id is null or portfolio_id = ?',
    open: `select count(*) as n from positions where portfolio_id = ? and status = 'open' and test_mode = ${f}`,
    idea: `insert into trade_ideas (portfolio_id, signal_id, strategy_id, asset_id, direction, entry_price,
        rationale, confidence, status, decided_by, decided_at, test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, 'ai', ?, ${f}, ?, ?) returning id`,
    decision: `insert into decision_history (occurred_at, portfolio_id, asset_id, action, actor, rationale,
        confidence, risk_check_result, strategy_id, trade_idea_id, human_override, test_mode)
        values (?, ?, ?, ?, 'ai', ?, ?, ?, ?, ?, ${f}, ${f}) returning id`,
    order: `insert into orders (portfolio_id, trade_idea_id, signal_id, asset_id, side, type, quantity, status,
        client_order_id, test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, ?, 'new', ?, ${f}, ?, ?) on conflict (client_order_id) do nothing returning id`,
    executed: `update signals set executed = ${t}, executed_at = ? where id = ? and executed = ${f}`,
    position: `select * from positions where portfolio_id = ? and asset_id = ? and test_mode = ${f} and status = 'open'${forUpdate}`,
    trade: `select * from trades where +portfolio_id = ? and +asset_id = ? and test_mode = ${f} and is_backtest = ${f}
        and outcome = 'open'`,
    fill: `insert into fills (order_id, venue, quantity, price, fee, ts, test_mode, created_at)
        values (?, ?, ?, ?, ?, ?, ${f}, ?) returning id`,
    openTrade: `insert into trades (portfolio_id, strategy_id, signal_id, trade_idea_id, asset_id, direction,
        quantity, entry_price, entry_time, fees, pnl, entry_value, exit_quantity, exit_value, outcome, is_backtest,
        test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'open', ${f}, ${f}, ?, ?) returning id`,
    closeTrade: `update trades set exit_price = ?, exit_time = ?, outcome = ?, pnl = ?, fees = ?,
        exit_quantity = ?, exit_value = ?, updated_at = ? where id = ?`,
    openPosition: `insert into positions (portfolio_id, asset_id, side, quantity, average_entry_price, cost_basis,
        realized_pnl, status, opened_at, test_mode, created_at, updated_at)
        values (?, ?, ?, ?, ?, ?, ?, 'open', ?, ${f}, ?, ?) returning id`,
    closePosition: `update positions set quantity = ?, cost_basis = ?, realized_pnl = ?, status = ?,
        closed_at = ?, updated_at = ? where id = ?`,
    cash: 'update portfolios set cash_balance = ?, updated_at = ? where id = ?',
    orderStatus: 'update orders set status = ?, updated_at = ? where id = ?',
    // The outbox (src/events/outbox.ts), flushed before COMMIT: on SQLite the counter and one
    // multi-row insert of the chain's events, on PostgreSQL one statement for all (and the NOTIFY)
    // sent with the COMMIT.
    counter: `insert into event_counter (id, seq) values (1, ?)
        on conflict (id) do update set seq = event_counter.seq + excluded.seq returning seq`,
    event: `insert into events (seq, occurred_at, topic, portfolio_id, payload) values ${Array.from(
      { length: 8 },
      () => '(?, ?, ?, ?, ?)',
    ).join(', ')}`,
    pgEvents: '', // built per chain: pgFlush, sent with the COMMIT
  };
}
type BareStatement = keyof ReturnType<typeof bareStatements>;

const RISK_JSON = JSON.stringify({
  verdict: 'auto_executed',
  rules: Array.from({ length: 7 }, (_, i) => ({
    rule: `rule_${i}`,
    passed: true,
    detail: 'within the limit',
  })),
});
const COMPONENTS = '{"trend":{"confidence":0.8},"momentum":{"confidence":0.7}}';

type Step = [BareStatement, unknown[]];
type Row1 = { id: number; seq?: number } | undefined;

/**
 * The chain's outbox events (topic, payload size in bytes as actOnSignal writes them): fixed JSON
 * payloads of the same sizes, written the way the outbox writes them.
 */
/**
 * `BENCH_OUTBOX=off`: the chain section without the outbox on both sides (ours through
 * `disableOutboxForBenchmark`, the bare chain without its event statements), to compare the
 * chain with commits from before the outbox.
 */
export const OUTBOX = process.env.BENCH_OUTBOX !== 'off';

const EVENTS = (
  [
    ['signal', 502],
    ['idea', 529],
    ['decision', 322],
    ['order', 550],
    ['fill', 308],
    ['trade', 624],
    ['position', 444],
    ['order', 552],
  ] as const
).map(([topic, size]) => {
  const head = '{"change":"recorded","pad":"';
  return { topic, payload: `${head}${'x'.repeat(size - head.length - 2)}"}` };
});

/**
 * One bare chain: the same statements in the same order on both databases, yielded one at a time
 * (statement, values) and given back the first row, so SQLite can run it synchronously and
 * PostgreSQL with a round trip per statement. `now` is the dialect's datetime value.
 */
function* bareChain(
  ids: { portfolioId: number; strategyId: number; assets: number[] },
  i: number,
  now: unknown,
  clientOrderId: string,
  pg = false,
  outbox = OUTBOX,
): Generator<Step, void, Row1> {
  const { portfolioId, strategyId, assets } = ids;
  const assetId = assets[i % assets.length]!;
  const buy = Math.floor(i / assets.length) % 2 === 0;
  const price = String(1000 + (i % 50));
  yield ['strategy', [strategyId]];
  const signal = (yield [
    'signal',
    [
      portfolioId,
      strategyId,
      'v',
      assetId,
      now,
      price,
      buy ? 'buy' : 'sell',
      0.8,
      'weighted',
      COMPONENTS,
      '0.5',
      'bench',
    ],
  ])!;
  yield ['portfolio', [portfolioId]];
  yield ['asset', [assetId]];
  yield ['risk', [portfolioId]];
  yield ['open', [portfolioId]];
  const idea = (yield [
    'idea',
    [
      portfolioId,
      signal.id,
      strategyId,
      assetId,
      buy ? 'long' : 'short',
      price,
      'bench',
      0.8,
      'auto_executed',
      now,
      now,
      now,
    ],
  ])!;
  yield [
    'decision',
    [now, portfolioId, assetId, 'ai_auto_executed', 'bench', 0.8, RISK_JSON, strategyId, idea.id],
  ];
  const order = (yield [
    'order',
    [
      portfolioId,
      idea.id,
      signal.id,
      assetId,
      buy ? 'buy' : 'sell',
      'market',
      '0.5',
      clientOrderId,
      now,
      now,
    ],
  ])!;
  yield ['executed', [now, signal.id]];
  const position = yield ['position', [portfolioId, assetId]];
  const trade = yield ['trade', [portfolioId, assetId]];
  yield ['fill', [order.id, 'bench', '0.5', price, '0.05', now, now]];
  if (trade) yield ['closeTrade', [price, now, 'win', '1', '0.1', '0.5', '501', now, trade.id]];
  else
    yield [
      'openTrade',
      [
        portfolioId,
        strategyId,
        signal.id,
        idea.id,
        assetId,
        'long',
        '0.5',
        price,
        now,
        '0.05',
        '-0.05',
        '500',
        '0',
        '0',
        now,
        now,
      ],
    ];
  if (position) yield ['closePosition', ['0', '0', '1', 'closed', now, now, position.id]];
  else yield ['openPosition', [portfolioId, assetId, 'long', '0.5', price, '500', '-0.05', now, now, now]];
  yield ['cash', ['1000000000', now, portfolioId]];
  yield ['orderStatus', ['filled', now, order.id]];
  if (!outbox) return;
  if (pg) {
    // Sent with the COMMIT in one round trip by barePgChains, as the outbox does.
    const occurredAt = now as Date;
    yield ['pgEvents', EVENTS.map((e) => ({ ...e, occurredAt, portfolioId }))];
    return;
  }
  const counter = (yield ['counter', [EVENTS.length]])!;
  let seq = counter.seq! - EVENTS.length;
  yield ['event', EVENTS.flatMap((e) => [++seq, now, e.topic, portfolioId, e.payload])];
}

/**
 * The same chain as bare SQL on SQLite: actOnSignal's statements (fixed values, no checks) as
 * node:sqlite prepared statements, each chain one BEGIN IMMEDIATE … COMMIT on the raw handle, run
 * synchronously (no promise per statement, as a bare program would).
 */
export async function bareSqliteChains(
  store: Store,
  options: { outbox?: boolean } = {},
): Promise<ChainRunner> {
  const outbox = options.outbox ?? OUTBOX;
  const { portfolioIds, assets, strategyId } = await setUpChains(store, 1);
  const ids = { portfolioId: portfolioIds[0]!, strategyId, assets };
  let i = 0;
  return (count) =>
    store.withSqlite((db) => {
      const sql = bareStatements('0', '1', '');
      const st = new Map<BareStatement, StatementSync>();
      for (const [k, text] of Object.entries(sql))
        if (k !== 'pgEvents') st.set(k as BareStatement, db.prepare(text));
      const latencies: number[] = [];
      for (const end = i + count; i < end; i++) {
        const t0 = performance.now();
        const now = Date.now();
        db.exec('begin immediate');
        const chain = bareChain(ids, i, now, `bare-${i}-${now}`, false, outbox);
        for (let step = chain.next(); !step.done;) {
          const [k, values] = step.value;
          step = chain.next(st.get(k)!.get(...(values as never[])) as Row1);
        }
        db.exec('commit');
        latencies.push(performance.now() - t0);
      }
      return latencies;
    });
}

/**
 * The same chain as bare SQL on PostgreSQL: actOnSignal's statements (fixed values, no checks, the
 * same row locks) as `pg` named prepared statements, each chain one BEGIN … COMMIT on a pooled
 * client; `concurrency` bots on as many portfolios, one client each.
 */
export async function barePgChains(
  store: Store,
  options: { concurrency?: number; outbox?: boolean } = {},
): Promise<ChainRunner> {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 1));
  const outbox = options.outbox ?? OUTBOX;
  const { portfolioIds, assets, strategyId } = await setUpChains(store, concurrency);
  const pool = await store.pgPool();
  const named = new Map<BareStatement, { name: string; text: string }>();
  for (const [k, text] of Object.entries(bareStatements('false', 'true', ' for update'))) {
    if (k === 'pgEvents') continue;
    let n = 0;
    named.set(k as BareStatement, pgStatement(text.replace(/\?/g, () => `$${++n}`)));
  }
  // Client order ids unique across runners on one database (the 1-bot and 8-bot runs share it).
  const runner = `${process.pid}-${Date.now()}`;
  let serial = 0;
  const steps = portfolioIds.map(() => 0);
  return async (count) => {
    const latencies: number[] = [];
    let next = 0;
    await Promise.all(
      portfolioIds.map(async (portfolioId, bot) => {
        const client = await pool.connect();
        try {
          while (next < count) {
            next += 1;
            const t0 = performance.now();
            await client.query('begin');
            const chain = bareChain(
              { portfolioId, strategyId, assets },
              steps[bot]!++,
              new Date(),
              `bare-${runner}-${serial++}`,
              true,
              outbox,
            );
            let committed = false;
            for (let step = chain.next(); !step.done;) {
              const [k, values] = step.value;
              if (k === 'pgEvents') {
                await client.query(`${pgFlush(values as PendingEvent[])};\ncommit`);
                committed = true;
                step = chain.next(undefined);
                continue;
              }
              step = chain.next((await client.query<{ id: number }>({ ...named.get(k)!, values })).rows[0]);
            }
            if (!committed) await client.query('commit');
            latencies.push(performance.now() - t0);
          }
        } finally {
          client.release();
        }
      }),
    );
    return latencies;
  };
}

/**
 * µs per chain spent inside SQLite (node:sqlite's statement calls and `exec`, binding included)
 * over `n` more chains of `run`: the part of a chain's time that is the engine's, as the chain runs
 * it, which can be more than its statements take back to back (the session-6 note measured one
 * counter upsert at 6.7 µs inside our chain and 2.7 µs inside the bare one). Wraps the engine's
 * methods for the measurement only (this process runs nothing else meanwhile) and puts them back.
 */
export async function engineTimePerChain(run: ChainRunner, n: number): Promise<number> {
  const statement = StatementSync.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const database = DatabaseSync.prototype as unknown as Record<string, (...args: unknown[]) => unknown>;
  const wrapped: Array<[Record<string, (...args: unknown[]) => unknown>, string]> = [
    [statement, 'run'],
    [statement, 'get'],
    [statement, 'all'],
    [database, 'exec'],
  ];
  const originals = wrapped.map(([on, name]) => on[name]!);
  let ns = 0n;
  wrapped.forEach(([on, name], i) => {
    const original = originals[i]!;
    on[name] = function (this: unknown, ...args: unknown[]) {
      const t0 = process.hrtime.bigint();
      try {
        return original.apply(this, args);
      } finally {
        ns += process.hrtime.bigint() - t0;
      }
    };
  });
  try {
    await run(n);
  } finally {
    wrapped.forEach(([on, name], i) => void (on[name] = originals[i]!));
  }
  return Number(ns) / 1000 / n;
}
