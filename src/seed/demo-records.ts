/**
 * The demo's other records: indicator snapshots and ticks, news, the calendar, a prediction
 * market, snapshots, operations (error logs, bot status), a backtest, performance and research.
 *
 * Over 500 lines: the demo's record data, one block per table (data, not logic).
 */
import { recordBacktest } from '../backtests/runs.ts';
import { booleanValue } from '../db/column-values.ts';
import { IndicatorSnapshot } from '../entities/all-tables.ts';
import { recordSignal } from '../execution/signals.ts';
import { type CandleRow } from '../marketdata/candles.ts';
import { type TickInsert, writeTickBatch } from '../marketdata/tick-writes.ts';
import { recordCalendarEvent } from '../news/calendar.ts';
import { markNewsFeedPolled, registerNewsFeed } from '../news/feeds.ts';
import { recordNewsItem } from '../news/items.ts';
import { setBotStatus } from '../operations/bot-status.ts';
import { recordErrorLog } from '../operations/error-logs.ts';
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
import { Exact } from '../trading/exact.ts';
import {
  BASE,
  DAY,
  DAYS,
  type Demo,
  DEMO_MARKER_KEY,
  DEMO_USER_EMAIL,
  ema,
  END,
  HOUR,
  HOURS,
  type Indicators,
  iso,
  MINUTE,
  percentFee,
  px,
  r4,
  round,
  round2,
  signalInput,
} from './demo-context.ts';

export async function indicatorSnapshots(
  demo: Demo,
  assetId: number,
  bars: CandleRow[],
  ind: Indicators,
): Promise<void> {
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
  await demo.store.em().transactional(async (em) => {
    for (let i = 0; i < rows.length; i += 500) await em.insertMany(IndicatorSnapshot, rows.slice(i, i + 500));
  });
}

/** Public trades inside the last bars: prices between each bar's low and high. */
export async function ticks(
  demo: Demo,
  assetId: number,
  bars: CandleRow[],
  size: number,
  firstId: number,
): Promise<void> {
  const rng = demo.rng;
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
  await writeTickBatch(demo.store, assetId, ticks);
}

export async function news(demo: Demo): Promise<void> {
  const store = demo.store;
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

export async function calendar(demo: Demo): Promise<void> {
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
    await recordCalendarEvent(demo.store, {
      eventTime: new Date(eventTime),
      currency,
      title,
      impactLevel,
      previous,
      forecast,
      capturedAt: new Date(eventTime - 3 * DAY),
    });
    await recordCalendarEvent(demo.store, {
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

export async function prediction(demo: Demo, btc: CandleRow[]): Promise<void> {
  const store = demo.store;
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
  const rng = demo.rng;
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

/** A portfolio snapshot every midnight; the broker's account snapshot every Sunday night. */
export function planSnapshots(demo: Demo): void {
  for (let d = 0; d < DAYS; d++) {
    const at = BASE + (d + 1) * DAY;
    const weekly = d % 7 === 6 || d === DAYS - 1;
    // Just before midnight in the step order, valued as of midnight (the last bar's close).
    demo.at(at - 0.5, async () => {
      for (const [portfolioId, accountRef] of [
        [demo.crypto, 'binance-paper-01'],
        [demo.equities, 'alpaca-paper-01'],
      ] as const) {
        const { snapshot } = await takePortfolioSnapshot(demo.store, {
          portfolioId,
          at: new Date(at),
          botVersion: demo.botVersion,
        });
        if (!weekly) continue;
        await recordAccountSnapshot(demo.store, {
          portfolioId,
          accountRef,
          balance: snapshot.cash,
          equity: snapshot.equity,
          marginUsed: snapshot.invested,
          marginFree: snapshot.equity.minus(snapshot.invested),
          openPl: snapshot.unrealizedPnl,
          openPositions: snapshot.openPositions,
          capturedAt: new Date(at),
          botVersion: demo.botVersion,
        });
      }
    });
  }
}

/** The bot's operational log over the quarter: offset from the start, level, source, message, context. */
const ERROR_LOGS: Array<
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

/** The bot at work between trades: its incident log and the hold signals it recorded. */
export function planOperations(demo: Demo, btc: CandleRow[], eth: CandleRow[]): void {
  planErrorLogs(demo);
  planHoldSignals(demo, btc, eth);
}

/** Each operational incident logged when it happened. */
function planErrorLogs(demo: Demo): void {
  for (const [offset, level, source, message, context] of ERROR_LOGS) {
    demo.at(BASE + offset, async () => {
      await recordErrorLog(demo.store, {
        level,
        source,
        message,
        context,
        ts: new Date(BASE + offset),
        botVersion: demo.botVersion,
      });
    });
  }
}

/** Every 120 hours each crypto strategy looked and saw nothing worth trading: a hold signal. */
function planHoldSignals(demo: Demo, btc: CandleRow[], eth: CandleRow[]): void {
  for (let h = 35; h < HOURS - 24; h += 120) {
    for (const [strategy, symbol, bars] of [
      ['momentum', 'BTC/USDT', btc],
      ['meanReversion', 'ETH/USDT', eth],
    ] as const) {
      demo.at(BASE + (h + 1) * HOUR + 1, async () => {
        const price = bars[h]!.close;
        await recordSignal(
          demo.store,
          signalInput(demo, {
            portfolioId: demo.crypto,
            strategyId: demo.strategy[strategy]!,
            assetId: demo.asset[symbol]!,
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

/** Crypto Momentum v1 replayed on the demo candles: a 12/48 EMA cross, long only. */
export async function backtest(demo: Demo, btc: CandleRow[]): Promise<void> {
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
  await recordBacktest(demo.store, {
    strategyId: demo.strategy.momentum!,
    strategyVersionId: demo.momentumV1,
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
    botVersion: demo.botVersion,
    venue: 'binance',
    trades: trades as never,
    result: { metrics: { engine: 'demo-ema-cross', bars: btc.length } },
  });
}

export async function performance(demo: Demo): Promise<void> {
  const now = new Date(END);
  for (const strategy of ['momentum', 'meanReversion', 'drift'] as const) {
    await recomputePerformance(demo.store, { strategy: demo.strategy[strategy]!, window: 'all', now });
    await recomputePerformance(demo.store, { strategy: demo.strategy[strategy]!, window: '30d', now });
  }
  await recomputePerformance(demo.store, { portfolioId: demo.crypto, window: 'all', now });
  await recomputePerformance(demo.store, { portfolioId: demo.equities, window: 'all', now });
  await recomputePerformance(demo.store, {
    strategy: demo.strategy.momentum!,
    backtest: true,
    window: 'all',
    now,
  });
}

export async function research(demo: Demo): Promise<void> {
  const store = demo.store;
  const closed = await store.kysely
    .selectFrom('trades')
    .select(['id', 'strategy_id', 'outcome', 'direction'])
    .where('is_backtest', '=', booleanValue(store.dialect, false))
    .where('outcome', '<>', 'open')
    .orderBy('id')
    .execute();
  const ids = (strategy: number, pick: (t: (typeof closed)[number]) => boolean) =>
    closed.filter((t) => Number(t.strategy_id) === strategy && pick(t)).map((t) => Number(t.id));
  const momentumWins = ids(demo.strategy.momentum!, (t) => t.outcome === 'win');
  const first = await recordLearningEntry(store, {
    strategyId: demo.strategy.momentum!,
    insight: 'BTC longs taken above the 50h SMA reached their target more often than shorts below it',
    supportingTrades: momentumWins.slice(0, 5),
    confidence: 0.62,
    impactType: 'entry_filter',
    marketConditions: { regime: 'trending', volatility: 'medium', period: 'Q1 2024' },
    botVersion: demo.botVersion,
  });
  if (momentumWins[5] !== undefined)
    await validateLearningEntry(store, first.id, { tradeId: momentumWins[5] });
  await recordLearningEntry(store, {
    strategyId: demo.strategy.meanReversion!,
    insight: 'ETH fades against a strong BTC trend were stopped out; require BTC trend alignment',
    supportingTrades: ids(demo.strategy.meanReversion!, (t) => t.outcome === 'loss').slice(0, 4),
    confidence: 0.55,
    impactType: 'risk_filter',
    marketConditions: { regime: 'trending', correlation: 'btc-eth 0.75' },
    botVersion: demo.botVersion,
  });
  await recordLearningEntry(store, {
    insight: 'Fills within 30 minutes of high-impact US releases slipped more than at other times',
    confidence: 0.4,
    impactType: 'execution',
    marketConditions: { events: ['CPI y/y', 'Non-Farm Employment Change'] },
    botVersion: demo.botVersion,
  });

  const done = await queueIngestionTask(store, {
    sourceType: 'pdf',
    sourceRef: 'uploads/opening-range-breakout.pdf',
  });
  await startIngestionTask(store, done.id);
  await completeIngestionTask(store, done.id, { strategyId: demo.strategy.openingRange! });
  const failed = await queueIngestionTask(store, {
    sourceType: 'youtube',
    sourceRef: 'https://www.youtube.com/watch?v=demo-scalping-101',
  });
  await startIngestionTask(store, failed.id);
  await failIngestionTask(store, failed.id, 'transcript unavailable: captions are disabled for this video');
  await queueIngestionTask(store, { sourceType: 'code', sourceRef: 'git:research/vwap-reversion.py' });
}

export async function botStatus(demo: Demo, btc: CandleRow[], eth: CandleRow[]): Promise<void> {
  const store = demo.store;
  const options = { botVersion: demo.botVersion };
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
