/** Reading stored public trades (ticks) of one asset, a time range at a time. */
import type { Store } from '../db/store.ts';

export interface TickView {
  id: number;
  ts: number;
  tradeId: string;
  side: 'buy' | 'sell' | null;
  price: number;
  amount: number;
}

/** Ticks in [from, to) (epoch ms), newest first, at most `limit`; `beforeId` continues a page. */
export async function readTicks(
  store: Store,
  assetId: number,
  options: { from?: number; to?: number; limit: number; beforeId?: number },
): Promise<TickView[]> {
  let q = store.kysely
    .selectFrom('ticks')
    .select(['id', 'ts', 'trade_id', 'side', 'price', 'amount'])
    .where('asset_id', '=', assetId)
    .where('ts', '>=', options.from ?? 0)
    .where('ts', '<', options.to ?? Number.MAX_SAFE_INTEGER);
  if (options.beforeId !== undefined) q = q.where('id', '<', options.beforeId);
  const rows = await q.orderBy('id', 'desc').limit(options.limit).execute();
  return rows.map((r) => ({
    id: Number(r.id),
    ts: Number(r.ts),
    tradeId: String(r.trade_id),
    side: (r.side ?? null) as TickView['side'],
    price: Number(r.price),
    amount: Number(r.amount),
  }));
}
