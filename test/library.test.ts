import assert from 'node:assert/strict';
import { test } from 'node:test';
import * as tradestore from '../src/index.ts';
import { eachDialect } from './support/dialects.ts';

test('the library entry exposes the store, the services and the entities', () => {
  for (const name of [
    'openStore',
    'migrateUp',
    'ensureAsset',
    'insertCandles',
    'readCandles',
    'resampleCandles',
    'importCandleFile',
    'actOnSignal',
    'recordFill',
    'placeOrder',
    'createPortfolio',
    'registerStrategy',
    'recordBacktest',
    'prune',
    'Candle',
    'DecimalType',
  ]) {
    assert.equal(typeof (tradestore as Record<string, unknown>)[name], 'function', name);
  }
  assert.ok(Array.isArray(tradestore.entities) && tradestore.entities.length >= 31);
});

eachDialect('library usage', (ctx) => {
  test('candles in and out through the public API', async () => {
    const asset = await tradestore.ensureAsset(ctx.store, { symbol: 'LIB/USDT', venue: 'test' });
    const rows = [0, 1, 2].map((i) => ({
      ts: Date.UTC(2024, 0, 1) + i * 60_000,
      open: 1 + i,
      high: 2 + i,
      low: 0.5 + i,
      close: 1.5 + i,
      volume: 10,
    }));
    assert.deepEqual(await tradestore.insertCandles(ctx.store, asset, '1m', rows), {
      inserted: 3,
      updated: 0,
      skipped: 0,
    });
    assert.deepEqual(await tradestore.readCandles(ctx.store, asset, '1m'), rows);
    const [hour] = await tradestore.resampleCandles(ctx.store, asset, '1m', '1h');
    assert.deepEqual(hour, { ts: Date.UTC(2024, 0, 1), open: 1, high: 4, low: 0.5, close: 3.5, volume: 30 });
  });
});
