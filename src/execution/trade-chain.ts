/**
 * Why a trade happened: the whole chain behind one round trip, read in one transaction (a
 * consistent picture): the signal with its per-strategy components, the trade idea, every
 * decision recorded about that idea (risk gate, human verdict), the orders and fills of the round
 * trip, and the trade itself.
 *
 * A round trip is one position lifecycle of (portfolio, asset, test mode), so its orders are the
 * ones placed for its idea plus every order of that lifecycle with a fill between the trade's
 * entry and exit (the exits, which may come from other ideas or from no idea at all), and its
 * fills are those orders' fills within that window. A backtest trade has no orders or fills; a
 * trade whose signal or idea was pruned for retention has null there.
 */
import { type DecisionView, decisionHistory } from '../audit/decision-history.ts';
import type { Store } from '../db/store.ts';
import { reading } from '../db/transaction.ts';
import { NotFoundError } from '../input/errors.ts';
import { id } from '../input/fields.ts';
import { parseInput } from '../input/parse.ts';
import { fills, type FillView } from './fill-rows.ts';
import { tradeIdeas, type TradeIdeaView } from './idea-rows.ts';
import { type OrderView, readOrders } from './order-rows.ts';
import { signals, type SignalView } from './signals.ts';
import { trades, type TradeView } from './trades.ts';

export interface TradeChainView {
  signal: SignalView | null;
  idea: TradeIdeaView | null;
  /** Oldest first: the gate's verdict, then a human's approval or rejection. */
  decisions: DecisionView[];
  /** Oldest first. */
  orders: OrderView[];
  /** Oldest first. */
  fills: FillView[];
  trade: TradeView;
}

export async function getTradeChain(store: Store, tradeId: number): Promise<TradeChainView> {
  const tid = parseInput(id, tradeId, 'trade id');
  return reading(store, async (tx) => {
    const row = await tx.get('select * from trades where id = ?', [tid]);
    if (!row) throw new NotFoundError(`trade ${tid} does not exist`);
    const trade = trades.fromRow(row);
    const ideaRow =
      trade.tradeIdeaId === null
        ? undefined
        : await tx.get('select * from trade_ideas where id = ?', [trade.tradeIdeaId]);
    const idea = ideaRow ? tradeIdeas.fromRow(ideaRow) : null;
    const signalId = trade.signalId ?? idea?.signalId ?? null;
    const signalRow =
      signalId === null ? undefined : await tx.get('select * from signals where id = ?', [signalId]);
    const signal = signalRow ? signals.fromRow(signalRow) : null;
    const decisions = idea
      ? (
          await tx.all('select * from decision_history where trade_idea_id = ? order by occurred_at, id', [
            idea.id,
          ])
        ).map(decisionHistory.fromRow)
      : [];
    if (trade.portfolioId === null) return { signal, idea, decisions, orders: [], fills: [], trade };

    // From the entry to the exit; an open trade's window has no end yet.
    const within = trade.exitTime === null ? 'f.ts >= ?' : 'f.ts >= ? and f.ts <= ?';
    const window = [tx.time(trade.entryTime), ...(trade.exitTime === null ? [] : [tx.time(trade.exitTime)])];
    const orders = await readOrders(
      tx,
      `select o.* from orders o
        where o.portfolio_id = ? and o.asset_id = ? and o.test_mode = ?
          and (o.trade_idea_id = ? or exists (select 1 from fills f where f.order_id = o.id and ${within}))
        order by o.created_at, o.id`,
      [trade.portfolioId, trade.assetId, tx.bool(trade.testMode), trade.tradeIdeaId ?? 0, ...window],
    );
    const fillRows = orders.length
      ? await tx.all(
          `select f.* from fills f where f.order_id in (${orders.map(() => '?').join(', ')}) and ${within}
            order by f.ts, f.id`,
          [...orders.map((o) => o.id), ...window],
        )
      : [];
    return { signal, idea, decisions, orders, fills: fillRows.map(fills.fromRow), trade };
  });
}
