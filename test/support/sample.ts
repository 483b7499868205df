/**
 * A small, deterministic spread of rows across the schema (users to candles), written through the
 * ORM and the candle fast path: enough for backup/restore and migration tests to have data to lose.
 */
import { Decimal } from 'decimal.js';
import type { Store } from '../../src/db/store.ts';
import {
  AccountSnapshot,
  Asset,
  BotStatus,
  ErrorLog,
  Portfolio,
  Signal,
  Strategy,
  StrategyVersion,
  User,
} from '../../src/entities/all-tables.ts';
import { insertCandles } from '../../src/marketdata/candles.ts';

export async function seedSample(store: Store): Promise<{ assetIds: number[]; portfolioId: number }> {
  const em = store.em();
  const user = em.create(User, {
    email: 'Sample@Example.com',
    passwordHash: 'scrypt$x',
    role: 'trader',
  } as never);
  const portfolio = em.create(Portfolio, {
    owner: user,
    name: 'main',
    baseCurrency: 'USDT',
    mode: 'paper',
    initialBalance: new Decimal('10000'),
    cashBalance: new Decimal('10000.123456789012345678'),
  } as never);
  const assets = ['BTC/USDT', 'ETH/USDT'].map((symbol) =>
    em.create(Asset, { symbol, venue: 'binance', kind: 'crypto', tickSize: new Decimal('0.01') } as never),
  );
  const strategy = em.create(Strategy, { name: 'breakout', sourceType: 'manual' } as never);
  em.create(StrategyVersion, { strategy, versionHash: 'a'.repeat(64), config: { lookback: 20 } } as never);
  for (let i = 0; i < 5; i++) {
    em.create(Signal, {
      portfolio,
      strategy,
      strategyVersion: 'a'.repeat(64),
      asset: assets[i % 2],
      ts: new Date(Date.UTC(2024, 0, 1, i)),
      price: new Decimal(`4210${i}.123456789`),
      action: i % 2 ? 'sell' : 'buy',
      confidence: 0.5 + i / 10,
      components: { sentiment: { signal: 'BUY', confidence: 0.9 } },
      testMode: i === 4,
    } as never);
  }
  em.create(ErrorLog, {
    ts: new Date(Date.UTC(2024, 0, 2)),
    level: 'error',
    source: 'feed',
    message: 'timeout',
  } as never);
  em.create(BotStatus, { key: 'heartbeat', value: { ok: true } } as never);
  em.create(AccountSnapshot, {
    balance: new Decimal('1.000000000000000001'),
    equity: new Decimal('2'),
    marginUsed: new Decimal('0'),
    marginFree: new Decimal('2'),
    openPl: new Decimal('-0.5'),
    openPositions: 0,
    capturedAt: new Date(Date.UTC(2024, 0, 3)),
  } as never);
  await em.flush();
  const assetIds = assets.map((a) => a.id as number);
  const start = Date.UTC(2024, 0, 1);
  for (const assetId of assetIds) {
    const candles = Array.from({ length: 500 }, (_, i) => ({
      ts: start + i * 60_000,
      open: 100 + i,
      high: 101 + i,
      low: 99 + i,
      close: 100.5 + i,
      volume: i * 0.1,
    }));
    await insertCandles(store, assetId, '1m', candles);
  }
  return { assetIds, portfolioId: portfolio.id as number };
}
