/**
 * Keyset pages over the trading history, for clients that page and sync (the HTTP API): newest
 * first by id, `cursor` = the last id of the previous page (opaque to clients), so a page is stable
 * while rows are added, and `changedSince` returns only rows created or updated since then (for
 * append-only fills, created). Each listed resource says where its portfolio is (for visibility),
 * which columns may be filtered by equality, and how a row becomes its view: the same table
 * descriptions (src/db/table.ts) the single-row services use.
 */
import type { Store } from '../db/store.ts';
import type { TestScope } from '../input/fields.ts';
import { type PortfolioView, portfolios } from '../portfolios/portfolios.ts';
import { type PositionView, positions } from '../portfolios/positions.ts';
import { portfolioSnapshots, type PortfolioSnapshotView } from '../portfolios/snapshots.ts';
import { decisionHistory, type DecisionView } from '../audit/decision-history.ts';
import { fills, type FillView } from './fills.ts';
import { type TradeIdeaView, tradeIdeas } from './ideas.ts';
import { type OrderView, withFills } from './order-rows.ts';
import { type SignalView, signals } from './signals.ts';
import { reading, type Row, type Tx } from '../db/transaction.ts';
import { type Page, sqlPage, testCondition, Where } from '../db/listing.ts';
import { trades, type TradeView } from './trades.ts';

interface PagedResource<T> {
  from: string;
  alias: string;
  /** Column holding the portfolio id (null rows are shared data). */
  portfolio: string;
  /** Column compared with changedSince; null: the resource does not sync. */
  changed: string | null;
  /** Query field → column, equality filters. */
  filters: Record<string, string>;
  map: (tx: Tx, rows: Row[]) => Promise<T[]> | T[];
  /** false for tables without test_mode. */
  testScoped?: boolean;
}

const rows =
  <T>(fromRow: (r: Row) => T) =>
  (_tx: Tx, list: Row[]) =>
    list.map(fromRow);

export const PAGED = {
  portfolios: {
    from: 'portfolios x',
    alias: 'x',
    portfolio: 'x.id',
    changed: 'x.updated_at',
    filters: { ownerId: 'x.owner_id', status: 'x.status', mode: 'x.mode' },
    map: rows(portfolios.fromRow),
    testScoped: false,
  } satisfies PagedResource<PortfolioView>,
  snapshots: {
    from: 'portfolio_snapshots n',
    alias: 'n',
    portfolio: 'n.portfolio_id',
    changed: null,
    filters: {},
    map: rows(portfolioSnapshots.fromRow),
  } satisfies PagedResource<PortfolioSnapshotView>,
  trades: {
    from: 'trades t',
    alias: 't',
    portfolio: 't.portfolio_id',
    changed: 't.updated_at',
    filters: {
      strategyId: 't.strategy_id',
      assetId: 't.asset_id',
      outcome: 't.outcome',
      signalId: 't.signal_id',
    },
    map: rows(trades.fromRow),
  } satisfies PagedResource<TradeView>,
  orders: {
    from: 'orders o',
    alias: 'o',
    portfolio: 'o.portfolio_id',
    changed: 'o.updated_at',
    filters: { assetId: 'o.asset_id', status: 'o.status', side: 'o.side', tradeIdeaId: 'o.trade_idea_id' },
    map: (tx: Tx, list: Row[]) => withFills(tx, list),
  } satisfies PagedResource<OrderView>,
  fills: {
    from: 'fills f join orders o on o.id = f.order_id',
    alias: 'f',
    portfolio: 'o.portfolio_id',
    changed: 'f.created_at',
    filters: { orderId: 'f.order_id', assetId: 'o.asset_id' },
    map: rows(fills.fromRow),
  } satisfies PagedResource<FillView>,
  positions: {
    from: 'positions p',
    alias: 'p',
    portfolio: 'p.portfolio_id',
    changed: 'p.updated_at',
    filters: { assetId: 'p.asset_id', status: 'p.status', side: 'p.side' },
    map: rows(positions.fromRow),
  } satisfies PagedResource<PositionView>,
  tradeIdeas: {
    from: 'trade_ideas i',
    alias: 'i',
    portfolio: 'i.portfolio_id',
    changed: 'i.updated_at',
    filters: {
      strategyId: 'i.strategy_id',
      assetId: 'i.asset_id',
      status: 'i.status',
      signalId: 'i.signal_id',
    },
    map: rows(tradeIdeas.fromRow),
  } satisfies PagedResource<TradeIdeaView>,
  signals: {
    from: 'signals s',
    alias: 's',
    portfolio: 's.portfolio_id',
    changed: null,
    filters: { strategyId: 's.strategy_id', assetId: 's.asset_id', action: 's.action' },
    map: rows(signals.fromRow),
  } satisfies PagedResource<SignalView>,
  decisions: {
    from: 'decision_history d',
    alias: 'd',
    portfolio: 'd.portfolio_id',
    changed: null,
    filters: {
      tradeIdeaId: 'd.trade_idea_id',
      assetId: 'd.asset_id',
      action: 'd.action',
      strategyId: 'd.strategy_id',
    },
    map: rows(decisionHistory.fromRow),
  } satisfies PagedResource<DecisionView>,
};

export type PagedName = keyof typeof PAGED;
type ViewOf<N extends PagedName> = (typeof PAGED)[N] extends PagedResource<infer T> ? T : never;

export interface PageQuery extends TestScope {
  limit: number;
  /** The id the previous page ended at (rows with smaller ids follow). */
  beforeId?: number;
  changedSince?: Date;
  /** Only these portfolios (a user's reachable ones); undefined: no restriction. */
  portfolioIds?: readonly number[];
  /** Equality filters by the resource's field names. */
  filters?: Record<string, unknown>;
}

export type { Page } from '../db/listing.ts';

/** One page of `name`, newest first, at most `limit` rows, with where the next one starts. */
export async function readPage<N extends PagedName>(
  store: Store,
  name: N,
  query: PageQuery,
): Promise<Page<ViewOf<N>>> {
  const r = PAGED[name] as PagedResource<ViewOf<N>>;
  return reading(store, async (tx) => {
    const where = new Where();
    for (const [field, value] of Object.entries(query.filters ?? {})) {
      if (value === undefined || value === null) continue;
      const column = r.filters[field];
      if (column === undefined) throw new TypeError(`${name} cannot be filtered by ${field}`);
      where.add(`${column} = ?`, value);
    }
    if (query.portfolioIds !== undefined) {
      if (query.portfolioIds.length === 0) return { items: [], nextBeforeId: null };
      where.add(`${r.portfolio} in (${query.portfolioIds.map(() => '?').join(', ')})`, ...query.portfolioIds);
    }
    if (query.changedSince !== undefined && r.changed !== null)
      where.add(`${r.changed} >= ?`, tx.time(query.changedSince));
    const scope = r.testScoped === false ? null : testCondition(tx, query, `${r.alias}.test_mode`);
    if (scope) where.add(scope.sql, ...scope.params);
    return sqlPage(tx, { from: r.from, alias: r.alias, filter: where, keyset: query, map: r.map });
  });
}
