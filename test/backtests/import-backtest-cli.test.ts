/** `tradestore import backtest <file>`: summary, idempotence and exit codes, on both databases. */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.ts';
import { eachDialect } from '../support/dialects.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/backtests/freqtrade-StrategyTestV3-5-trades.json');

eachDialect('tradestore import backtest', (ctx) => {
  test('--json prints runs, trades and per-strategy pnl; a second run is "already imported"', () => {
    const first = runCli(['--db', ctx.url, 'import', 'backtest', FIXTURE, '--json']);
    assert.equal(first.code, 0, first.stderr);
    const summary = JSON.parse(first.stdout);
    assert.equal(summary.imported, 1);
    assert.equal(summary.tradesImported, 5);
    assert.deepEqual(
      summary.runs.map((r: { strategy: string; status: string; trades: number; pnl: string }) => [
        r.strategy,
        r.status,
        r.trades,
        r.pnl,
      ]),
      [['StrategyTestV3', 'imported', 5, '0.00018546365914786896']],
    );
    assert.equal(typeof summary.seconds, 'number');

    const second = runCli(['--db', ctx.url, 'import', 'backtest', FIXTURE]);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stderr, /0 run\(s\) imported, 1 already imported, 0 trade\(s\) written/);
    assert.match(second.stdout, /StrategyTestV3\s+1\s+already imported\s+5\s+0\.00018546365914786896/);
  });

  test('exit 2 for usage errors, 1 for an invalid file (naming file and JSON path)', () => {
    assert.equal(runCli(['--db', ctx.url, 'import', 'backtest']).code, 2);
    const missing = runCli(['--db', ctx.url, 'import', 'backtest', '/nonexistent/result.json']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no such file: \/nonexistent\/result\.json/);
    const dir = mkdtempSync(join(tmpdir(), 'tradestore-ft-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ strategy: { S: { timeframe: '5m', trades: [{ pair: 'A/B' }] } } }));
    const invalid = runCli(['--db', ctx.url, 'import', 'backtest', bad]);
    assert.equal(invalid.code, 1);
    assert.match(
      invalid.stderr,
      /bad\.json: not a freqtrade backtest result: strategy\.S\.trades\[0\]\.open_rate/,
    );
  });
});
