/**
 * `tradestore db seed --demo`: realistic, deterministic demo content for the dashboard, touching
 * every domain table except decision_history_archive (only `db prune` fills that one).
 *
 * Everything goes through the services bots use (signals → trade ideas through the risk gate →
 * approvals → orders → fills → positions, round trips and cash), so the demo data satisfies the
 * same accounting invariants as live data. The only rows written around the services are the ones
 * no service writes: the demo user, the indicator snapshots and the assets' tick/lot sizes (the
 * `waiting` idea is `queueTradeIdea`'s). README.md says which file holds which part.
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
import type { Store } from '../db/store.ts';
import { Asset, BotStatus, User } from '../entities/all-tables.ts';
import { ensureAsset } from '../marketdata/assets.ts';
import { insertCandles } from '../marketdata/candles.ts';
import { migrationState } from '../migrate/runner.ts';
import { domainTables, tableCounts } from '../operations/inspect.ts';
import { grantPortfolioAccess } from '../accounts/access.ts';
import { hashPassword } from '../accounts/passwords.ts';
import { createUser } from '../accounts/users.ts';
import { createPortfolio } from '../portfolios/portfolios.ts';
import { setGlobalRiskConfig, setPortfolioRiskConfig } from '../portfolios/risk-configs.ts';
import { type RegisterStrategyInput, registerStrategy } from '../strategies/strategies.ts';
import {
  BASE,
  DAY,
  DAYS,
  Demo,
  DEMO_BOT_VERSION,
  DEMO_MARKER_KEY,
  DEMO_USER_EMAIL,
  DEMO_VIEWER_EMAIL,
  DemoSeedError,
  type DemoSeedResult,
  HOUR,
  HOURS,
  indicators,
  randomWalk,
} from './demo-context.ts';
import { planCrypto } from './demo-crypto.ts';
import { planEquities } from './demo-equities.ts';
import {
  backtest,
  botStatus,
  calendar,
  indicatorSnapshots,
  news,
  performance,
  planOperations,
  planSnapshots,
  prediction,
  research,
  ticks,
} from './demo-records.ts';

export {
  DEMO_BOT_VERSION,
  DEMO_MARKER_KEY,
  DEMO_USER_EMAIL,
  DEMO_VIEWER_EMAIL,
  DemoSeedError,
  type DemoSeedResult,
} from './demo-context.ts';

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
  await run(new Demo(store));
  return { seeded: true, counts: await counts(store) };
}

/** The two books, the shared analyst, and the risk control panel (a global row, an equities override). */
async function seedBooks(demo: Demo): Promise<void> {
  const store = demo.store;
  // Portfolios and the risk control panel: a global row and an override for equities.
  demo.crypto = (
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
  demo.equities = (
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
    portfolioId: demo.equities,
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
    portfolioId: demo.equities,
    aiTradingEnabled: false,
    minConfidenceThreshold: 0.7,
    maxLotSize: '500',
  });
}

/** The strategies (Crypto Momentum gets a second version mid-period, in planCrypto), and the ingested one. */
async function seedStrategies(demo: Demo): Promise<RegisterStrategyInput> {
  const store = demo.store;
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
  demo.strategy.momentum = v1.strategy.id;
  demo.momentumV1 = v1.strategy.currentVersionId!;
  demo.strategy.meanReversion = (
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
  demo.strategy.drift = (
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
  demo.strategy.openingRange = (
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
  return momentum;
}

/** Assets and their market data: 1h candles for BTC and ETH, 1d for AAPL and MSFT, indicators, ticks. */
async function seedMarketData(demo: Demo) {
  const store = demo.store;
  const rng = demo.rng;
  // Assets and market data: 1h candles for BTC and ETH, 1d candles for AAPL and MSFT.
  const venueOf: Record<string, { venue: string; kind: 'crypto' | 'equity'; tick: string; lot: string }> = {
    'BTC/USDT': { venue: 'binance', kind: 'crypto', tick: '0.01', lot: '0.00001' },
    'ETH/USDT': { venue: 'binance', kind: 'crypto', tick: '0.01', lot: '0.0001' },
    AAPL: { venue: 'nasdaq', kind: 'equity', tick: '0.01', lot: '1' },
    MSFT: { venue: 'nasdaq', kind: 'equity', tick: '0.01', lot: '1' },
  };
  for (const [symbol, v] of Object.entries(venueOf)) {
    demo.asset[symbol] = await ensureAsset(store, { symbol, venue: v.venue, kind: v.kind });
  }
  await store.em().transactional(async (em) => {
    for (const [symbol, v] of Object.entries(venueOf)) {
      const asset = await em.findOneOrFail(Asset, { id: demo.asset[symbol]! });
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
  await insertCandles(store, demo.asset['BTC/USDT']!, '1h', btc.bars);
  await insertCandles(store, demo.asset['ETH/USDT']!, '1h', eth.bars);
  await insertCandles(store, demo.asset.AAPL!, '1d', aapl.bars);
  await insertCandles(store, demo.asset.MSFT!, '1d', msft.bars);
  const btcInd = indicators(btc.bars);
  const ethInd = indicators(eth.bars);
  await indicatorSnapshots(demo, demo.asset['BTC/USDT']!, btc.bars, btcInd);
  await indicatorSnapshots(demo, demo.asset['ETH/USDT']!, eth.bars, ethInd);
  await ticks(demo, demo.asset['BTC/USDT']!, btc.bars.slice(-3), 0.02, 3_412_000_000);
  await ticks(demo, demo.asset['ETH/USDT']!, eth.bars.slice(-3), 0.3, 1_288_000_000);
  return { btc, eth, aapl, msft, btcInd, ethInd };
}

async function run(demo: Demo): Promise<void> {
  await seedBooks(demo);
  const momentum = await seedStrategies(demo);
  const { btc, eth, aapl, msft, btcInd, ethInd } = await seedMarketData(demo);
  await news(demo);
  await calendar(demo);
  await prediction(demo, btc.bars);

  // The trading story, in time order.
  planCrypto(demo, btc.bars, btcInd, eth.bars, ethInd, {
    ...momentum,
    parameters: { fastEma: 21, slowEma: 55 },
  });
  planEquities(demo, aapl.bars, msft.bars);
  planSnapshots(demo);
  planOperations(demo, btc.bars, eth.bars);
  await demo.runSteps();

  await backtest(demo, btc.bars);
  await performance(demo);
  await research(demo);
  await botStatus(demo, btc.bars, eth.bars);
}
