/**
 * Candles written straight into the table of an older schema (the candles layout migration's test
 * and benchmark start from one): today's importer also appends an event, to a table such a schema
 * does not have yet.
 */
import type { Store } from '../../src/db/store.ts';
import type { CandleRow } from '../../src/marketdata/candles.ts';

export async function insertOldSchemaCandles(
  store: Store,
  assetId: number,
  timeframe: string,
  rows: readonly CandleRow[],
): Promise<void> {
  await store.withSqlite((db) => {
    const insert = db.prepare('insert into candles values (?, ?, ?, ?, ?, ?, ?, ?)');
    db.exec('begin');
    try {
      for (const r of rows) insert.run(assetId, timeframe, r.ts, r.open, r.high, r.low, r.close, r.volume);
      db.exec('commit');
    } catch (error) {
      db.exec('rollback');
      throw error;
    }
  });
}
