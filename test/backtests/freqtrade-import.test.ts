/**
 * The freqtrade importer against a 5-trade slice of a real freqtrade result
 * (test/fixtures/backtests/README.md). Expected values are worked out by hand from the fixture:
 *
 *   trade  pair     open ts        close ts       open_rate  close_rate (file)        profit_abs (file)
 *   0      TRX/BTC  1515568500000  1515568800000  9.64e-5    0.00010074887218045112   4.5112781954887056e-5
 *   1      ADA/BTC  1515568500000  1515569400000  4.756e-5   4.9705563909774425e-5    4.5112781954887056e-5
 *   2      XLM/BTC  1515569100000  1515569700000  3.339e-5   3.489631578947368e-5     4.5112781954887056e-5
 *   3      TRX/BTC  1515569100000  1515570000000  9.696e-5   0.00010133413533834584   4.5112781954887056e-5
 *   4      ETH/BTC  1515569700000  1515573300000  0.0943     0.09477268170426063      5.012531328320736e-6
 *   (The fixture was reformatted once, which wrote exponents as e-5; the values are the original's.)
 *
 *   Σ profit_abs = 4 × 0.000045112781954887056 + 0.000005012531328320736
 *                = 0.000180451127819548224 + 0.000005012531328320736 = 0.00018546365914786896
 *   final balance = 0.01 + Σ = 0.01018546365914786896; all 5 win → win rate 1, no loss → profit
 *   factor null, equity only rises → max drawdown 0.
 *   close_rate of trade 0 has 20 decimals; stored at 18, half-even: 0.000100748872180451.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import { Decimal } from 'decimal.js';
import { importFreqtradeBacktest } from '../../src/backtests/freqtrade.ts';
import { parseJsonLossless } from '../../src/backtests/lossless-json.ts';
import { getBacktest, listBacktests, listBacktestTrades } from '../../src/backtests/runs.ts';
import { Asset, BacktestRun, Strategy, Trade } from '../../src/entities/all-tables.ts';
import { eachDialect } from '../support/dialects.ts';

const FIXTURE = resolve(import.meta.dirname, '../fixtures/backtests/freqtrade-StrategyTestV3-5-trades.json');
const fixtureText = readFileSync(FIXTURE, 'utf8');

/** The file with its text edited, in a temp dir (named so error messages can be matched). */
function variant(name: string, edit: (text: string) => string): string {
  const path = join(mkdtempSync(join(tmpdir(), 'tradestore-ft-')), name);
  writeFileSync(path, edit(fixtureText));
  return path;
}

/** Each trade's profit_abs exactly as the fixture spells it. */
const PROFIT_TEXTS = [...fixtureText.matchAll(/"profit_abs": ([^,\n]+),/g)].map((m) => m[1]!);

eachDialect('freqtrade backtest import', (ctx) => {
  test('imports one run with every trade, pnl exactly profit_abs', async () => {
    assert.deepEqual(PROFIT_TEXTS, [
      '4.5112781954887056e-5',
      '4.5112781954887056e-5',
      '4.5112781954887056e-5',
      '4.5112781954887056e-5',
      '5.012531328320736e-6',
    ]);
    const result = await importFreqtradeBacktest(ctx.store, FIXTURE);
    assert.equal(result.venue, 'freqtrade');
    assert.equal(result.tradesImported, 5);
    assert.equal(result.runs.length, 1);
    const run = result.runs[0]!;
    assert.equal(run.strategy, 'StrategyTestV3');
    assert.equal(run.status, 'imported');
    assert.equal(run.trades, 5);
    assert.equal(run.pnl, '0.00018546365914786896');
    assert.equal(run.fileProfitTotalAbs, '0.0010419029856968845');

    const trades = await listBacktestTrades(ctx.store, run.runId);
    assert.equal(trades.length, 5);
    trades.forEach((t, i) => {
      assert.ok(t.pnl?.eq(PROFIT_TEXTS[i]!), `trade ${i} pnl ${t.pnl} = ${PROFIT_TEXTS[i]}`);
      assert.equal(t.pnl?.toFixed(), new Decimal(PROFIT_TEXTS[i]!).toFixed());
      assert.equal(t.isBacktest, true);
      assert.equal(t.backtestRunId, run.runId);
      assert.equal(t.strategyId, run.strategyId);
      assert.equal(t.portfolioId, null);
      assert.equal(t.direction, 'long');
      assert.equal(t.outcome, 'win');
      assert.equal(t.testMode, false);
    });
    const sum = trades.reduce((acc, t) => acc.plus(t.pnl!), new Decimal(0));
    assert.equal(sum.toFixed(), '0.00018546365914786896');
    const first = trades[0]!;
    assert.equal(first.entryTime.getTime(), 1515568500000);
    assert.equal(first.exitTime?.getTime(), 1515568800000);
    assert.equal(first.entryPrice.toFixed(), '0.0000964');
    assert.equal(first.exitPrice?.toFixed(), '0.000100748872180451');
    assert.equal(first.quantity.toFixed(), '10.37344398340249');
    assert.equal(first.stopLoss?.toFixed(), '0.00008676');
    assert.equal(first.externalRef, 'freqtrade:TRX/BTC:1515568500000');
    assert.equal(first.reasoning, 'freqtrade exit_reason: roi');
    assert.equal(trades[1]!.reasoning, 'freqtrade exit_reason: roi; enter_tag: buy_tag');
    // fees = open_rate × amount × fee_open + close_rate × amount × fee_close
    //      = 0.0000964 × 10.37344398340249 × 0.0025 + 0.00010074887218045112 × 10.37344398340249 × 0.0025
    //      = 0.000005112781954887218026383801828222 (exactly 36 places, the scale of money)
    assert.equal(first.fees.toFixed(), '0.000005112781954887218026383801828222');

    const em = ctx.store.em();
    const assets = await em.find(Asset, { venue: 'freqtrade' }, { orderBy: { symbol: 'asc' } });
    assert.deepEqual(
      assets.map((a) => [a.symbol, a.kind, a.base, a.quote]),
      [
        ['ADA/BTC', 'crypto', 'ADA', 'BTC'],
        ['ETH/BTC', 'crypto', 'ETH', 'BTC'],
        ['TRX/BTC', 'crypto', 'TRX', 'BTC'],
        ['XLM/BTC', 'crypto', 'XLM', 'BTC'],
      ],
    );
    const strategy = await em.findOneOrFail(Strategy, { name: 'StrategyTestV3' });
    assert.equal(strategy.sourceType, 'code');
  });

  test('the run and result hold the configuration, recomputed columns and freqtrade metrics', async () => {
    const [runRow] = await listBacktests(ctx.store);
    const view = await getBacktest(ctx.store, runRow!.id);
    assert.ok(view);
    const { run, result } = view;
    assert.equal(run.name, 'StrategyTestV3 5m 2018-01-10..2018-01-30');
    assert.equal(run.timeframe, '5m');
    assert.equal(run.periodStart.getTime(), 1515568500000);
    assert.equal(run.periodEnd.getTime(), 1517287500000);
    assert.equal(run.initialBalance.toFixed(), '0.01');
    assert.equal(run.status, 'done');
    assert.deepEqual(run.assets, ['TRX/BTC', 'ADA/BTC', 'XLM/BTC', 'ETH/BTC']);
    assert.deepEqual(run.feeModel, { kind: 'freqtrade', takerRate: '0.0025', makerRate: '0.0025' });
    assert.equal(run.startedAt?.toISOString(), '2020-10-01T18:00:00.000Z');
    assert.equal((run.parameters as { stake_currency: string }).stake_currency, 'BTC');
    assert.deepEqual(view.trades, { production: 5, test: 0 });
    assert.ok(result);
    assert.equal(result.tradeCount, 5);
    assert.equal(result.netProfit?.toFixed(), '0.00018546365914786896');
    assert.equal(result.finalBalance?.toFixed(), '0.01018546365914786896');
    assert.equal(result.winRate, 1);
    assert.equal(result.profitFactor, null);
    assert.equal(result.maxDrawdown?.toFixed(), '0');
    const metrics = result.metrics as {
      freqtrade: Record<string, unknown>;
      strategy_comparison: { wins: number };
    };
    assert.equal(metrics.freqtrade.profit_total_abs, 0.0010419029856968845);
    assert.equal(metrics.freqtrade.max_drawdown_abs, 0.0002000000000000001);
    assert.equal(metrics.freqtrade.trades, undefined);
    assert.equal(metrics.strategy_comparison.wins, 170);
    const curve = result.equityCurve!;
    assert.deepEqual(curve[0], [1515568500000, '0.01']);
    assert.deepEqual(curve.at(-1), [1515573300000, '0.01018546365914786896']);
    assert.equal(curve.length, 6);
  });

  test('importing the same file again reports "already imported" and writes nothing', async () => {
    const again = await importFreqtradeBacktest(ctx.store, FIXTURE, { name: 'another name' });
    assert.equal(again.runs[0]!.status, 'already imported');
    assert.equal(again.runs[0]!.trades, 5);
    assert.equal(again.tradesImported, 0);
    // Reformatted JSON (same values) is the same result too.
    const reformatted = variant('reformatted.json', (t) => JSON.stringify(JSON.parse(t)));
    assert.equal((await importFreqtradeBacktest(ctx.store, reformatted)).runs[0]!.status, 'already imported');
    const em = ctx.store.em();
    assert.equal(await em.count(BacktestRun, {}), 1);
    assert.equal(await em.count(Trade, { isBacktest: true }), 5);
  });

  test('a profit_abs with more digits than a float holds is stored exactly', async () => {
    const exactText = '0.12345678901234567891';
    assert.notEqual(String(Number(exactText)), exactText);
    const path = variant('long-digits.json', (t) => t.replace('5.012531328320736e-6', exactText));
    const result = await importFreqtradeBacktest(ctx.store, path);
    const run = result.runs[0]!;
    assert.equal(run.status, 'imported');
    assert.equal(run.pnl, '0.123637240140165227134');
    const trades = await listBacktestTrades(ctx.store, run.runId);
    assert.equal(trades[4]!.pnl?.toFixed(), exactText);
  });

  test('validation errors name the file and the JSON path, and write nothing', async () => {
    const em = ctx.store.em();
    const before = await em.count(Trade, {});
    const badProfit = variant('bad-profit.json', (t) => {
      const i = t.indexOf('"profit_abs"', t.indexOf('XLM/BTC'));
      return `${t.slice(0, i)}"profit_abs": "lots",${t.slice(t.indexOf('\n', i) + 1)}`;
    });
    await assert.rejects(importFreqtradeBacktest(ctx.store, badProfit), (error: Error) => {
      assert.match(error.message, /bad-profit\.json/);
      assert.match(error.message, /strategy\.StrategyTestV3\.trades\[2\]\.profit_abs: expected a number/);
      return true;
    });
    const badTimeframe = variant('bad-timeframe.json', (t) =>
      t.replace('"timeframe": "5m"', '"timeframe": "7m"'),
    );
    await assert.rejects(
      importFreqtradeBacktest(ctx.store, badTimeframe),
      /bad-timeframe\.json: .*strategy\.StrategyTestV3\.timeframe: accepted timeframes/,
    );
    const zeroAmount = variant('zero-amount.json', (t) =>
      t.replace('"amount": 10.37344398340249', '"amount": 0'),
    );
    await assert.rejects(
      importFreqtradeBacktest(ctx.store, zeroAmount),
      /zero-amount\.json: .*strategy\.StrategyTestV3\.trades\[0\]\.amount: must be > 0/,
    );
    const notJson = variant('broken.json', (t) => t.slice(0, 100));
    await assert.rejects(importFreqtradeBacktest(ctx.store, notJson), /broken\.json: not valid JSON/);
    await assert.rejects(importFreqtradeBacktest(ctx.store, '/nonexistent/x.json'), /x\.json: cannot read/);
    assert.equal(await em.count(Trade, {}), before);
  });

  test('several strategies in one transaction; test mode is hidden from production reads', async () => {
    const doc = parseJsonLossless(fixtureText) as { strategy: Record<string, Record<string, unknown>> };
    const block = doc.strategy.StrategyTestV3!;
    doc.strategy = {
      AlphaFt: { ...block },
      BetaFt: { ...block, trades: (block.trades as unknown[]).slice(0, 2) },
    };
    const result = await importFreqtradeBacktest(ctx.store, doc, {
      venue: 'binance',
      testMode: true,
      fileName: 'two-strategies.json',
    });
    assert.deepEqual(
      result.runs.map((r) => [r.strategy, r.status, r.trades]),
      [
        ['AlphaFt', 'imported', 5],
        ['BetaFt', 'imported', 2],
      ],
    );
    assert.equal(result.venue, 'binance');
    const beta = result.runs[1]!;
    assert.equal(beta.pnl, '0.000090225563909774112');
    assert.deepEqual(await listBacktestTrades(ctx.store, beta.runId), []);
    assert.equal((await listBacktestTrades(ctx.store, beta.runId, { includeTest: true })).length, 2);
    const production = await listBacktests(ctx.store);
    assert.ok(production.every((r) => r.id !== beta.runId));
    const all = await listBacktests(ctx.store, { includeTest: true });
    assert.ok(all.some((r) => r.id === beta.runId));
    assert.deepEqual((await getBacktest(ctx.store, beta.runId))?.trades, { production: 0, test: 2 });
    assert.equal(await ctx.store.em().count(Asset, { venue: 'binance' }), 4);
  });

  test('an invalid strategy anywhere in the file writes none of them', async () => {
    const doc = parseJsonLossless(fixtureText) as { strategy: Record<string, Record<string, unknown>> };
    const block = doc.strategy.StrategyTestV3!;
    doc.strategy = {
      GammaFt: { ...block },
      DeltaFt: { ...block, starting_balance: undefined, dry_run_wallet: undefined },
    };
    await assert.rejects(
      importFreqtradeBacktest(ctx.store, doc, { fileName: 'mixed.json' }),
      /mixed\.json: strategy\.DeltaFt\.starting_balance: required/,
    );
    assert.equal(await ctx.store.em().count(Strategy, { name: 'GammaFt' }), 0);
  });
});
