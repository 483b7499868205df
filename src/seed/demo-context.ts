/**
 * What every part of the demo seed shares: its constants, the seeded random sequence, the
 * synthetic market (random walks and their indicators), the planned round trips, and `Demo`, the
 * seed's state and time-ordered step queue.
 */
import { Decimal } from 'decimal.js';
import type { Store } from '../db/store.ts';
import { type CandleRow } from '../marketdata/candles.ts';
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

export const HOUR = 3_600_000;
export const MINUTE = 60_000;
export const DAY = 86_400_000;
/** 2024-01-01T00:00Z, a Monday. */
export const BASE = Date.UTC(2024, 0, 1);
export const DAYS = 90;
export const HOURS = DAYS * 24;
/** 2024-03-31T00:00Z: the end of the demo period. */
export const END = BASE + DAYS * DAY;
export const SEED = 20_240_101;

export const iso = (ms: number) => new Date(ms).toISOString();

/** mulberry32: small, fast, and the same sequence on every machine. */
export class Rng {
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

export const round = (x: number, places: number) => Math.round(x * 10 ** places) / 10 ** places;
export const round2 = (x: number) => round(x, 2);
/** A price as the exact decimal string the services take. */
export const px = (x: number) => x.toFixed(2);
/** A quantity truncated (never rounded up) to `places`. */
export const qty = (x: number, places: number) =>
  (Math.floor(x * 10 ** places) / 10 ** places).toFixed(places);
/**
 * `share` of a quantity truncated to `places`, exact: in binary floating point 0.095 × 0.6
 * truncates to 0.056, not 0.057.
 */
export const partOf = (quantity: string, share: string, places: number) =>
  new Exact(quantity).times(share).toDecimalPlaces(places, Decimal.ROUND_DOWN).toFixed(places);
/** Taker fee of `rate` on quantity × price, exact, to 8 places. */
export const percentFee = (quantity: string, price: string, rate = '0.001') =>
  new Exact(quantity).times(price).times(rate).toDecimalPlaces(8, Decimal.ROUND_HALF_UP).toFixed();

// ---- market data -------------------------------------------------------------------------------

export interface WalkOptions {
  start: number;
  times: number[];
  sigma: number;
  drift: number;
  volume: number;
  /** Another series' shocks and the correlation with them (ETH follows BTC). */
  follow?: { shocks: number[]; correlation: number };
}

/** Geometric random walk: OHLCV bars on a cent grid, and the shocks that drove them. */
export function randomWalk(rng: Rng, o: WalkOptions): { bars: CandleRow[]; shocks: number[] } {
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

export interface Indicators {
  sma50: Array<number | null>;
  sma200: Array<number | null>;
  rsi14: Array<number | null>;
  ema12: number[];
  ema26: number[];
  macd: number[];
  macdSignal: number[];
  atr14: Array<number | null>;
}

export function sma(values: number[], n: number): Array<number | null> {
  let sum = 0;
  return values.map((v, i) => {
    sum += v;
    if (i >= n) sum -= values[i - n]!;
    return i >= n - 1 ? sum / n : null;
  });
}

export function ema(values: number[], n: number): number[] {
  const k = 2 / (n + 1);
  const out: number[] = [];
  values.forEach((v, i) => {
    out.push(i === 0 ? v : v * k + out[i - 1]! * (1 - k));
  });
  return out;
}

/** Wilder's smoothing of a series from its n-th element on. */
export function wilder(values: number[], n: number): Array<number | null> {
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

export function indicators(bars: CandleRow[]): Indicators {
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

export const r4 = (v: number | null | undefined) => (v === null || v === undefined ? null : round(v, 4));

// ---- the plan --------------------------------------------------------------------------------

export type Direction = 'long' | 'short';
export type FillMode = 'market' | 'limit' | 'partial_then_cancel' | 'partial_open';

export interface Trip {
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

export interface TripRules {
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

export function tripAt(
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
export function planTrips(
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

export interface Step {
  at: number;
  seq: number;
  run: () => Promise<void>;
}

/** The seed's state: the ids it created, its random sequence, and the steps planned in time order. */
export class Demo {
  readonly rng = new Rng(SEED);
  private readonly steps: Step[] = [];
  private seq = 0;
  private orders = 0;
  private executions = 0;
  readonly botVersion = DEMO_BOT_VERSION;

  // Filled in by the driver (demo.ts).
  crypto = 0;
  equities = 0;
  readonly asset: Record<string, number> = {};
  readonly strategy: Record<string, number> = {};
  momentumV1 = 0;

  readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  at(at: number, run: () => Promise<void>): void {
    this.steps.push({ at, seq: this.seq++, run });
  }

  clientOrderId(): string {
    this.orders += 1;
    return `demo-${String(this.orders).padStart(5, '0')}`;
  }

  exchangeTradeId(): string {
    this.executions += 1;
    return `demo-x-${String(this.executions).padStart(6, '0')}`;
  }

  /** Runs the planned steps in time order; a step may schedule later ones (a cancel, an expiry). */
  async runSteps(): Promise<void> {
    while (this.steps.length > 0) {
      this.steps.sort((a, b) => a.at - b.at || a.seq - b.seq);
      await this.steps.shift()!.run();
    }
  }
}

export function expectStatus(actual: string | undefined, wanted: string, what: string): void {
  if (actual !== wanted) {
    throw new DemoSeedError(`demo script: ${what} became ${actual ?? 'nothing'}, expected ${wanted}`);
  }
}

/** A production signal of the demo bot. */
export function signalInput(
  demo: Demo,
  s: {
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
  },
) {
  return {
    ...s,
    ts: new Date(s.ts),
    price: typeof s.price === 'number' ? px(s.price) : s.price,
    aggregationMethod: 'weighted_vote',
    testMode: false,
    botVersion: demo.botVersion,
  };
}
