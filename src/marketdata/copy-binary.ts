/**
 * PostgreSQL binary COPY for candles. Binary skips what text COPY costs on both sides: formatting
 * every float to decimal text here and parsing it back on the server. Rows are encoded in chunks
 * that stream while the server ingests the previous ones.
 */
import type { CandleRow } from './formats/types.ts';

const SIGNATURE = Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1');
const ROWS_PER_CHUNK = 2048;

/**
 * Tuples of (ts int8, open, high, low, close, volume float8), or with a key prefix
 * (asset_id int4, timeframe text, ts, …) when copying straight into `candles`.
 */
export function* binaryCandles(rows: readonly CandleRow[], key?: { assetId: number; timeframe: string }) {
  const timeframe = key ? Buffer.from(key.timeframe, 'utf8') : null;
  const fields = key ? 8 : 6;
  const rowBytes = 2 + (key ? 8 + 4 + timeframe!.length : 0) + 6 * 12;
  const header = Buffer.alloc(SIGNATURE.length + 8);
  SIGNATURE.copy(header, 0);
  yield header;
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    const buf = Buffer.allocUnsafe((end - start) * rowBytes + (end === rows.length ? 2 : 0));
    let o = 0;
    for (let i = start; i < end; i++) {
      const r = rows[i]!;
      o = buf.writeInt16BE(fields, o);
      if (key) {
        o = buf.writeInt32BE(4, o);
        o = buf.writeInt32BE(key.assetId, o);
        o = buf.writeInt32BE(timeframe!.length, o);
        o += timeframe!.copy(buf, o);
      }
      o = buf.writeInt32BE(8, o);
      o = buf.writeBigInt64BE(BigInt(r.ts), o);
      for (const v of [r.open, r.high, r.low, r.close, r.volume]) {
        o = buf.writeInt32BE(8, o);
        o = buf.writeDoubleBE(v, o);
      }
    }
    if (end === rows.length) buf.writeInt16BE(-1, o);
    yield buf;
  }
  if (rows.length === 0) yield Buffer.from([0xff, 0xff]);
}
