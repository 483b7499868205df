/** Reading stored public trades (ticks) of one asset, a time range at a time. */
import { cutPage, type Keyset, type Page } from '../db/listing.ts';
import type { Store } from '../db/store.ts';

export interface TickView {
  id: number;
  ts: number;
  tradeId: string;
  side: 'buy' | 'sell' | null;
  price: number;
  amount: number;
}

/**
 * Ticks in [from, to) (epoch ms), a keyset page newest first by time (the id breaks ties within
 * a millisecond), so a page is stable while ticks arrive, whatever order files were imported in.
 */
export async function readTicks(
  store: Store,
  assetId: number,
  options: Keyset & { from?: number | undefined; to?: number | undefined },
): Promise<Page<TickView>> {
  let q = store.kysely
    .selectFrom('ticks')
    .select(['id', 'ts', 'trade_id', 'side', 'price', 'amount'])
    .where('asset_id', '=', assetId)
    .where('ts', '>=', options.from ?? 0)
    .where('ts', '<', options.to ?? Number.MAX_SAFE_INTEGER);
  const { beforeId, beforeAt } = options;
  if (beforeId !== undefined && beforeAt !== undefined)
    q = q.where((eb) =>
      eb.or([eb('ts', '<', beforeAt), eb.and([eb('ts', '=', beforeAt), eb('id', '<', beforeId)])]),
    );
  const rows = await q
    .orderBy('ts', 'desc')
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
  return cutPage(
    rows,
    options,
    (r) => r.id,
    (page) => page.map(tickFromRow),
    (r) => Number(r.ts),
  );
}

function tickFromRow(r: {
  id: unknown;
  ts: unknown;
  trade_id: unknown;
  side: unknown;
  price: unknown;
  amount: unknown;
}): TickView {
  return {
    id: Number(r.id),
    ts: Number(r.ts),
    tradeId: String(r.trade_id),
    side: (r.side ?? null) as TickView['side'],
    price: Number(r.price),
    amount: Number(r.amount),
  };
}
