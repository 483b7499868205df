/**
 * Portfolios, risk configs and snapshots on both databases.
 */
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { Decimal } from 'decimal.js';
import { recordFill } from '../../src/execution/fills.ts';
import { readMigrations } from '../../src/migrate/files.ts';
import { migrateDown, migrateUp } from '../../src/migrate/runner.ts';
import { placeOrder } from '../../src/execution/orders.ts';
import {
  createPortfolio,
  getPortfolio,
  listPortfolios,
  updatePortfolio,
} from '../../src/portfolios/portfolios.ts';
import { getOpenPosition, listPositions } from '../../src/portfolios/positions.ts';
import {
  getEffectiveRiskConfig,
  getRiskConfig,
  removePortfolioRiskConfig,
  setGlobalRiskConfig,
  setPortfolioRiskConfig,
} from '../../src/portfolios/risk-configs.ts';
import {
  listAccountSnapshots,
  listPortfolioSnapshots,
  recordAccountSnapshot,
  takePortfolioSnapshot,
} from '../../src/portfolios/snapshots.ts';
import { createAssets, createUser, unique } from '../execution/fixtures.ts';
import { eachDialect } from '../support/dialects.ts';

eachDialect('portfolios', (ctx) => {
  let owner = { id: 0, email: '' };

  before(async () => {
    owner = await createUser(ctx.store);
  });

  test('several portfolios per user, names unique per owner, cash starts at the initial balance', async () => {
    const other = await createUser(ctx.store);
    const a = await createPortfolio(ctx.store, {
      owner: owner.email,
      name: 'Swing',
      initialBalance: '2500.123456789012345678901234',
    });
    const b = await createPortfolio(ctx.store, {
      owner: owner.id,
      name: 'Scalp',
      initialBalance: '100',
      mode: 'live',
    });
    await createPortfolio(ctx.store, { owner: other.id, name: 'Swing', initialBalance: '1' });
    assert.equal(a.cashBalance.toFixed(), '2500.123456789012345678901234');
    await assert.rejects(
      createPortfolio(ctx.store, { owner: owner.id, name: 'Swing', initialBalance: '5' }),
      /already has a portfolio named "Swing"/,
    );
    const mine = await listPortfolios(ctx.store, { owner: owner.email });
    assert.deepEqual(
      mine.map((p) => p.name),
      ['Scalp', 'Swing'],
    );
    assert.deepEqual(
      (await listPortfolios(ctx.store, { owner: owner.id, mode: 'live' })).map((p) => p.id),
      [b.id],
    );
    const updated = await updatePortfolio(ctx.store, {
      portfolioId: b.id,
      maxPositions: 3,
      maxPositionSize: '500',
      status: 'paused',
    });
    assert.equal(updated.maxPositions, 3);
    assert.equal(updated.status, 'paused');
    await updatePortfolio(ctx.store, { portfolioId: b.id, status: 'closed' });
    await assert.rejects(
      updatePortfolio(ctx.store, { portfolioId: b.id, status: 'active' }),
      /closed and cannot be reopened/,
    );
    await assert.rejects(getPortfolio(ctx.store, 999_999), /does not exist/);
    await assert.rejects(
      createPortfolio(ctx.store, { owner: owner.id, name: 'x', initialBalance: '-1' }),
      /must be >= 0/,
    );
  });

  test('risk configs: one global row, per-portfolio overrides, effective config', async () => {
    const p = await createPortfolio(ctx.store, {
      owner: owner.id,
      name: unique('risk'),
      initialBalance: '1000',
    });
    const global = await setGlobalRiskConfig(ctx.store, {
      aiTradingEnabled: true,
      maxLotSize: '2',
      minConfidenceThreshold: 0.6,
    });
    const again = await setGlobalRiskConfig(ctx.store, { maxConcurrentTrades: 4 });
    assert.equal(again.id, global.id, 'still the one global row');
    assert.equal(again.maxLotSize?.toString(), '2');
    assert.equal(again.maxConcurrentTrades, 4);
    assert.equal(await getRiskConfig(ctx.store, { portfolioId: p.id }), null);

    await setPortfolioRiskConfig(ctx.store, {
      portfolioId: p.id,
      maxLotSize: '0.5',
      dailyProfitTarget: '100',
      stopAfterTarget: true,
    });
    const effective = await getEffectiveRiskConfig(ctx.store, { portfolioId: p.id });
    assert.equal(effective.effective.maxLotSize?.toString(), '0.5');
    assert.equal(effective.effective.maxConcurrentTrades, 4, 'inherited from the global row');
    assert.equal(effective.effective.aiTradingEnabled, true);
    assert.equal(effective.effective.minConfidenceThreshold, 0.6);
    assert.equal(effective.effective.stopAfterTarget, true);

    assert.ok(await removePortfolioRiskConfig(ctx.store, { portfolioId: p.id }));
    assert.equal(await removePortfolioRiskConfig(ctx.store, { portfolioId: p.id }), false);
    assert.equal(
      (await getEffectiveRiskConfig(ctx.store, { portfolioId: p.id })).effective.maxLotSize?.toString(),
      '2',
    );
    await assert.rejects(
      setPortfolioRiskConfig(ctx.store, { portfolioId: 999_999, maxLotSize: '1' }),
      /does not exist/,
    );
    await assert.rejects(
      setGlobalRiskConfig(ctx.store, { minConfidenceThreshold: 2 }),
      /invalid risk config/,
    );
  });

  test('snapshots value open positions at the latest candle close', async () => {
    const p = await createPortfolio(ctx.store, {
      owner: owner.id,
      name: unique('snap'),
      initialBalance: '100000',
    });
    const [btc, eth, sol] = (await createAssets(
      ctx.store,
      ['BTC/USDT', 'ETH/USDT', 'SOL/USDT'],
      unique('snapvenue'),
    )) as [number, number, number];
    const t = Date.parse('2026-03-01T00:00:00Z');
    const candle = (asset: number, timeframe: string, ts: number, close: number) => ({
      asset_id: asset,
      timeframe,
      ts,
      open: close,
      high: close,
      low: close,
      close,
      volume: 1,
    });
    await ctx.store.kysely
      .insertInto('candles')
      .values([
        candle(btc, '1h', t, 50000),
        candle(btc, '1h', t + 3_600_000, 51000.5),
        candle(btc, '1m', t + 60_000, 50500.25), // 1m is smaller, preferred by default
        candle(btc, '1m', t + 10 * 3_600_000, 99999), // after the valuation time: ignored
        candle(eth, '1d', t, 3000.1),
      ])
      .execute();
    const buy = async (assetId: number, side: 'buy' | 'sell', quantity: string, price: string) => {
      const { order } = await placeOrder(ctx.store, { portfolioId: p.id, assetId, side, quantity });
      await recordFill(ctx.store, { orderId: order.id, quantity, price, fee: '1' });
    };
    await buy(btc, 'buy', '0.5', '50000');
    await buy(eth, 'sell', '2', '3100');
    await buy(sol, 'buy', '10', '20');
    const at = new Date(t + 2 * 3_600_000);

    const { snapshot, marks, unpriced } = await takePortfolioSnapshot(ctx.store, { portfolioId: p.id, at });
    assert.deepEqual(unpriced, [sol]);
    assert.deepEqual(
      marks.map((m) => m.mark && [m.mark.timeframe, m.mark.price.toString()]),
      [['1m', '50500.25'], ['1d', '3000.1'], null],
    );
    const cash = new Decimal(100000).minus(25000).minus(1).plus(6200).minus(1).minus(200).minus(1);
    assert.ok(snapshot.cash.eq(cash), `cash ${snapshot.cash}`);
    const btcValue = new Decimal('0.5').times('50500.25');
    const ethValue = new Decimal(2).times('3000.1');
    assert.ok(snapshot.equity.eq(cash.plus(btcValue).minus(ethValue).plus(200)), `equity ${snapshot.equity}`);
    assert.ok(
      snapshot.unrealizedPnl.eq(new Decimal('250.125').plus('199.8')),
      `unrealized ${snapshot.unrealizedPnl}`,
    );
    assert.ok(snapshot.realizedPnl.eq(-3));
    assert.ok(snapshot.invested.eq(25000 + 6200 + 200));
    assert.equal(snapshot.openPositions, 3);
    assert.equal(snapshot.tradeCount, 3);
    // equity − initial = realized + unrealized
    assert.ok(snapshot.equity.minus(100000).eq(snapshot.realizedPnl.plus(snapshot.unrealizedPnl)));
    const position = await getOpenPosition(ctx.store, { portfolioId: p.id, assetId: btc });
    assert.equal(position?.markPrice?.toString(), '50500.25');
    assert.equal(position?.unrealizedPnl?.toString(), '250.125');

    const hourly = await takePortfolioSnapshot(ctx.store, { portfolioId: p.id, at, timeframe: '1h' });
    assert.equal(hourly.marks[0]!.mark?.price.toString(), '51000.5');
    assert.deepEqual(hourly.unpriced, [eth, sol]);
    const history = await listPortfolioSnapshots(ctx.store, { portfolioId: p.id });
    assert.equal(history.items.length, 2);
    assert.deepEqual(history.counts, { production: 2, test: 0 });
  });

  test('closing a marked position zeroes its unrealized P&L; reducing one revalues it at the mark', async () => {
    const p = await createPortfolio(ctx.store, {
      owner: owner.id,
      name: unique('close'),
      initialBalance: '1000',
    });
    const [asset] = (await createAssets(ctx.store, ['ADA/USDT'], unique('closevenue'))) as [number];
    const t = Date.parse('2026-03-02T00:00:00Z');
    await ctx.store.kysely
      .insertInto('candles')
      .values({
        asset_id: asset,
        timeframe: '1h',
        ts: t,
        open: 110,
        high: 110,
        low: 110,
        close: 110,
        volume: 1,
      })
      .execute();
    const fill = async (side: 'buy' | 'sell', quantity: string, price: string) => {
      const { order } = await placeOrder(ctx.store, { portfolioId: p.id, assetId: asset, side, quantity });
      return recordFill(ctx.store, { orderId: order.id, quantity, price, fee: '0' });
    };
    const stored = async () => (await listPositions(ctx.store, { portfolioId: p.id, status: 'all' })).items;

    await fill('buy', '2', '100');
    await takePortfolioSnapshot(ctx.store, { portfolioId: p.id, at: new Date(t + 60_000) });
    assert.equal((await stored())[0]!.unrealizedPnl?.toString(), '20');

    // Half sold: what is left is still marked at 110, so 1 × 110 − 100.
    const half = await fill('sell', '1', '105');
    assert.equal(half.position?.unrealizedPnl?.toString(), '10');
    assert.equal((await stored())[0]!.unrealizedPnl?.toString(), '10');

    const closed = await fill('sell', '1', '105');
    assert.equal(closed.position, null);
    assert.equal(closed.closedPosition?.unrealizedPnl?.toString(), '0');
    const [row] = await stored();
    assert.equal(row!.status, 'closed');
    assert.equal(row!.unrealizedPnl?.toString(), '0', 'a closed position kept its last unrealized P&L');
    assert.equal(row!.realizedPnl.toString(), '10');
  });

  test('the closed_positions_unrealized migration zeroes what closed positions kept, and nothing else', async () => {
    const p = await createPortfolio(ctx.store, {
      owner: owner.id,
      name: unique('stale'),
      initialBalance: '1000',
    });
    const [a, b] = (await createAssets(ctx.store, ['DOT/USDT', 'XLM/USDT'], unique('stalevenue'))) as [
      number,
      number,
    ];
    const fill = async (assetId: number, side: 'buy' | 'sell', quantity: string) => {
      const { order } = await placeOrder(ctx.store, { portfolioId: p.id, assetId, side, quantity });
      await recordFill(ctx.store, { orderId: order.id, quantity, price: '10', fee: '0' });
    };
    await fill(a, 'buy', '1');
    await fill(a, 'sell', '1');
    await fill(b, 'buy', '1');
    const names = readMigrations(ctx.dialect).map((m) => m.name);
    const fix = '20261201092000_closed_positions_unrealized';
    await migrateDown(ctx.store, { to: names[names.indexOf(fix) - 1]! });
    // What a database written before the fix holds: the closed one kept its last mark's value.
    await ctx.store.kysely
      .updateTable('positions')
      .set({ unrealized_pnl: '20' })
      .where('portfolio_id', '=', p.id)
      .execute();
    const { applied } = await migrateUp(ctx.store);
    assert.ok(applied.includes(fix), applied.join(', '));
    const rows = (await listPositions(ctx.store, { portfolioId: p.id, status: 'all' })).items;
    const byAsset = new Map(rows.map((r) => [r.assetId, r]));
    assert.equal(byAsset.get(a)!.status, 'closed');
    assert.equal(byAsset.get(a)!.unrealizedPnl?.toString(), '0');
    assert.equal(byAsset.get(b)!.status, 'open');
    assert.equal(byAsset.get(b)!.unrealizedPnl?.toString(), '20', "an open position is the next snapshot's");
  });

  test('account snapshots are stored exactly and listed newest first', async () => {
    const p = await createPortfolio(ctx.store, {
      owner: owner.id,
      name: unique('acct'),
      initialBalance: '1',
    });
    const first = await recordAccountSnapshot(ctx.store, {
      portfolioId: p.id,
      accountRef: 'OANDA-001',
      balance: '10000.000000000000000000000000000001',
      equity: '10012.5',
      marginUsed: '250',
      marginFree: '9762.5',
      openPl: '12.5',
      openPositions: 1,
      capturedAt: new Date('2026-02-01T00:00:00Z'),
    });
    assert.equal(first.balance.toFixed(), '10000.000000000000000000000000000001');
    await recordAccountSnapshot(ctx.store, {
      portfolioId: p.id,
      accountRef: 'OANDA-001',
      balance: '1',
      equity: '1',
      marginUsed: '0',
      marginFree: '1',
      openPl: '0',
      openPositions: 0,
      capturedAt: new Date('2026-02-02T00:00:00Z'),
      testMode: true,
    });
    const listing = await listAccountSnapshots(ctx.store, { portfolioId: p.id, includeTest: true });
    assert.deepEqual(
      listing.items.map((s) => s.capturedAt.toISOString()),
      ['2026-02-02T00:00:00.000Z', '2026-02-01T00:00:00.000Z'],
    );
    assert.deepEqual(listing.counts, { production: 1, test: 1 });
    await assert.rejects(
      recordAccountSnapshot(ctx.store, {
        balance: '1',
        equity: '1',
        marginUsed: '-1',
        marginFree: '1',
        openPl: '0',
        openPositions: 0,
      }),
      /invalid account snapshot/,
    );
  });
});
