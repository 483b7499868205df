/**
 * portfolio_snapshots: the portfolio valued at the latest candle close of each open position's
 * asset, and account_snapshots: the broker's view of an account.
 *
 * Marking: for each open position, the close of the newest candle at or before `at` in the given
 * timeframe, or, without one, the smallest timeframe that has a candle (1m before 5m before 1h ...):
 * one primary-key seek per timeframe tried. Candle closes are float64 analysis data; the mark is
 * their shortest decimal form, rounded to 18 places. A position with no candle at all is valued at
 * its cost (unrealized 0) and reported in `unpriced`.
 *
 * Valuation (spot style, matching the cash convention of the fill path):
 *   equity = cash + Σ long quantity × mark − Σ short quantity × mark
 *   invested = Σ cost basis of open positions, unrealized = Σ core `unrealizedPnl(position, mark)`,
 *   realized = Σ net realized P&L of every position lifecycle of the portfolio,
 * so equity − initial balance = realized + unrealized. The open positions' mark_price,
 * unrealized_pnl and marked_at are updated in the same transaction.
 */
import type { Decimal } from 'decimal.js';
import { z } from 'zod';
import { dec } from '../db/column-values.ts';
import { defineListing, type ListingQuery } from '../db/listing.ts';
import type { Store } from '../db/store.ts';
import { col, defineTable } from '../db/table.ts';
import { inTransaction, type Tx } from '../db/transaction.ts';
import { TIMEFRAMES, type Timeframe } from '../entities/common.ts';
import { type Keyset, type Page, sqlPage, Where } from '../db/listing.ts';
import { reading } from '../db/transaction.ts';
import { botVersion, id, moneyValue, nonNegativeMoney, when } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { Exact, exact, ZERO } from '../trading/exact.ts';
import { unrealizedPnl } from '../trading/position-accounting.ts';
import { loadPortfolio } from './portfolios.ts';
import { loadOpenPositions, positions, positionState, type PositionView } from './positions.ts';

export interface PortfolioSnapshotView {
  id: number;
  portfolioId: number;
  takenAt: Date;
  cash: Decimal;
  equity: Decimal;
  invested: Decimal;
  realizedPnl: Decimal;
  unrealizedPnl: Decimal;
  openPositions: number;
  tradeCount: number;
  testMode: boolean;
  botVersion: string | null;
}

export const portfolioSnapshots = defineTable<PortfolioSnapshotView>('portfolio_snapshots', 'snapshot', {
  id: col.id(),
  portfolioId: col.int(),
  takenAt: col.time(),
  cash: col.money(),
  equity: col.money(),
  invested: col.money(),
  realizedPnl: col.money(),
  unrealizedPnl: col.money(),
  openPositions: col.int(),
  tradeCount: col.int(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
});

export interface Mark {
  price: Decimal;
  timeframe: Timeframe;
  /** The candle's open time (epoch ms). */
  ts: number;
}

/** The latest close at or before `at`: in `timeframe`, or in the smallest timeframe that has one. */
export async function latestClose(
  tx: Tx,
  assetId: number,
  at: Date,
  timeframe?: Timeframe,
): Promise<Mark | null> {
  for (const tf of timeframe ? [timeframe] : TIMEFRAMES) {
    const row = await tx.get<{ ts: unknown; close: unknown }>(
      'select ts, close from candles where asset_id = ? and timeframe = ? and ts <= ? order by ts desc limit 1',
      [assetId, tf, at.getTime()],
    );
    if (row) {
      const price = new Exact(String(Number(row.close))).toDecimalPlaces(18);
      return { price, timeframe: tf, ts: Number(row.ts) };
    }
  }
  return null;
}

const TakeSnapshotInput = z
  .object({
    portfolioId: id,
    /** Valuation time (default now): candles after it are ignored. */
    at: when.optional(),
    /** Candle timeframe to mark with; default: the smallest one with data, per asset. */
    timeframe: z.enum(TIMEFRAMES).optional(),
    /** Value the test-mode positions instead of production ones (cash is the portfolio's either way). */
    testMode: z.boolean().default(false),
    botVersion: botVersion.optional(),
  })
  .strict();
export type TakeSnapshotInput = z.input<typeof TakeSnapshotInput>;

export interface SnapshotResult {
  snapshot: PortfolioSnapshotView;
  marks: Array<{ positionId: number; assetId: number; mark: Mark | null; unrealizedPnl: Decimal }>;
  /** Assets of open positions with no candle to mark them (valued at cost). */
  unpriced: number[];
}

export interface MarkedPositions {
  marks: SnapshotResult['marks'];
  /** Assets of open positions with no candle to mark them (valued at cost, unrealized 0). */
  unpriced: number[];
  /** Σ signed market value (a short counts negative); unpriced positions at cost. */
  marketValue: Decimal;
  /** Σ cost basis. */
  invested: Decimal;
  /** Σ unrealized P&L at the marks. */
  unrealized: Decimal;
  /** Σ realized P&L of the open lifecycles (partial reductions, fees paid so far). */
  realizedOpen: Decimal;
}

/**
 * Open positions (`loadOpenPositions`) valued at the latest candle close at or before `at` (read
 * only; the snapshot stores the marks, the risk gate's drawdown reads them).
 */
export async function markOpenPositions(
  tx: Tx,
  open: readonly PositionView[],
  at: Date,
  timeframe?: Timeframe,
): Promise<MarkedPositions> {
  let marketValue = exact(ZERO);
  let invested = exact(ZERO);
  let unrealized = exact(ZERO);
  let realizedOpen = exact(ZERO);
  const marks: SnapshotResult['marks'] = [];
  const unpriced: number[] = [];
  for (const position of open) {
    const mark = await latestClose(tx, position.assetId, at, timeframe);
    const signed = position.side === 'long' ? 1 : -1;
    invested = invested.plus(position.costBasis);
    realizedOpen = realizedOpen.plus(position.realizedPnl);
    let pnl = exact(ZERO);
    if (mark === null) {
      unpriced.push(position.assetId);
      marketValue = marketValue.plus(exact(position.costBasis).times(signed));
    } else {
      pnl = exact(unrealizedPnl(positionState(position), mark.price));
      marketValue = marketValue.plus(exact(position.quantity).times(mark.price).times(signed));
    }
    unrealized = unrealized.plus(pnl);
    marks.push({ positionId: position.id, assetId: position.assetId, mark, unrealizedPnl: pnl });
  }
  return { marks, unpriced, marketValue, invested, unrealized, realizedOpen };
}

/** Values a portfolio's open positions at the latest candle close and stores the snapshot. */
export async function takePortfolioSnapshot(store: Store, input: TakeSnapshotInput): Promise<SnapshotResult> {
  const s = parseInput(TakeSnapshotInput, input, 'portfolio snapshot');
  return inTransaction(store, async (tx) => {
    const at = s.at ?? new Date();
    const portfolio = await loadPortfolio(tx, s.portfolioId);
    const test = tx.bool(s.testMode);
    const open = await loadOpenPositions(tx, portfolio.id, s.testMode);
    const marked = await markOpenPositions(tx, open, at, s.timeframe);
    const realizedRows = await tx.all<{ realized_pnl: unknown }>(
      'select realized_pnl from positions where portfolio_id = ? and test_mode = ?',
      [portfolio.id, test],
    );
    const trades = await tx.get<{ n: unknown }>(
      'select count(*) as n from trades where portfolio_id = ? and test_mode = ? and is_backtest = ?',
      [portfolio.id, test, tx.bool(false)],
    );

    const { marks, unpriced, marketValue, invested, unrealized } = marked;
    for (const { positionId, mark, unrealizedPnl: pnl } of marks) {
      if (mark === null) continue;
      await positions.update(tx, positionId, {
        markPrice: exact(mark.price),
        unrealizedPnl: pnl,
        markedAt: at,
        updatedAt: new Date(),
      });
    }
    const realized = realizedRows.reduce((sum, r) => sum.plus(dec(r.realized_pnl)), exact(ZERO));
    const cash = exact(portfolio.cashBalance);
    const snapshot = await portfolioSnapshots.insert(tx, {
      portfolioId: portfolio.id,
      takenAt: at,
      cash,
      equity: cash.plus(marketValue),
      invested,
      realizedPnl: realized,
      unrealizedPnl: unrealized,
      openPositions: open.length,
      tradeCount: Number(trades?.n ?? 0),
      testMode: s.testMode,
      botVersion: s.botVersion ?? null,
    });
    return { snapshot, marks, unpriced };
  });
}

/** A portfolio's snapshots (its equity curve), oldest first. */
export const listPortfolioSnapshots = defineListing(portfolioSnapshots, {
  fields: { portfolioId: id },
  window: 'taken_at',
  orderBy: 'taken_at, id',
});
export type SnapshotQuery = ListingQuery<typeof listPortfolioSnapshots>;

// ---- account snapshots -------------------------------------------------------------------------

export interface AccountSnapshotView {
  id: number;
  portfolioId: number | null;
  accountRef: string | null;
  balance: Decimal;
  equity: Decimal;
  marginUsed: Decimal;
  marginFree: Decimal;
  openPl: Decimal;
  openPositions: number;
  capturedAt: Date;
  testMode: boolean;
  botVersion: string | null;
}

const accountSnapshots = defineTable<AccountSnapshotView>('account_snapshots', 'account snapshot', {
  id: col.id(),
  portfolioId: col.intOrNull(),
  accountRef: col.textOrNull(),
  balance: col.money(),
  equity: col.money(),
  marginUsed: col.money(),
  marginFree: col.money(),
  openPl: col.money(),
  openPositions: col.int(),
  capturedAt: col.time(),
  testMode: col.bool(),
  botVersion: col.textOrNull(),
});

const AccountSnapshotInput = z
  .object({
    portfolioId: id.optional(),
    accountRef: z.string().min(1).max(128).optional(),
    balance: moneyValue,
    equity: moneyValue,
    marginUsed: nonNegativeMoney,
    marginFree: moneyValue,
    openPl: moneyValue,
    openPositions: z.number().int().min(0),
    capturedAt: when.optional(),
    testMode: z.boolean().default(false),
    botVersion: botVersion.optional(),
  })
  .strict();
export type AccountSnapshotInput = z.input<typeof AccountSnapshotInput>;

/** Stores the broker's account state as reported. */
export async function recordAccountSnapshot(
  store: Store,
  input: AccountSnapshotInput,
): Promise<AccountSnapshotView> {
  const a = parseInput(AccountSnapshotInput, input, 'account snapshot');
  return inTransaction(store, async (tx) => {
    if (a.portfolioId !== undefined) await loadPortfolio(tx, a.portfolioId);
    return accountSnapshots.insert(tx, {
      portfolioId: a.portfolioId ?? null,
      accountRef: a.accountRef ?? null,
      balance: a.balance,
      equity: a.equity,
      marginUsed: a.marginUsed,
      marginFree: a.marginFree,
      openPl: a.openPl,
      openPositions: a.openPositions,
      capturedAt: a.capturedAt ?? new Date(),
      testMode: a.testMode,
      botVersion: a.botVersion ?? null,
    });
  });
}

/** Account snapshots, newest first. */
export const listAccountSnapshots = defineListing(accountSnapshots, {
  fields: { portfolioId: id.optional(), accountRef: z.string().optional() },
  window: 'captured_at',
  orderBy: 'captured_at desc, id desc',
});
export type AccountSnapshotQuery = ListingQuery<typeof listAccountSnapshots>;

/** A portfolio's account snapshots newest first, a keyset page; production only unless `includeTest`. */
export async function pageAccountSnapshots(
  store: Store,
  query: Keyset & { portfolioId: number; includeTest?: boolean | undefined },
): Promise<Page<AccountSnapshotView>> {
  return reading(store, (tx) => {
    const filter = new Where().add('a.portfolio_id = ?', query.portfolioId);
    if (!query.includeTest) filter.add('a.test_mode = ?', tx.bool(false));
    return sqlPage(tx, {
      from: 'account_snapshots a',
      alias: 'a',
      filter,
      keyset: query,
      map: (_tx, rows) => rows.map((row) => accountSnapshots.fromRow(row)),
    });
  });
}
