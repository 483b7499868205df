/**
 * The raw baseline of a candle file import, run as its own process by bench/import.ts: the whole
 * freqtrade JSON file read and `JSON.parse`d, then one bare prepared insert per row into a
 * `WITHOUT ROWID` table with the candles' primary key, 50,000 rows per transaction (as the
 * importer commits), on a connection with tradestore's pragmas.
 * Usage: node bench/bare-import.ts <file.json> <database file>
 */
import { readFileSync } from 'node:fs';
import { openSqliteDatabase } from '../src/db/sqlite-connection.ts';

const [file, path] = process.argv.slice(2);
if (!file || !path) throw new Error('usage: bare-import.ts <file.json> <database file>');
const db = openSqliteDatabase(path);
db.exec(
  'create table if not exists candles (asset_id integer not null, timeframe text not null, ts integer not null, ' +
    'open real not null, high real not null, low real not null, close real not null, volume real not null, ' +
    'primary key (asset_id, timeframe, ts)) without rowid',
);
const rows = JSON.parse(readFileSync(file, 'utf8')) as number[][];
const insert = db.prepare(
  'insert into candles (asset_id, timeframe, ts, open, high, low, close, volume) values (?, ?, ?, ?, ?, ?, ?, ?)',
);
for (let i = 0; i < rows.length; i += 50_000) {
  db.exec('begin immediate');
  for (const r of rows.slice(i, i + 50_000)) insert.run(1, '1m', r[0]!, r[1]!, r[2]!, r[3]!, r[4]!, r[5]!);
  db.exec('commit');
}
db.close();
process.stdout.write(`${rows.length}\n`);
