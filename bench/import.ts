/**
 * A candle file import as a whole process: `tradestore import candles` of a freqtrade JSON file
 * (1,000,000 one-minute candles at BENCH_SCALE=1) against the raw baseline process of
 * bench/bare-import.ts, median of N runs each, every run on a fresh, migrated database file.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BIN, measureProcess, type ProcessRow } from './processes.ts';

const BARE = resolve(import.meta.dirname, 'bare-import.ts');

/**
 * A freqtrade candle file as freqtrade writes it (`[[ts, o, h, l, c, v], …]`, 8 decimals), a seeded
 * random walk written in 1 MB pieces so that generating it needs no big string.
 */
export function writeFreqtradeFile(path: string, n: number): void {
  const fd = openSync(path, 'w');
  try {
    let s = 7;
    let price = 30_000;
    let out = '[';
    for (let i = 0; i < n; i++) {
      s = (s * 1103515245 + 12345) % 2147483648;
      const open = price;
      const close = Math.max(1, price + (s / 2147483648 - 0.5) * 20);
      const high = Math.max(open, close) + 1.25;
      const low = Math.min(open, close) - 1.25;
      const volume = (s % 100_000) / 1000;
      const r8 = (x: number) => Number(x.toFixed(8));
      out += `${i ? ', ' : ''}[${Date.UTC(2020, 0, 1) + i * 60_000}, ${r8(open)}, ${r8(high)}, ${r8(low)}, ${r8(close)}, ${r8(volume)}]`;
      if (out.length > 1 << 20) {
        writeSync(fd, out);
        out = '';
      }
      price = close;
    }
    writeSync(fd, `${out}]`);
  } finally {
    closeSync(fd);
  }
}

export function benchImportProcess(options: {
  candles: number;
  runs: number;
  log: (line: string) => void;
}): ProcessRow {
  const dir = mkdtempSync(join(tmpdir(), 'tradestore-bench-import-'));
  try {
    const file = join(dir, 'BTC_USDT-1m.json');
    writeFreqtradeFile(file, options.candles);
    const db = join(dir, 'import.db');
    const fresh = (migrate: boolean) => () => {
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${db}${suffix}`, { force: true });
      if (!migrate) return;
      const r = spawnSync(process.execPath, [BIN, '--db', `sqlite:${db}`, 'migrate', 'up', '--no-backup'], {
        encoding: 'utf8',
      });
      if (r.status !== 0) throw new Error(`migrate up failed: ${r.stderr}`);
    };
    options.log(
      `import: ${options.candles.toLocaleString()} candles from a freqtrade JSON file, whole processes`,
    );
    const baseline = measureProcess([BARE, file, db], { runs: options.runs, before: fresh(false) });
    const ours = measureProcess(
      [
        BIN,
        '--db',
        `sqlite:${db}`,
        'import',
        'candles',
        file,
        '--asset',
        'BTC/USDT',
        '--timeframe',
        '1m',
        '--json',
      ],
      { runs: options.runs, before: fresh(true) },
    );
    return {
      what: `import candles, freqtrade JSON, ${options.candles.toLocaleString('en-US')} rows (SQLite file)`,
      baselineName: 'JSON.parse + bare prepared insert per row, WITHOUT ROWID',
      baseline,
      ours,
      target: { kind: 'min-ratio', ratio: 0.8, rows: options.candles },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
