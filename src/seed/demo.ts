/**
 * `tradestore db seed --demo`: realistic, deterministic demo content for the dashboard, touching
 * every domain table except decision_history_archive (only `db prune` fills that one).
 *
 * Everything goes through the services bots use (signals → trade ideas through the risk gate →
 * approvals → orders → fills → positions, round trips and cash), so the demo data satisfies the
 * same accounting invariants as live data. The only rows written around the services are the ones
 * no service writes: the demo user, the indicator snapshots, the `waiting` trade idea (the
 * services create ideas straight at the gate's verdict; `waiting` exists only between insert and
 * gate) and the assets' tick/lot sizes. See README.md.
 *
 * Deterministic: one seeded PRNG, a fixed period (2024-01-01 to 2024-03-31 UTC). Only the columns
 * a service stamps with the wall clock (created_at/updated_at, decided_at, decision occurred_at)
 * and the demo user's password hash differ between two databases.
 *
 * Idempotent: the demo user and a `demo.seed` bot_status marker are created in one transaction,
 * after checking (in that transaction) that the marker is absent and the database is empty. The
 * marker says `complete` at the end; a later run finds it and changes nothing (`seeded: false`).
 * A run that died half-way leaves the marker `running`: the next run refuses with a clear error
 * rather than add a second, inconsistent half.
 */
import { randomBytes } from 'node:crypto';
import { UniqueConstraintViolationException } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/sql';
import { Decimal } from 'decimal.js';
import { recordBacktest } from '../backtests/runs.ts';
import type { Store } from '../db/store.ts';
import { booleanValue } from '../db/column-values.ts';
import { Asset, BotStatus, IndicatorSnapshot, User } from '../entities/all-tables.ts';
import { actOnSignal } from '../execution/chain.ts';
import { recordFill } from '../execution/fills.ts';
import { approveTradeIdea, expireTradeIdea, queueTradeIdea, rejectTradeIdea } from '../execution/ideas.ts';
import { acknowledgeOrder, cancelOrder, placeOrder, rejectOrder } from '../execution/orders.ts';
import { recordSignal } from '../execution/signals.ts';
import { ensureAsset } from '../marketdata/assets.ts';
import { type CandleRow, insertCandles } from '../marketdata/candles.ts';
import { type TickInsert, writeTickBatch } from '../marketdata/tick-writes.ts';
import { migrationState } from '../migrate/runner.ts';
import { recordCalendarEvent } from '../news/calendar.ts';
import { markNewsFeedPolled, registerNewsFeed } from '../news/feeds.ts';
import { recordNewsItem } from '../news/items.ts';
import { setBotStatus } from '../operations/bot-status.ts';
import { recordErrorLog } from '../operations/error-logs.ts';
import { domainTables, tableCounts } from '../operations/inspect.ts';
import { createPortfolio } from '../portfolios/portfolios.ts';
import { grantPortfolioAccess } from '../accounts/access.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { createUser } from '../accounts/users.ts';
import {
  haltAiTrading,
  resumeAiTrading,
  setGlobalRiskConfig,
  setPortfolioRiskConfig,
} from '../portfolios/risk-configs.ts';
import { recordAccountSnapshot, takePortfolioSnapshot } from '../portfolios/snapshots.ts';
import { upsertPredictionEvent } from '../predictions/events.ts';
import { recordMarketSnapshot, upsertPredictionMarket } from '../predictions/markets.ts';
import {
  completeIngestionTask,
  failIngestionTask,
  queueIngestionTask,
  startIngestionTask,
} from '../research/ingestion.ts';
import { recordLearningEntry, validateLearningEntry } from '../research/learning.ts';
import { recomputePerformance } from '../strategies/strategy-performance.ts';
import { type RegisterStrategyInput, registerStrategy } from '../strategies/strategies.ts';
import { Exact } from '../trading/exact.ts';

export const DEMO_USER_EMAIL = 'demo@example.com';
export const DEMO_VIEWER_EMAIL = 'analyst@example.com';
/** bot_status key of the seed's marker: `{ state: 'running' | 'complete', … }`. */
export const DEMO_MARKER_KEY = 'demo.seed';
export const DEMO_BOT_VERSION = 'demo-bot 1.4.2';

export interface DemoSeedResult {
  /** false when the demo data was already there: nothing was written. */
  seeded: boolean;
  /** Rows per domain table after the run. */
  counts: Record<string, number>;
}

/** The database cannot take the demo data (not migrated, not empty, an earlier seed died). */
export class DemoSeedError extends Error {
  override name = 'DemoSeedError';
}

// ---- time and randomness -----------------------------------------------------------------------

const HOUR = 3_600_000;
const MINUTE = 60_000;
const DAY = 86_400_000;
/** 2024-01-01T00:00Z, a Monday. */
const BASE = Date.UTC(2024, 0, 1);
const DAYS = 90;
const HOURS = DAYS * 24;
/** 2024-03-31T00:00Z: the end of the demo period. */
const END = BASE + DAYS * DAY;
const SEED = 20_240_101;

const iso = (ms: number) => new Date(ms).toISOString();

/** mulberry32: small, fast, and the same sequence on every machine. */
class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.next() * (hi - lo + 1));
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
}

const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
const round2 = (x: number) => round(x, 2);
/** A price as the exact decimal string the services take. */
const px = (x: number) => x.toFixed(2);
/** A quantity truncated (never rounded up) to `places`. */
const qty = (x: number, places: number) => (Math.floor(x * 10 ** places) / 10 ** places).toFixed(places);
/** Taker fee of `rate` on quantity × price, exact, to 8 places. */
const percentFee = (quantity: string, price: string, rate = '0.001') =>
  new Exact(quantity).times(price).times(rate).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed();

// ---- market data -------------------------------------------------------------------------------

interface WalkOptions {
  start: number;
  times: number[];
  sigma: number;
  drift: number;
  volume: number;
  /** Another series' shocks and the correlation with them (ETH follows BTC). */
  follow?: { shocks: number[]; correlation: number };
}

/** Geometric random walk: OHLCV bars on a cent grid, and the shocks that drove them. */
function randomWalk(rng: Rng, o: WalkOptions): { bars: CandleRow[]; shocks: number[] } {
  const bars: CandleRow[] = [];
  const shocks: number[] = [];
  let previous = o.start;
  o.times.forEach((ts, i) => {
    const own = rng.normal();
    const z = o.follow
      ? o.follow.correlation * (o.follow.shocks[i] ?? 0) + Math.sqrt(1 - o.follow.correlation ** 2) * own
      : own;
    shocks.push(z);
    const open = round2(previous);
    const close = round2(open * Math.exp(o.drift + o.sigma * z));
    const high = round2(Math.max(open, close) * (1 + Math.abs(rng.normal()) * o.sigma * 0.6));
    const low = round2(Math.min(open, close) * (1 - Math.abs(rng.normal()) * o.sigma * 0.6));
    const volume = round(o.volume * (0.6 + 0.8 * rng.next()) * (1 + Math.abs(z)), 3);
    bars.push({ ts, open, high, low, close, volume });
    previous = close;
  });
  return { bars, shocks };
}

interface Indicators {
  sma50: Array<number | null>;
  sma200: Array<number | null>;
  rsi14: Array<number | null>;
  ema12: number[];
  ema26: number[];
  macd: number[];
  macdSignal: number[];
  atr14: Array<number | null>;
}

function sma(values: number[], n: number): Array<number | null> {
  let sum = 0;
  return values.map((v, i) => {
    sum += v;
    if (i >= n) sum -= values[i - n]!;
    return i >= n - 1 ? sum / n : null;
  });
}

function ema(values: number[], n: number): number[] {
  const k = 2 / (n + 1);
  const out: number[] = [];
  values.forEach((v, i) => {
    out.push(i === 0 ? v : v * k + out[i - 1]! * (1 - k));
  });
  return out;
}

/** Wilder's smoothing of a series from its n-th element on. */
function wilder(values: number[], n: number): Array<number | null> {
  const out: Array<number | null> = [];
  let avg = 0;
  values.forEach((v, i) => {
    if (i < n - 1) {
      avg += v;
      out.push(null);
    } else if (i === n - 1) {
      avg = (avg + v) / n;
      out.push(avg);
    } else {
      avg = (avg * (n - 1) + v) / n;
      out.push(avg);
    }
  });
  return out;
}

function indicators(bars: CandleRow[]): Indicators {
  const closes = bars.map((b) => b.close);
  const changes = closes.map((c, i) => (i === 0 ? 0 : c - closes[i - 1]!));
  const gains = wilder(
    changes.map((c) => Math.max(c, 0)),
    15,
  );
  const losses = wilder(
    changes.map((c) => Math.max(-c, 0)),
    15,
  );
  const rsi14 = gains.map((g, i) => {
    const l = losses[i];
    if (g === null || l === null || l === undefined) return null;
    return l === 0 ? 100 : 100 - 100 / (1 + g / l);
  });
  const trueRanges = bars.map((b, i) =>
    i === 0
      ? b.high - b.low
      : Math.max(b.high - b.low, Math.abs(b.high - closes[i - 1]!), Math.abs(b.low - closes[i - 1]!)),
  );
  const ema12 = ema(closes, 12);
  const ema26 = ema(closes, 26);
  const macd = ema12.map((v, i) => v - ema26[i]!);
  return {
    sma50: sma(closes, 50),
    sma200: sma(closes, 200),
    rsi14,
    ema12,
    ema26,
    macd,
    macdSignal: ema(macd, 9),
    atr14: wilder(trueRanges, 14),
  };
}

const r4 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 4));

// ---- the plan --------------------------------------------------------------------------------

type Direction = 'long' | 'short';
type FillMode = 'market' | 'limit' | 'partial_then_cancel' | 'partial_open';

interface Trip {
  entry: number;
  direction: Direction;
  quantity: string;
  confidence: number;
  stop: string;
  target: string;
  mode: FillMode;
  /** Bar index and price of the exit; null: still open at the end of the period. */
  exit: { index: number; price: string; at: number; reason: 'stop' | 'target' | 'time' } | null;
  /** Filled at entry (the order's fills), set when the entry runs. */
  filled?: string;
}

interface TripRules {
  notional: number;
  places: number;
  maxQuantity: number;
  stopPct: number;
  targetPct: number;
  maxHold: number;
  /** Bar length in ms: exits inside a bar happen at its middle, time exits at its close. */
  barMs: number;
  direction: (i: number) => Direction;
}

function tripAt(
  rng: Rng,
  bars: CandleRow[],
  entry: number,
  rules: TripRules,
  mode: FillMode,
  open: boolean,
): Trip {
  const bar = bars[entry]!;
  const direction = rules.direction(entry);
  const long = direction === 'long';
  const stop = round2(bar.close * (long ? 1 - rules.stopPct : 1 + rules.stopPct));
  const target = round2(bar.close * (long ? 1 + rules.targetPct : 1 - rules.targetPct));
  let exit: Trip['exit'] = null;
  if (!open) {
    const last = Math.min(entry + rules.maxHold, bars.length - 1);
    for (let k = entry + 1; k <= last && exit === null; k++) {
      const b = bars[k]!;
      const stopped = long ? b.low <= stop : b.high >= stop;
      const reached = long ? b.high >= target : b.low <= target;
      if (stopped) exit = { index: k, price: px(stop), at: b.ts + rules.barMs / 2, reason: 'stop' };
      else if (reached) exit = { index: k, price: px(target), at: b.ts + rules.barMs / 2, reason: 'target' };
    }
    if (exit === null) {
      const b = bars[last]!;
      exit = { index: last, price: px(b.close), at: b.ts + rules.barMs, reason: 'time' };
    }
  }
  return {
    entry,
    direction,
    quantity: qty(Math.min(rules.notional / bar.close, rules.maxQuantity), rules.places),
    confidence: round(rng.between(0.66, 0.92), 2),
    stop: px(stop),
    target: px(target),
    mode,
    exit,
  };
}

/** Round trips one after the other from `from` until `to`, then one left open at `openAt`. */
function planTrips(
  rng: Rng,
  bars: CandleRow[],
  rules: TripRules,
  window: { from: number; to: number; openAt: number; gap: [number, number] },
  modeOf: (n: number) => FillMode,
  lastMode: FillMode,
): Trip[] {
  const trips: Trip[] = [];
  let i = window.from;
  while (i < window.to) {
    const trip = tripAt(rng, bars, i, rules, modeOf(trips.length), false);
    trips.push(trip);
    i = trip.exit!.index + rng.int(window.gap[0], window.gap[1]);
  }
  trips.push(tripAt(rng, bars, Math.max(i, window.openAt), rules, lastMode, true));
  return trips;
}

// ---- the seed ----------------------------------------------------------------------------------

function markerState(value: unknown): string | null {
  return value && typeof value === 'object' && 'state' in value ? String(value.state) : null;
}

/** Creates the demo user and the `running` marker, or says the demo data is already there. */
async function claim(store: Store): Promise<'claimed' | 'done'> {
  // A random password nobody knows, hashed like every login's: the demo user cannot log in
  // until an admin resets it (`tradestore users create` makes real logins).
  const demoPasswordHash = await hashPassword(randomBytes(32).toString('hex'));
  try {
    return await store.em().transactional(async (em) => {
      const marker = await em.findOne(BotStatus, { key: DEMO_MARKER_KEY });
      if (marker) {
        if (markerState(marker.value) === 'complete') return 'done';
        throw new DemoSeedError(
          `an earlier demo seed did not finish (bot_status '${DEMO_MARKER_KEY}' is ${JSON.stringify(marker.value)}): ` +
            'the database holds part of the demo data; run `tradestore db reset --yes` and seed again',
        );
      }
      for (const { table } of domainTables(store)) {
        const rows = await (em as EntityManager).execute(`select 1 as present from ${table} limit 1`);
        if (rows.length > 0) {
          throw new DemoSeedError(
            `demo data goes into an empty database, and ${table} already has rows: the demo sets the global ` +
              'risk config and writes production (test_mode false) rows; use a new database or `tradestore db reset --yes`',
          );
        }
      }
      em.create(User, {
        email: DEMO_USER_EMAIL,
        passwordHash: demoPasswordHash,
        role: 'trader',
        isActive: true,
      });
      em.create(BotStatus, {
        key: DEMO_MARKER_KEY,
        value: { state: 'running' },
        botVersion: DEMO_BOT_VERSION,
        updatedAt: new Date(),
      });
      await em.flush();
      return 'claimed' as const;
    });
  } catch (error) {
    // A concurrent seed created the user first: it is seeding, this run has nothing to do.
    if (error instanceof UniqueConstraintViolationException) return 'done';
    throw error;
  }
}

async function counts(store: Store): Promise<Record<string, number>> {
  return Object.fromEntries((await tableCounts(store)).map((c) => [c.table, c.rows]));
}

/**
 * Seeds the demo data into an empty, migrated database; a second run changes nothing and reports
 * `seeded: false`.
 */
export async function seedDemo(store: Store): Promise<DemoSeedResult> {
  const state = await migrationState(store);
  if (state.pending.length > 0) {
    throw new DemoSeedError(
      `the database has ${state.pending.length} pending migration(s): run \`tradestore migrate up\` first`,
    );
  }
  if ((await claim(store)) === 'done') return { seeded: false, counts: await counts(store) };
  await new DemoSeeder(store).run();
  return { seeded: true, counts: await counts(store) };
}

interface Step {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

class DemoSeeder {
  private readonly rng = new Rng(SEED);
  private readonly steps: Step[] = [];
  private seq = 0;
  private orders = 0;
  private executions = 0;
  private readonly botVersion = DEMO_BOT_VERSION;

  // Filled in by run().
  private crypto = 0;
  private equities = 0;
  private readonly asset: Record<string, number> = {};
  private readonly strategy: Record<string, number> = {};
  private momentumV1 = 0;

  private readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  private at(at: number, run: () => Promise<void>): void {
    this.steps.push({ at, seq: this.seq++, run });
  }

  private clientOrderId(): string {
    this.orders += 1;
    return `demo-${String(this.orders).padStart(5, '0')}`;
  }

  private exchangeTradeId(): string {
    this.executions += 1;
    return `demo-x-${String(this.executions).padStart(6, '0')}`;
  }

  async run(): Promise<void> {
    const store = this.store;
    const rng = this.rng;

    // Portfolios and the risk control panel: a global row and an override for equities.
    this.crypto = (
      await createPortfolio(store, {
        owner: DEMO_USER_EMAIL,
        name: 'Crypto Paper',
        description: 'Paper-trading book for the crypto bots on Binance spot (demo data)',
        baseCurrency: 'USDT',
        mode: 'paper',
        initialBalance: '100000',
        strategyType: 'momentum + mean reversion',
        maxPositionSize: '40000',
        maxTotalExposure: '80000',
        maxPositions: 4,
        strategyConfig: { venue: 'binance', strategies: ['Crypto Momentum', 'ETH Mean Reversion'] },
      })
    ).id;
    this.equities = (
      await createPortfolio(store, {
        owner: DEMO_USER_EMAIL,
        name: 'Equities Paper',
        description: 'US equities, every trade approved by a human (demo data)',
        baseCurrency: 'USD',
        mode: 'paper',
        initialBalance: '50000',
        strategyType: 'post-earnings drift',
        maxPositionSize: '15000',
        maxTotalExposure: '40000',
        maxPositions: 3,
        strategyConfig: { venue: 'nasdaq', strategies: ['Post-Earnings Drift'] },
      })
    ).id;
    // An analyst the equities book is shared with read-only (portfolio_access).
    await createUser(store, {
      email: DEMO_VIEWER_EMAIL,
      password: randomBytes(24).toString('hex'),
      role: 'viewer',
    });
    await grantPortfolioAccess(store, {
      portfolioId: this.equities,
      email: DEMO_VIEWER_EMAIL,
      role: 'viewer',
      grantedBy: DEMO_USER_EMAIL,
    });
    await setGlobalRiskConfig(store, {
      aiTradingEnabled: true,
      minConfidenceThreshold: 0.65,
      maxLotSize: '10',
      maxConcurrentTrades: 4,
      dailyProfitTarget: '2500',
      stopAfterTarget: false,
      maxDrawdownAmount: '20000',
      haltOnDrawdown: true,
      allowOffWatchlistAutotrade: false,
    });
    await setPortfolioRiskConfig(store, {
      portfolioId: this.equities,
      aiTradingEnabled: false,
      minConfidenceThreshold: 0.7,
      maxLotSize: '500',
    });

    // Strategies (Crypto Momentum gets a second version mid-period), and the ingested one.
    const momentum: RegisterStrategyInput = {
      name: 'Crypto Momentum',
      description: 'Trend following on BTC: trade in the direction of the 50h SMA, fixed stop and target',
      sourceType: 'code',
      sourceRef: 'git:bots/momentum.py',
      confidence: 0.7,
      entryType: 'market',
      allowedSymbols: ['BTC/USDT', 'ETH/USDT'],
      sessionWindows: { utc: ['00:00-24:00'] },
      entryConditions: { trend: 'close vs sma_50', macd: 'same sign as trend' },
      exitRules: { stopLossPct: 2.5, takeProfitPct: 5, maxHoldHours: 72 },
      forbiddenConditions: { highImpactNewsWithinMinutes: 30 },
      riskCaps: { maxRiskPerTradePct: 0.5, maxNotional: 20000 },
      confluenceRequired: { min: 2, of: ['trend', 'macd', 'volume'] },
      rrExpectation: 2,
      parameters: { fastEma: 12, slowEma: 48 },
    };
    const v1 = await registerStrategy(store, momentum);
    this.strategy.momentum = v1.strategy.id;
    this.momentumV1 = v1.strategy.currentVersionId!;
    this.strategy.meanReversion = (
      await registerStrategy(store, {
        name: 'ETH Mean Reversion',
        description: 'Fades stretched RSI on ETH/USDT back toward the mean',
        sourceType: 'manual',
        sourceRef: 'notes/eth-mean-reversion.md',
        confidence: 0.6,
        entryType: 'market',
        allowedSymbols: ['ETH/USDT'],
        entryConditions: { rsi14: '< 50 long, >= 50 short' },
        exitRules: { stopLossPct: 3, takeProfitPct: 4.5, maxHoldHours: 60 },
        riskCaps: { maxNotional: 12000 },
        rrExpectation: 1.5,
        parameters: { rsiPeriod: 14 },
      })
    ).strategy.id;
    this.strategy.drift = (
      await registerStrategy(store, {
        name: 'Post-Earnings Drift',
        description: 'Buys quality large caps after a confirmed breakout, holds about two weeks',
        sourceType: 'pdf',
        sourceRef: 'research/post-earnings-drift-2023.pdf',
        confidence: 0.65,
        entryType: 'market_on_close',
        allowedSymbols: ['AAPL', 'MSFT'],
        sessionWindows: { exchange: 'NASDAQ', hours: '14:30-21:00 UTC' },
        exitRules: { stopLossPct: 4, takeProfitPct: 8, maxHoldDays: 12 },
        riskCaps: { maxNotional: 10000 },
        rrExpectation: 2,
      })
    ).strategy.id;
    this.strategy.openingRange = (
      await registerStrategy(store, {
        name: 'Opening Range Breakout',
        description: 'Extracted from a PDF by the ingestion pipeline; inactive until reviewed',
        sourceType: 'pdf',
        sourceRef: 'uploads/opening-range-breakout.pdf',
        isActive: false,
        confidence: 0.4,
        entryConditions: { breakout: 'first 30 minutes range' },
        exitRules: { stop: 'range midpoint', target: '2R' },
      })
    ).strategy.id;

    // Assets and market data: 1h candles for BTC and ETH, 1d candles for AAPL and MSFT.
    const venueOf: Record<string, { venue: string; kind: 'crypto' | 'equity'; tick: string; lot: string }> = {
      'BTC/USDT': { venue: 'binance', kind: 'crypto', tick: '0.01', lot: '0.00001' },
      'ETH/USDT': { venue: 'binance', kind: 'crypto', tick: '0.01', lot: '0.0001' },
      AAPL: { venue: 'nasdaq', kind: 'equity', tick: '0.01', lot: '1' },
      MSFT: { venue: 'nasdaq', kind: 'equity', tick: '0.01', lot: '1' },
    };
    for (const [symbol, v] of Object.entries(venueOf)) {
      this.asset[symbol] = await ensureAsset(store, { symbol, venue: v.venue, kind: v.kind });
    }
    await store.em().transactional(async (em) => {
      for (const [symbol, v] of Object.entries(venueOf)) {
        const asset = await em.findOneOrFail(Asset, { id: this.asset[symbol]! });
        asset.tickSize = new Decimal(v.tick);
        asset.lotSize = new Decimal(v.lot);
      }
    });

    const hours = Array.from({ length: HOURS }, (_, i) => BASE + i * HOUR);
    const btc = randomWalk(rng, { start: 42_300, times: hours, sigma: 0.005, drift: 0.00004, volume: 420 });
    const eth = randomWalk(rng, {
      start: 2_280,
      times: hours,
      sigma: 0.0062,
      drift: 0.00003,
      volume: 5_200,
      follow: { shocks: btc.shocks, correlation: 0.75 },
    });
    const weekdays = Array.from({ length: DAYS }, (_, d) => BASE + d * DAY).filter((ts) => {
      const day = new Date(ts).getUTCDay();
      return day !== 0 && day !== 6;
    });
    const aapl = randomWalk(rng, {
      start: 185.2,
      times: weekdays,
      sigma: 0.013,
      drift: 0.0003,
      volume: 5.4e7,
    });
    const msft = randomWalk(rng, {
      start: 374.6,
      times: weekdays,
      sigma: 0.012,
      drift: 0.0006,
      volume: 2.2e7,
    });
    await insertCandles(store, this.asset['BTC/USDT']!, '1h', btc.bars);
    await insertCandles(store, this.asset['ETH/USDT']!, '1h', eth.bars);
    await insertCandles(store, this.asset.AAPL!, '1d', aapl.bars);
    await insertCandles(store, this.asset.MSFT!, '1d', msft.bars);
    const btcInd = indicators(btc.bars);
    const ethInd = indicators(eth.bars);
    await this.indicatorSnapshots(this.asset['BTC/USDT']!, btc.bars, btcInd);
    await this.indicatorSnapshots(this.asset['ETH/USDT']!, eth.bars, ethInd);
    await this.ticks(this.asset['BTC/USDT']!, btc.bars.slice(-3), 0.02, 3_412_000_000);
    await this.ticks(this.asset['ETH/USDT']!, eth.bars.slice(-3), 0.3, 1_288_000_000);

    await this.news();
    await this.calendar();
    await this.prediction(btc.bars);

    // The trading story, in time order.
    this.planCrypto(btc.bars, btcInd, eth.bars, ethInd, {
      ...momentum,
      parameters: { fastEma: 21, slowEma: 55 },
    });
    this.planEquities(aapl.bars, msft.bars);
    this.planSnapshots();
    this.planOperations(btc.bars, eth.bars);
    // In time order; a step may schedule later ones (a cancel, an expiry).
    while (this.steps.length > 0) {
      this.steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
      await this.steps.shift()!.run();
    }

    await this.backtest(btc.bars);
    await this.performance();
    await this.research();
    await this.botStatus(btc.bars, eth.bars);
  }

  private async indicatorSnapshots(assetId: number, bars: CandleRow[], ind: Indicators): Promise<void> {
    const rows: Array<Omit<IndicatorSnapshot, 'id' | 'asset'> & { asset: number }> = [];
    for (let i = 199; i < bars.length; i++) {
      rows.push({
        asset: assetId,
        timeframe: '1h' as const,
        ts: bars[i]!.ts,
        rsi14: r4(ind.rsi14[i]),
        sma50: r4(ind.sma50[i]),
        sma200: r4(ind.sma200[i]),
        macd: r4(ind.macd[i]),
        atr: r4(ind.atr14[i]),
        others: {
          ema_12: r4(ind.ema12[i]),
          ema_26: r4(ind.ema26[i]),
          macd_signal: r4(ind.macdSignal[i]),
          macd_hist: r4(ind.macd[i]! - ind.macdSignal[i]!),
        },
      });
    }
    await this.store.em().transactional(async (em) => {
      for (let i = 0; i < rows.length; i += 500)
        await em.insertMany(IndicatorSnapshot, rows.slice(i, i + 500));
    });
  }

  /** Public trades inside the last bars: prices between each bar's low and high. */
  private async ticks(assetId: number, bars: CandleRow[], size: number, firstId: number): Promise<void> {
    const rng = this.rng;
    const ticks: TickInsert[] = [];
    for (const bar of bars) {
      const offsets = Array.from({ length: 400 }, () => Math.floor(rng.next() * HOUR)).sort((a, b) => a - b);
      for (const offset of offsets) {
        const path = bar.open + ((bar.close - bar.open) * offset) / HOUR;
        const price = round2(Math.min(bar.high, Math.max(bar.low, path * (1 + rng.normal() * 0.0008))));
        ticks.push({
          ts: bar.ts + offset,
          tradeId: String(firstId + ticks.length),
          side: rng.next() < 0.5 ? 'buy' : 'sell',
          price,
          amount: round(size * Math.exp(rng.normal()), 5) || 0.00001,
        });
      }
    }
    await writeTickBatch(this.store, assetId, ticks);
  }

  private async news(): Promise<void> {
    const store = this.store;
    const crypto = (
      await registerNewsFeed(store, {
        url: 'https://news.example.com/crypto/rss.xml',
        name: 'Demo Crypto Wire',
      })
    ).feed.id;
    const markets = (
      await registerNewsFeed(store, {
        url: 'https://news.example.com/markets/rss.xml',
        name: 'Demo Markets Desk',
      })
    ).feed.id;
    const items: Array<[number, number, string, string[]]> = [
      [crypto, 3, 'Spot bitcoin ETF decision expected within days, analysts say', ['BTC']],
      [crypto, 10, 'Bitcoin ETFs begin trading; first-day volume tops expectations', ['BTC']],
      [crypto, 16, 'Bitcoin slips as early ETF inflows are offset by outflows from older trusts', ['BTC']],
      [crypto, 33, 'Ether gains on upgrade timeline for the Dencun hard fork', ['ETH']],
      [crypto, 47, 'Crypto funding rates turn positive as open interest climbs', ['BTC', 'ETH']],
      [crypto, 66, 'Dencun upgrade goes live on Ethereum mainnet, cutting rollup fees', ['ETH']],
      [crypto, 74, 'Bitcoin volatility rises ahead of the halving', ['BTC']],
      [markets, 11, 'US consumer prices rise more than forecast in December', []],
      [markets, 30, 'Fed holds rates steady, signals no cut in March', []],
      [markets, 32, 'Technology shares lead gains after strong quarterly results', ['AAPL', 'MSFT']],
      [markets, 52, 'Apple shares slide on reports of weaker demand in China', ['AAPL']],
      [markets, 79, 'Fed keeps three rate cuts in its 2024 projections', []],
    ];
    let n = 0;
    for (const [feedId, day, headline, symbols] of items) {
      n += 1;
      const published = BASE + day * DAY + (13 + (n % 7)) * HOUR + n * 7 * MINUTE;
      await recordNewsItem(store, {
        feedId,
        guid: `demo-news-${String(n).padStart(3, '0')}`,
        headline,
        summary: `${headline}. (Demo item: generated text, not a real article.)`,
        url: `https://news.example.com/articles/demo-${n}`,
        source: feedId === crypto ? 'Demo Crypto Wire' : 'Demo Markets Desk',
        symbols,
        publishedAt: new Date(published),
        capturedAt: new Date(published + 2 * MINUTE),
      });
    }
    await markNewsFeedPolled(store, crypto, new Date(END - 5 * MINUTE));
    await markNewsFeedPolled(store, markets, new Date(END - 5 * MINUTE));
  }

  private async calendar(): Promise<void> {
    const events: Array<[string, string, string, 'high' | 'medium', string, string, string]> = [
      ['2024-01-05T13:30:00Z', 'USD', 'Non-Farm Employment Change', 'high', '199K', '170K', '216K'],
      ['2024-01-11T13:30:00Z', 'USD', 'CPI y/y', 'high', '3.1%', '3.2%', '3.4%'],
      ['2024-01-25T13:15:00Z', 'EUR', 'Main Refinancing Rate', 'high', '4.50%', '4.50%', '4.50%'],
      ['2024-01-31T19:00:00Z', 'USD', 'Federal Funds Rate', 'high', '5.50%', '5.50%', '5.50%'],
      ['2024-02-02T13:30:00Z', 'USD', 'Non-Farm Employment Change', 'high', '333K', '180K', '353K'],
      ['2024-02-13T13:30:00Z', 'USD', 'CPI y/y', 'high', '3.4%', '2.9%', '3.1%'],
      ['2024-03-07T13:15:00Z', 'EUR', 'Main Refinancing Rate', 'high', '4.50%', '4.50%', '4.50%'],
      ['2024-03-08T13:30:00Z', 'USD', 'Non-Farm Employment Change', 'high', '229K', '200K', '275K'],
      ['2024-03-12T13:30:00Z', 'USD', 'CPI y/y', 'high', '3.1%', '3.1%', '3.2%'],
      ['2024-03-20T19:00:00Z', 'USD', 'Federal Funds Rate', 'high', '5.50%', '5.50%', '5.50%'],
      ['2024-03-28T12:30:00Z', 'USD', 'Final GDP q/q', 'medium', '4.9%', '3.2%', '3.4%'],
    ];
    for (const [time, currency, title, impactLevel, previous, forecast, actual] of events) {
      const eventTime = Date.parse(time);
      // The week ahead: known forecast, no actual yet; then the release.
      await recordCalendarEvent(this.store, {
        eventTime: new Date(eventTime),
        currency,
        title,
        impactLevel,
        previous,
        forecast,
        capturedAt: new Date(eventTime - 3 * DAY),
      });
      await recordCalendarEvent(this.store, {
        eventTime: new Date(eventTime),
        currency,
        title,
        impactLevel,
        previous,
        forecast,
        actual,
        capturedAt: new Date(eventTime + MINUTE),
      });
    }
  }

  private async prediction(btc: CandleRow[]): Promise<void> {
    const store = this.store;
    await upsertPredictionEvent(store, {
      venue: 'polymarket',
      externalId: 'demo-btc-price-march-2024',
      title: 'Bitcoin price at the end of March 2024 (demo)',
      slug: 'demo-bitcoin-price-march-2024',
      description: 'Demo event: where will BTC/USDT close on 2024-03-31?',
      startDate: new Date(BASE),
      endDate: new Date(END + DAY - 1000),
      active: true,
      liquidity: '184250.50',
      volume: '2315870.25',
      tags: ['crypto', 'bitcoin', 'demo'],
    });
    const { market } = await upsertPredictionMarket(store, {
      venue: 'polymarket',
      externalId: 'demo-btc-above-50k-march-2024',
      eventExternalId: 'demo-btc-price-march-2024',
      question: 'Will BTC/USDT close above $50,000 on March 31, 2024?',
      description: 'Resolves Yes if the Binance BTC/USDT daily close on 2024-03-31 is above 50,000.',
      outcomes: ['Yes', 'No'],
      endDate: new Date(END + DAY - 1000),
      active: true,
    });
    const rng = this.rng;
    let volume = 250_000;
    // Every other day: the market's price history.
    for (let d = 1; d < DAYS; d += 2) {
      const close = btc[d * 24 + 23]!.close;
      const daysLeft = DAYS - d;
      const score = (close - 50_000) / (1_500 + 260 * daysLeft);
      const yes = Math.min(0.99, Math.max(0.01, round(1 / (1 + Math.exp(-score)), 3)));
      volume += 16_000 + rng.next() * 60_000;
      await recordMarketSnapshot(store, {
        market: market.id,
        capturedAt: new Date(BASE + (d + 1) * DAY),
        yesPrice: yes.toFixed(3),
        noPrice: round(1 - yes, 3).toFixed(3),
        liquidity: (120_000 + rng.next() * 90_000).toFixed(2),
        volume: volume.toFixed(2),
        volume24hr: (8_000 + rng.next() * 30_000).toFixed(2),
        marketConviction: round(Math.abs(yes - 0.5) * 2, 3),
      });
    }
  }

  // ---- crypto ----------------------------------------------------------------------------------

  private planCrypto(
    btc: CandleRow[],
    btcInd: Indicators,
    eth: CandleRow[],
    ethInd: Indicators,
    momentumV2: RegisterStrategyInput,
  ): void {
    const rng = this.rng;
    const btcId = this.asset['BTC/USDT']!;
    const ethId = this.asset['ETH/USDT']!;
    const btcTrips = planTrips(
      rng,
      btc,
      {
        notional: 20_000,
        places: 4,
        maxQuantity: 9.5,
        stopPct: 0.025,
        targetPct: 0.05,
        maxHold: 72,
        barMs: HOUR,
        direction: (i) => (btc[i]!.close >= (btcInd.sma50[i] ?? 0) ? 'long' : 'short'),
      },
      { from: 230, to: HOURS - 110, openAt: HOURS - 20, gap: [18, 90] },
      (n) => (n === 4 ? 'limit' : 'market'),
      'market',
    );
    const ethTrips = planTrips(
      rng,
      eth,
      {
        notional: 12_000,
        places: 3,
        maxQuantity: 9.5,
        stopPct: 0.03,
        targetPct: 0.045,
        maxHold: 60,
        barMs: HOUR,
        direction: (i) => ((ethInd.rsi14[i] ?? 50) < 50 ? 'long' : 'short'),
      },
      { from: 260, to: HOURS - 110, openAt: HOURS - 10, gap: [18, 90] },
      (n) => (n === 2 ? 'partial_then_cancel' : n === 6 ? 'limit' : 'market'),
      'partial_open',
    );
    const context = (ind: Indicators, bars: CandleRow[], i: number, direction: Direction) => {
      const action = direction === 'long' ? 'buy' : 'sell';
      return {
        trend: { action, close: bars[i]!.close, sma_50: r4(ind.sma50[i]), sma_200: r4(ind.sma200[i]) },
        rsi: { value: r4(ind.rsi14[i]), action: (ind.rsi14[i] ?? 50) < 50 ? 'buy' : 'sell' },
        macd: { value: r4(ind.macd[i]), signal: r4(ind.macdSignal[i]) },
        volatility: { atr_14: r4(ind.atr14[i]) },
      };
    };
    for (const trip of btcTrips) {
      this.cryptoTrip(trip, btcId, 'BTC/USDT', this.strategy.momentum!, btc, (i, d) =>
        context(btcInd, btc, i, d),
      );
    }
    for (const trip of ethTrips) {
      this.cryptoTrip(trip, ethId, 'ETH/USDT', this.strategy.meanReversion!, eth, (i, d) =>
        context(ethInd, eth, i, d),
      );
    }

    // Crypto Momentum's config changes half-way: a second strategy_versions row; later signals carry it.
    this.at(BASE + (HOURS / 2) * HOUR, async () => {
      const change = await registerStrategy(this.store, momentumV2);
      if (!change.versionCreated)
        throw new DemoSeedError('demo script: Crypto Momentum v2 made no new version');
    });

    // An auto-executed limit order that never fills: acknowledged by the venue, canceled 3 h later.
    const hc = 410;
    this.at(btc[hc]!.ts + HOUR, async () => {
      const price = btc[hc]!.close;
      const direction: Direction = 'long';
      const r = await actOnSignal(this.store, {
        signal: this.signalInput({
          portfolioId: this.crypto,
          strategyId: this.strategy.momentum!,
          assetId: btcId,
          ts: btc[hc]!.ts + HOUR,
          price,
          action: 'buy',
          confidence: 0.72,
          components: context(btcInd, btc, hc, direction),
          reason: 'Pullback to the 50h SMA in an uptrend: bid below the market',
          quantity: '0.25',
        }),
        idea: {
          stopLoss: px(round2(price * 0.97)),
          takeProfit: px(round2(price * 1.05)),
          expectedHold: '2d',
          rationale: 'Buy the dip with a resting limit 1.5% below the last close',
        },
        order: {
          type: 'limit',
          limitPrice: px(round2(price * 0.985)),
          timeInForce: 'gtc',
          clientOrderId: this.clientOrderId(),
        },
      });
      expectStatus(r.proposal?.idea.status, 'auto_executed', 'the resting BTC limit idea');
      const orderId = r.order!.id;
      await acknowledgeOrder(this.store, { orderId, exchangeOrderId: `demo-ex-${orderId}` });
      this.at(btc[hc]!.ts + 4 * HOUR, async () => {
        await cancelOrder(this.store, { orderId, reason: 'limit not reached within 3 hours' });
      });
    });

    // Low confidence: needs approval; nobody decides within 4 hours and it expires.
    const he = 700;
    this.at(eth[he]!.ts + HOUR, async () => {
      const price = eth[he]!.close;
      const r = await actOnSignal(this.store, {
        signal: this.signalInput({
          portfolioId: this.crypto,
          strategyId: this.strategy.momentum!,
          assetId: ethId,
          ts: eth[he]!.ts + HOUR,
          price,
          action: 'buy',
          confidence: 0.58,
          components: context(ethInd, eth, he, 'long'),
          reason: 'Weak breakout above the range high on thin volume',
          quantity: '4',
        }),
        idea: {
          stopLoss: px(round2(price * 0.97)),
          takeProfit: px(round2(price * 1.045)),
          expectedHold: '1d',
          expiresAt: new Date(eth[he]!.ts + 5 * HOUR),
        },
      });
      expectStatus(r.proposal?.idea.status, 'needs_approval', 'the low-confidence ETH idea');
      const ideaId = r.proposal!.idea.id;
      this.at(eth[he]!.ts + 5 * HOUR, async () => {
        const expired = await expireTradeIdea(this.store, { ideaId });
        expectStatus(expired.status, 'expired', 'the unanswered ETH idea');
      });
    });

    // Oversized: the gate halts it (max lot size), then a human pauses and resumes AI trading.
    const hh = 905;
    this.at(eth[hh]!.ts + HOUR, async () => {
      const price = eth[hh]!.close;
      const r = await actOnSignal(this.store, {
        signal: this.signalInput({
          portfolioId: this.crypto,
          strategyId: this.strategy.meanReversion!,
          assetId: ethId,
          ts: eth[hh]!.ts + HOUR,
          price,
          action: 'buy',
          confidence: 0.81,
          components: context(ethInd, eth, hh, 'long'),
          reason: 'RSI washout after a liquidation cascade',
          quantity: '25',
        }),
        idea: {
          stopLoss: px(round2(price * 0.97)),
          takeProfit: px(round2(price * 1.045)),
          expectedHold: '2d',
          rationale: 'Position sizer proposed 25 ETH from a stale volatility estimate',
        },
      });
      expectStatus(r.proposal?.idea.status, 'halted_by_risk', 'the oversized ETH idea');
      await haltAiTrading(this.store, {
        actor: DEMO_USER_EMAIL,
        reason: 'Pausing AI trading to check the position sizer after a 25 ETH proposal',
        botVersion: this.botVersion,
      });
      await resumeAiTrading(this.store, {
        actor: DEMO_USER_EMAIL,
        reason: 'Sizer fixed (volatility cache refreshed); resuming',
        botVersion: this.botVersion,
      });
    });

    // The venue refuses an order far from the market.
    const hr = 1500;
    this.at(eth[hr]!.ts + HOUR + 10 * MINUTE, async () => {
      const clientOrderId = this.clientOrderId();
      const { order } = await placeOrder(this.store, {
        portfolioId: this.crypto,
        assetId: ethId,
        side: 'buy',
        type: 'limit',
        quantity: '3',
        limitPrice: px(round2(eth[hr]!.close * 0.5)),
        timeInForce: 'gtc',
        clientOrderId,
        botVersion: this.botVersion,
      });
      const reason = 'Filter failure: PERCENT_PRICE_BY_SIDE';
      await rejectOrder(this.store, { orderId: order.id, reason });
      await recordErrorLog(this.store, {
        level: 'error',
        source: 'order-router',
        message: `binance rejected order ${clientOrderId}: ${reason}`,
        context: { orderId: order.id, clientOrderId, symbol: 'ETH/USDT', venue: 'binance' },
        ts: new Date(eth[hr]!.ts + HOUR + 10 * MINUTE + 400),
        botVersion: this.botVersion,
      });
    });

    // Off the strategy's watchlist: waits in the approval queue at the end of the period.
    const hp = HOURS - 6;
    this.at(btc[hp]!.ts + HOUR, async () => {
      const price = btc[hp]!.close;
      const r = await actOnSignal(this.store, {
        signal: this.signalInput({
          portfolioId: this.crypto,
          strategyId: this.strategy.meanReversion!,
          assetId: btcId,
          ts: btc[hp]!.ts + HOUR,
          price,
          action: 'buy',
          confidence: 0.78,
          components: context(btcInd, btc, hp, 'long'),
          reason: 'RSI divergence on BTC (outside this strategy’s ETH-only watchlist)',
          quantity: '0.2',
        }),
        idea: {
          stopLoss: px(round2(price * 0.97)),
          takeProfit: px(round2(price * 1.045)),
          expectedHold: '1d',
          rationale: 'Same setup as the ETH rule, applied to BTC: a human should confirm',
        },
      });
      expectStatus(r.proposal?.idea.status, 'needs_approval', 'the off-watchlist BTC idea');
    });

    // A proposal queued for the gate, not evaluated yet (`waiting`, no decision row: nobody decided).
    const hw = HOURS - 2;
    this.at(eth[hw]!.ts + HOUR, async () => {
      const price = eth[hw]!.close;
      const direction: Direction = (ethInd.rsi14[hw] ?? 50) < 50 ? 'long' : 'short';
      const long = direction === 'long';
      const signal = await recordSignal(
        this.store,
        this.signalInput({
          portfolioId: this.crypto,
          strategyId: this.strategy.meanReversion!,
          assetId: ethId,
          ts: eth[hw]!.ts + HOUR,
          price,
          action: long ? 'buy' : 'sell',
          confidence: 0.74,
          components: context(ethInd, eth, hw, direction),
          reason: 'RSI stretched; queued for the risk gate',
          quantity: '3',
        }),
      );
      await queueTradeIdea(this.store, {
        signalId: signal.id,
        stopLoss: px(round2(price * (long ? 0.97 : 1.03))),
        takeProfit: px(round2(price * (long ? 1.045 : 0.955))),
        expectedHold: '1d',
        rationale: 'RSI stretched; queued for the risk gate',
      });
    });

    // A resting take-profit for the BTC position still open at the end.
    const last = btcTrips.at(-1)!;
    this.at(END - 30 * MINUTE, async () => {
      const { order } = await placeOrder(this.store, {
        portfolioId: this.crypto,
        assetId: btcId,
        side: last.direction === 'long' ? 'sell' : 'buy',
        type: 'limit',
        quantity: last.filled!,
        limitPrice: last.target,
        timeInForce: 'gtc',
        clientOrderId: this.clientOrderId(),
        botVersion: this.botVersion,
      });
      await acknowledgeOrder(this.store, { orderId: order.id, exchangeOrderId: `demo-ex-${order.id}` });
    });
  }

  /** A production signal of the demo bot. */
  private signalInput(s: {
    portfolioId: number;
    strategyId: number;
    assetId: number;
    ts: number;
    price: number | string;
    action: 'buy' | 'sell' | 'hold';
    confidence: number;
    components: Record<string, unknown>;
    reason: string;
    quantity?: string;
  }) {
    return {
      ...s,
      ts: new Date(s.ts),
      price: typeof s.price === 'number' ? px(s.price) : s.price,
      aggregationMethod: 'weighted_vote',
      testMode: false,
      botVersion: this.botVersion,
    };
  }

  /** Entry through actOnSignal (auto-executed), exit through a signal, an order and its fill. */
  private cryptoTrip(
    trip: Trip,
    assetId: number,
    symbol: string,
    strategyId: number,
    bars: CandleRow[],
    components: (i: number, d: Direction) => Record<string, unknown>,
  ): void {
    const long = trip.direction === 'long';
    const bar = bars[trip.entry]!;
    const price = px(bar.close);
    const t = bar.ts + HOUR;
    const quote = symbol.split('/')[1]!;
    this.at(t, async () => {
      const places = trip.quantity.split('.')[1]?.length ?? 0;
      const fillQuantity =
        trip.mode === 'partial_then_cancel'
          ? qty(Number(trip.quantity) * 0.6, places)
          : trip.mode === 'partial_open'
            ? qty(Number(trip.quantity) * 0.45, places)
            : trip.quantity;
      const limit = trip.mode !== 'market';
      const r = await actOnSignal(this.store, {
        signal: this.signalInput({
          portfolioId: this.crypto,
          strategyId,
          assetId,
          ts: t,
          price,
          action: long ? 'buy' : 'sell',
          confidence: trip.confidence,
          components: components(trip.entry, trip.direction),
          reason: `${long ? 'Long' : 'Short'} ${symbol}: ${long ? 'above' : 'below'} trend filter, confluence met`,
          quantity: trip.quantity,
        }),
        idea: {
          stopLoss: trip.stop,
          takeProfit: trip.target,
          expectedHold: '1-3d',
          snapshotRef: `indicator_snapshots:${symbol}:1h:${bar.ts}`,
        },
        order: limit
          ? { type: 'limit', limitPrice: price, timeInForce: 'gtc', clientOrderId: this.clientOrderId() }
          : { type: 'market', clientOrderId: this.clientOrderId() },
        fill: {
          price,
          quantity: fillQuantity,
          fee: percentFee(fillQuantity, price),
          feeCurrency: quote,
          ts: new Date(t + 2_000),
          exchangeTradeId: this.exchangeTradeId(),
        },
      });
      expectStatus(r.proposal?.idea.status, 'auto_executed', `the ${symbol} entry at ${iso(t)}`);
      trip.filled = fillQuantity;
      if (trip.mode === 'partial_then_cancel') {
        const orderId = r.order!.id;
        this.at(t + 2 * HOUR, async () => {
          await cancelOrder(this.store, { orderId, reason: 'unfilled remainder canceled after 2 hours' });
        });
      }
    });
    const exit = trip.exit;
    if (!exit) return;
    this.at(exit.at, async () => {
      const quantity = trip.filled!;
      const action = long ? 'sell' : 'buy';
      const signal = await recordSignal(
        this.store,
        this.signalInput({
          portfolioId: this.crypto,
          strategyId,
          assetId,
          ts: exit.at,
          price: exit.price,
          action,
          confidence: 0.9,
          components: { exit: { reason: exit.reason, entry: price, exit: exit.price } },
          reason:
            exit.reason === 'stop'
              ? `Stop loss hit at ${exit.price}`
              : exit.reason === 'target'
                ? `Take profit reached at ${exit.price}`
                : 'Maximum holding time reached: exit at the close',
          quantity,
        }),
      );
      const { order } = await placeOrder(this.store, {
        portfolioId: this.crypto,
        assetId,
        side: action,
        type: 'market',
        quantity,
        signalId: signal.id,
        clientOrderId: this.clientOrderId(),
        botVersion: this.botVersion,
      });
      await recordFill(this.store, {
        orderId: order.id,
        quantity,
        price: exit.price,
        fee: percentFee(quantity, exit.price),
        feeCurrency: quote,
        liquidity: 'taker',
        ts: new Date(exit.at + 1_500),
        exchangeTradeId: this.exchangeTradeId(),
      });
    });
  }

  // ---- equities ------------------------------------------------------------------------------

  private planEquities(aapl: CandleRow[], msft: CandleRow[]): void {
    const rules: TripRules = {
      notional: 10_000,
      places: 0,
      maxQuantity: 400,
      stopPct: 0.04,
      targetPct: 0.08,
      maxHold: 10,
      barMs: DAY,
      direction: () => 'long',
    };
    const plan: Array<[string, CandleRow[], number, boolean]> = [
      ['AAPL', aapl, 3, false],
      ['MSFT', msft, 8, false],
      ['AAPL', aapl, 17, false],
      ['MSFT', msft, 25, false],
      ['AAPL', aapl, 33, false],
      ['MSFT', msft, 44, false],
      ['AAPL', aapl, 57, true],
    ];
    for (const [symbol, bars, entry, open] of plan) {
      const trip = tripAt(this.rng, bars, entry, rules, 'market', open);
      // US session 14:30-21:00 UTC: stops and targets trigger intraday, time exits just before the close.
      if (trip.exit) {
        const day = bars[trip.exit.index]!.ts;
        trip.exit.at =
          day + (trip.exit.reason === 'time' ? 20 * HOUR + 50 * MINUTE : 17 * HOUR + 20 * MINUTE);
      }
      this.equityTrip(trip, symbol, bars);
    }
    this.equityDecline('MSFT', msft, 38, 'reject');
    this.equityDecline('AAPL', aapl, 48, 'expire');
  }

  private equityProposal(symbol: string, bars: CandleRow[], i: number, confidence: number, quantity: string) {
    const bar = bars[i]!;
    const t = bar.ts + 20 * HOUR + 30 * MINUTE;
    const price = px(bar.close);
    return {
      t,
      price,
      input: {
        signal: this.signalInput({
          portfolioId: this.equities,
          strategyId: this.strategy.drift!,
          assetId: this.asset[symbol]!,
          ts: t,
          price,
          action: 'buy' as const,
          confidence,
          components: {
            breakout: {
              action: 'buy',
              close: bar.close,
              high_20d: round2(Math.max(...bars.slice(Math.max(0, i - 20), i + 1).map((b) => b.high))),
            },
            earnings: { action: 'buy', surprisePct: round(3 + confidence * 4, 1) },
          },
          reason: `${symbol}: post-earnings breakout with volume`,
          quantity,
        }),
        idea: {
          stopLoss: px(round2(bar.close * 0.96)),
          takeProfit: px(round2(bar.close * 1.08)),
          expectedHold: '2w',
          rationale: `${symbol} drift setup; AI trading is off for equities, so a human decides`,
          snapshotRef: `candles:${symbol}:1d:${bar.ts}`,
        },
      },
    };
  }

  private equityTrip(trip: Trip, symbol: string, bars: CandleRow[]): void {
    const assetId = this.asset[symbol]!;
    const p = this.equityProposal(symbol, bars, trip.entry, Math.max(trip.confidence, 0.7), trip.quantity);
    this.at(p.t, async () => {
      const r = await actOnSignal(this.store, p.input);
      expectStatus(r.proposal?.idea.status, 'needs_approval', `the ${symbol} idea at ${iso(p.t)}`);
      const ideaId = r.proposal!.idea.id;
      const approved = await approveTradeIdea(this.store, {
        ideaId,
        user: DEMO_USER_EMAIL,
        rationale: 'Setup confirmed on the daily chart; size per plan',
      });
      expectStatus(approved.idea.status, 'approved', `the ${symbol} approval`);
      const { order } = await placeOrder(this.store, {
        portfolioId: this.equities,
        assetId,
        side: 'buy',
        type: 'market',
        timeInForce: 'day',
        quantity: trip.quantity,
        tradeIdeaId: ideaId,
        clientOrderId: this.clientOrderId(),
        botVersion: this.botVersion,
      });
      await recordFill(this.store, {
        orderId: order.id,
        quantity: trip.quantity,
        price: p.price,
        fee: '1',
        feeCurrency: 'USD',
        liquidity: 'taker',
        ts: new Date(p.t + 15 * MINUTE),
        exchangeTradeId: this.exchangeTradeId(),
      });
      trip.filled = trip.quantity;
    });
    const exit = trip.exit;
    if (!exit) return;
    this.at(exit.at, async () => {
      const signal = await recordSignal(
        this.store,
        this.signalInput({
          portfolioId: this.equities,
          strategyId: this.strategy.drift!,
          assetId,
          ts: exit.at,
          price: exit.price,
          action: 'sell',
          confidence: 0.9,
          components: { exit: { reason: exit.reason, entry: p.price, exit: exit.price } },
          reason:
            exit.reason === 'stop'
              ? `Stop loss hit at ${exit.price}`
              : exit.reason === 'target'
                ? `Take profit reached at ${exit.price}`
                : 'Holding period over: exit at the close',
          quantity: trip.filled!,
        }),
      );
      const { order } = await placeOrder(this.store, {
        portfolioId: this.equities,
        assetId,
        side: 'sell',
        type: 'market',
        timeInForce: 'day',
        quantity: trip.filled!,
        signalId: signal.id,
        clientOrderId: this.clientOrderId(),
        botVersion: this.botVersion,
      });
      await recordFill(this.store, {
        orderId: order.id,
        quantity: trip.filled!,
        price: exit.price,
        fee: '1',
        feeCurrency: 'USD',
        liquidity: 'taker',
        ts: new Date(exit.at + 1_000),
        exchangeTradeId: this.exchangeTradeId(),
      });
    });
  }

  /** An equity idea a human rejects, or one left until it expires. */
  private equityDecline(symbol: string, bars: CandleRow[], i: number, how: 'reject' | 'expire'): void {
    const quantity = qty(10_000 / bars[i]!.close, 0);
    const p = this.equityProposal(symbol, bars, i, 0.74, quantity);
    if (how === 'expire')
      p.input.idea = { ...p.input.idea, expiresAt: new Date(p.t + 18 * HOUR) } as typeof p.input.idea;
    this.at(p.t, async () => {
      const r = await actOnSignal(this.store, p.input);
      expectStatus(r.proposal?.idea.status, 'needs_approval', `the ${symbol} idea to ${how}`);
      const ideaId = r.proposal!.idea.id;
      if (how === 'reject') {
        const rejected = await rejectTradeIdea(this.store, {
          ideaId,
          user: DEMO_USER_EMAIL,
          rationale: 'Gap up into resistance; not chasing it',
        });
        expectStatus(rejected.idea.status, 'rejected', `the ${symbol} rejection`);
        return;
      }
      this.at(p.t + 18 * HOUR, async () => {
        const expired = await expireTradeIdea(this.store, { ideaId });
        expectStatus(expired.status, 'expired', `the ${symbol} expiry`);
      });
    });
  }

  // ---- snapshots and operations ----------------------------------------------------------------

  /** A portfolio snapshot every midnight; the broker's account snapshot every Sunday night. */
  private planSnapshots(): void {
    for (let d = 0; d < DAYS; d++) {
      const at = BASE + (d + 1) * DAY;
      const weekly = d % 7 === 6 || d === DAYS - 1;
      // Just before midnight in the step order, valued as of midnight (the last bar's close).
      this.at(at - 0.5, async () => {
        for (const [portfolioId, accountRef] of [
          [this.crypto, 'binance-paper-01'],
          [this.equities, 'alpaca-paper-01'],
        ] as const) {
          const { snapshot } = await takePortfolioSnapshot(this.store, {
            portfolioId,
            at: new Date(at),
            botVersion: this.botVersion,
          });
          if (!weekly) continue;
          await recordAccountSnapshot(this.store, {
            portfolioId,
            accountRef,
            balance: snapshot.cash,
            equity: snapshot.equity,
            marginUsed: snapshot.invested,
            marginFree: snapshot.equity.minus(snapshot.invested),
            openPl: snapshot.unrealizedPnl,
            openPositions: snapshot.openPositions,
            capturedAt: new Date(at),
            botVersion: this.botVersion,
          });
        }
      });
    }
  }

  private planOperations(btc: CandleRow[], eth: CandleRow[]): void {
    const logs: Array<
      [number, 'info' | 'warning' | 'error' | 'critical', string, string, Record<string, string | number>]
    > = [
      [
        2 * DAY + 3 * HOUR,
        'warning',
        'binance-ws',
        'websocket closed by the venue (1006); reconnected in 2.1 s',
        { stream: 'btcusdt@kline_1h', attempt: 1 },
      ],
      [
        9 * DAY + 14 * HOUR,
        'info',
        'news-poller',
        'feed returned 304 Not Modified for 6 polls in a row',
        { feed: 'Demo Markets Desk' },
      ],
      [
        21 * DAY + 7 * HOUR,
        'error',
        'candle-sync',
        'gap of 2 bars in BTC/USDT 1h backfilled from REST',
        { symbol: 'BTC/USDT', missing: 2 },
      ],
      [
        37 * DAY + 22 * HOUR,
        'warning',
        'risk-gate',
        'risk check took 412 ms (budget 250 ms)',
        { portfolio: 'Crypto Paper', ms: 412 },
      ],
      [
        55 * DAY + 1 * HOUR,
        'critical',
        'order-router',
        'venue unreachable for 47 s; order placement paused',
        { venue: 'binance', seconds: 47 },
      ],
      [
        71 * DAY + 16 * HOUR,
        'error',
        'broker-alpaca',
        'account snapshot request timed out after 10 s',
        { accountRef: 'alpaca-paper-01' },
      ],
    ];
    for (const [offset, level, source, message, context] of logs) {
      this.at(BASE + offset, async () => {
        await recordErrorLog(this.store, {
          level,
          source,
          message,
          context,
          ts: new Date(BASE + offset),
          botVersion: this.botVersion,
        });
      });
    }
    // Hold signals: the strategies looked and saw nothing worth trading.
    for (let h = 35; h < HOURS - 24; h += 120) {
      for (const [strategy, symbol, bars] of [
        ['momentum', 'BTC/USDT', btc],
        ['meanReversion', 'ETH/USDT', eth],
      ] as const) {
        this.at(BASE + (h + 1) * HOUR + 1, async () => {
          const price = bars[h]!.close;
          await recordSignal(
            this.store,
            this.signalInput({
              portfolioId: this.crypto,
              strategyId: this.strategy[strategy]!,
              assetId: this.asset[symbol]!,
              ts: BASE + (h + 1) * HOUR,
              price,
              action: 'hold',
              confidence: 0.5,
              components: { trend: { action: 'hold' }, rsi: { action: 'hold' } },
              reason: 'No confluence: stand aside',
            }),
          );
        });
      }
    }
  }

  // ---- after the story --------------------------------------------------------------------------

  /** Crypto Momentum v1 replayed on the demo candles: a 12/48 EMA cross, long only. */
  private async backtest(btc: CandleRow[]): Promise<void> {
    const closes = btc.map((b) => b.close);
    const fast = ema(closes, 12);
    const slow = ema(closes, 48);
    const quantity = '0.25';
    const trades: Array<Record<string, unknown>> = [];
    let entry: { i: number; price: string } | null = null;
    for (let i = 49; i < btc.length; i++) {
      const crossUp = fast[i - 1]! <= slow[i - 1]! && fast[i]! > slow[i]!;
      const crossDown = fast[i - 1]! >= slow[i - 1]! && fast[i]! < slow[i]!;
      const price = px(closes[i]!);
      const at = btc[i]!.ts + HOUR;
      if (entry === null && crossUp) entry = { i, price };
      else if (entry !== null && crossDown) {
        const fees = new Exact(percentFee(quantity, entry.price)).plus(percentFee(quantity, price));
        const pnl = new Exact(price).minus(entry.price).times(quantity).minus(fees);
        trades.push({
          symbol: 'BTC/USDT',
          direction: 'long',
          entryPrice: entry.price,
          exitPrice: price,
          entryTime: new Date(btc[entry.i]!.ts + HOUR),
          exitTime: new Date(at),
          quantity,
          fees: fees.toFixed(),
          pnl: pnl.toFixed(),
          stopLoss: px(round2(Number(entry.price) * 0.975)),
          reasoning: 'EMA 12 crossed above EMA 48; exit on the cross back',
          externalRef: `demo-bt-${trades.length + 1}`,
        });
        entry = null;
      }
    }
    if (entry !== null) {
      trades.push({
        symbol: 'BTC/USDT',
        direction: 'long',
        entryPrice: entry.price,
        entryTime: new Date(btc[entry.i]!.ts + HOUR),
        quantity,
        fees: percentFee(quantity, entry.price),
        stopLoss: px(round2(Number(entry.price) * 0.975)),
        reasoning: 'EMA 12 crossed above EMA 48; still open at the end of the data',
        externalRef: `demo-bt-${trades.length + 1}`,
      });
    }
    await recordBacktest(this.store, {
      strategyId: this.strategy.momentum!,
      strategyVersionId: this.momentumV1,
      name: 'Crypto Momentum v1 on BTC/USDT 1h, Q1 2024 (demo)',
      assets: ['BTC/USDT'],
      timeframe: '1h',
      periodStart: new Date(BASE),
      periodEnd: new Date(END),
      initialBalance: '100000',
      feeModel: { kind: 'percent', rate: 0.001 },
      parameters: { fastEma: 12, slowEma: 48, quantity },
      status: 'done',
      startedAt: new Date(END + HOUR),
      finishedAt: new Date(END + HOUR + 42_000),
      botVersion: this.botVersion,
      venue: 'binance',
      trades: trades as never,
      result: { metrics: { engine: 'demo-ema-cross', bars: btc.length } },
    });
  }

  private async performance(): Promise<void> {
    const now = new Date(END);
    for (const strategy of ['momentum', 'meanReversion', 'drift'] as const) {
      await recomputePerformance(this.store, { strategy: this.strategy[strategy]!, window: 'all', now });
      await recomputePerformance(this.store, { strategy: this.strategy[strategy]!, window: '30d', now });
    }
    await recomputePerformance(this.store, { portfolioId: this.crypto, window: 'all', now });
    await recomputePerformance(this.store, { portfolioId: this.equities, window: 'all', now });
    await recomputePerformance(this.store, {
      strategy: this.strategy.momentum!,
      backtest: true,
      window: 'all',
      now,
    });
  }

  private async research(): Promise<void> {
    const store = this.store;
    const closed = await store.kysely
      .selectFrom('trades')
      .select(['id', 'strategy_id', 'outcome', 'direction'])
      .where('is_backtest', '=', booleanValue(store.dialect, false))
      .where('outcome', '<>', 'open')
      .orderBy('id')
      .execute();
    const ids = (strategy: number, pick: (t: (typeof closed)[number]) => boolean) =>
      closed.filter((t) => Number(t.strategy_id) === strategy && pick(t)).map((t) => Number(t.id));
    const momentumWins = ids(this.strategy.momentum!, (t) => t.outcome === 'win');
    const first = await recordLearningEntry(store, {
      strategyId: this.strategy.momentum!,
      insight: 'BTC longs taken above the 50h SMA reached their target more often than shorts below it',
      supportingTrades: momentumWins.slice(0, 5),
      confidence: 0.62,
      impactType: 'entry_filter',
      marketConditions: { regime: 'trending', volatility: 'medium', period: 'Q1 2024' },
      botVersion: this.botVersion,
    });
    if (momentumWins[5] !== undefined)
      await validateLearningEntry(store, first.id, { tradeId: momentumWins[5] });
    await recordLearningEntry(store, {
      strategyId: this.strategy.meanReversion!,
      insight: 'ETH fades against a strong BTC trend were stopped out; require BTC trend alignment',
      supportingTrades: ids(this.strategy.meanReversion!, (t) => t.outcome === 'loss').slice(0, 4),
      confidence: 0.55,
      impactType: 'risk_filter',
      marketConditions: { regime: 'trending', correlation: 'btc-eth 0.75' },
      botVersion: this.botVersion,
    });
    await recordLearningEntry(store, {
      insight: 'Fills within 30 minutes of high-impact US releases slipped more than at other times',
      confidence: 0.4,
      impactType: 'execution',
      marketConditions: { events: ['CPI y/y', 'Non-Farm Employment Change'] },
      botVersion: this.botVersion,
    });

    const done = await queueIngestionTask(store, {
      sourceType: 'pdf',
      sourceRef: 'uploads/opening-range-breakout.pdf',
    });
    await startIngestionTask(store, done.id);
    await completeIngestionTask(store, done.id, { strategyId: this.strategy.openingRange! });
    const failed = await queueIngestionTask(store, {
      sourceType: 'youtube',
      sourceRef: 'https://www.youtube.com/watch?v=demo-scalping-101',
    });
    await startIngestionTask(store, failed.id);
    await failIngestionTask(store, failed.id, 'transcript unavailable: captions are disabled for this video');
    await queueIngestionTask(store, { sourceType: 'code', sourceRef: 'git:research/vwap-reversion.py' });
  }

  private async botStatus(btc: CandleRow[], eth: CandleRow[]): Promise<void> {
    const store = this.store;
    const options = { botVersion: this.botVersion };
    await setBotStatus(store, 'bot.heartbeat', { at: iso(END - MINUTE), uptimeSeconds: 7_689_540 }, options);
    await setBotStatus(store, 'bot.mode', { 'Crypto Paper': 'paper', 'Equities Paper': 'paper' }, options);
    await setBotStatus(
      store,
      'marketdata.cursor',
      { 'BTC/USDT 1h': btc.at(-1)!.ts, 'ETH/USDT 1h': eth.at(-1)!.ts },
      options,
    );
    await setBotStatus(store, 'news.poller', { lastPollAt: iso(END - 5 * MINUTE), feeds: 2 }, options);
    await setBotStatus(
      store,
      DEMO_MARKER_KEY,
      {
        state: 'complete',
        user: DEMO_USER_EMAIL,
        login: 'disabled (random password, not kept)',
        period: [iso(BASE), iso(END)],
      },
      options,
    );
  }
}

function expectStatus(actual: string | undefined, wanted: string, what: string): void {
  if (actual !== wanted) {
    throw new DemoSeedError(`demo script: ${what} became ${actual ?? 'nothing'}, expected ${wanted}`);
  }
}
