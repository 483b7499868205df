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
import type { Store } from '../db/store.ts';
import { TIMEFRAMES, type Timeframe } from '../entities/common.ts';
import { bool, dec, int, intOrNull, moneyParam, priceParam, strOrNull, time } from '../db/column-values.ts';
import { type Keyset, type Listing, listWithCounts, type Page, sqlPage, Where } from '../db/listing.ts';
import { inTransaction, type Row, reading, type Tx } from '../db/transaction.ts';
import { parseInput } from '../input/parse.ts';
import {
  botVersion,
  id,
  limit,
  moneyValue,
  nonNegativeMoney,
  offset,
  testScope,
  when,
} from '../input/fields.ts';
import { Exact, exact, ZERO } from '../trading/exact.ts';
import { unrealizedPnl } from '../trading/position-accounting.ts';
import { loadPortfolio } from './portfolios.ts';
import { loadOpenPositions, positionState, type PositionView } from './positions.ts';

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

export function snapshotFromRow(r: Row): PortfolioSnapshotView {
  return {
    id: int(r.id),
    portfolioId: int(r.portfolio_id),
    takenAt: time(r.taken_at),
    cash: dec(r.cash),
    equity: dec(r.equity),
    invested: dec(r.invested),
    realizedPnl: dec(r.realized_pnl),
    unrealizedPnl: dec(r.unrealized_pnl),
    openPositions: int(r.open_positions),
    tradeCount: int(r.trade_count),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
  };
}

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
      await tx.run(
        'update positions set mark_price = ?, unrealized_pnl = ?, marked_at = ?, updated_at = ? where id = ?',
        [priceParam(mark.price), moneyParam(pnl), tx.time(at), tx.time(new Date()), positionId],
      );
    }
    const realized = realizedRows.reduce((sum, r) => sum.plus(dec(r.realized_pnl)), exact(ZERO));
    const cash = exact(portfolio.cashBalance);
    const equity = cash.plus(marketValue);
    const row = await tx.get(
      `insert into portfolio_snapshots (portfolio_id, taken_at, cash, equity, invested, realized_pnl, unrealized_pnl,
         open_positions, trade_count, test_mode, bot_version)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning *`,
      [
        portfolio.id,
        tx.time(at),
        moneyParam(cash, 'cash'),
        moneyParam(equity, 'equity'),
        moneyParam(invested, 'invested'),
        moneyParam(realized, 'realized pnl'),
        moneyParam(unrealized, 'unrealized pnl'),
        open.length,
        Number(trades?.n ?? 0),
        test,
        s.botVersion ?? null,
      ],
    );
    return { snapshot: snapshotFromRow(row!), marks, unpriced };
  });
}

const SnapshotQuery = z
  .object({ portfolioId: id, from: when.optional(), to: when.optional(), limit, offset, ...testScope })
  .strict();
export type SnapshotQuery = z.input<typeof SnapshotQuery>;

/** A portfolio's snapshots (its equity curve), oldest first. */
export async function listPortfolioSnapshots(
  store: Store,
  query: SnapshotQuery,
): Promise<Listing<PortfolioSnapshotView>> {
  const q = parseInput(SnapshotQuery, query, 'snapshot query');
  return reading(store, (tx) =>
    listWithCounts(tx, {
      select: '*',
      from: 'portfolio_snapshots',
      filter: new Where()
        .add('portfolio_id = ?', q.portfolioId)
        .when(q.from, 'taken_at >= ?', q.from && tx.time(q.from))
        .when(q.to, 'taken_at < ?', q.to && tx.time(q.to)),
      scope: q,
      orderBy: 'taken_at, id',
      limit: q.limit,
      offset: q.offset,
      map: snapshotFromRow,
    }),
  );
}

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

function accountSnapshotFromRow(r: Row): AccountSnapshotView {
  return {
    id: int(r.id),
    portfolioId: intOrNull(r.portfolio_id),
    accountRef: strOrNull(r.account_ref),
    balance: dec(r.balance),
    equity: dec(r.equity),
    marginUsed: dec(r.margin_used),
    marginFree: dec(r.margin_free),
    openPl: dec(r.open_pl),
    openPositions: int(r.open_positions),
    capturedAt: time(r.captured_at),
    testMode: bool(r.test_mode),
    botVersion: strOrNull(r.bot_version),
  };
}

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
    const row = await tx.get(
      `insert into account_snapshots (portfolio_id, account_ref, balance, equity, margin_used, margin_free, open_pl,
         open_positions, captured_at, test_mode, bot_version)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) returning *`,
      [
        a.portfolioId ?? null,
        a.accountRef ?? null,
        moneyParam(a.balance, 'balance'),
        moneyParam(a.equity, 'equity'),
        moneyParam(a.marginUsed, 'marginUsed'),
        moneyParam(a.marginFree, 'marginFree'),
        moneyParam(a.openPl, 'openPl'),
        a.openPositions,
        tx.time(a.capturedAt ?? new Date()),
        tx.bool(a.testMode),
        a.botVersion ?? null,
      ],
    );
    return accountSnapshotFromRow(row!);
  });
}

const AccountSnapshotQuery = z
  .object({
    portfolioId: id.optional(),
    accountRef: z.string().optional(),
    from: when.optional(),
    to: when.optional(),
    limit,
    offset,
    ...testScope,
  })
  .strict();
export type AccountSnapshotQuery = z.input<typeof AccountSnapshotQuery>;

/** Account snapshots, newest first. */
export async function listAccountSnapshots(
  store: Store,
  query: AccountSnapshotQuery = {},
): Promise<Listing<AccountSnapshotView>> {
  const q = parseInput(AccountSnapshotQuery, query, 'account snapshot query');
  return reading(store, (tx) =>
    listWithCounts(tx, {
      select: '*',
      from: 'account_snapshots',
      filter: new Where()
        .when(q.portfolioId, 'portfolio_id = ?', q.portfolioId)
        .when(q.accountRef, 'account_ref = ?', q.accountRef)
        .when(q.from, 'captured_at >= ?', q.from && tx.time(q.from))
        .when(q.to, 'captured_at < ?', q.to && tx.time(q.to)),
      scope: q,
      orderBy: 'captured_at desc, id desc',
      limit: q.limit,
      offset: q.offset,
      map: accountSnapshotFromRow,
    }),
  );
}

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
      map: (_tx, rows) => rows.map(accountSnapshotFromRow),
    });
  });
}
