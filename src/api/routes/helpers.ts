/** What list routes share: keyset paging parameters in, `{ data, next_cursor }` out. */
import type { Page } from '../../execution/pages.ts';
import type { Mirror } from '../../hybrid/settings.ts';
import type { RouteContext } from '../route.ts';
import { decodeCursor, decodePosition, encodeCursor } from '../schemas/common.ts';
import { toWire } from '../../db/wire.ts';
import { cutPage } from '../../db/listing.ts';

export interface PageParams {
  limit: number;
  cursor?: string | undefined;
  include_test?: boolean | undefined;
  test_mode?: boolean | undefined;
  changed_since?: string | undefined;
}

export function pageOptions(q: PageParams) {
  const beforeId = decodeCursor(q.cursor);
  return {
    limit: q.limit,
    ...(beforeId === undefined ? {} : { beforeId }),
    ...(q.include_test === undefined ? {} : { includeTest: q.include_test }),
    ...(q.test_mode === undefined ? {} : { testMode: q.test_mode }),
    ...(q.changed_since === undefined ? {} : { changedSince: new Date(q.changed_since) }),
  };
}

/** The keyset a list route's `limit` and `cursor` ask for (a cursor we never issued is a 400). */
export function keysetOf(q: { limit: number; cursor?: string | undefined }) {
  const beforeId = decodeCursor(q.cursor);
  return { limit: q.limit, ...(beforeId === undefined ? {} : { beforeId }) };
}

/** The same for a list newest first by time: the cursor carries the time and the id. */
export function timeKeysetOf(q: { limit: number; cursor?: string | undefined }) {
  return { limit: q.limit, ...decodePosition(q.cursor) };
}

export function pageOut<T>(page: Page<T>, wire: (item: T) => unknown = toWire) {
  return { data: page.items.map(wire), next_cursor: encodeCursor(page.nextBeforeId, page.nextAt) };
}

/** A page of a plain array already read newest first with limit + 1 rows. */
export function arrayPage<T extends { id: number }>(rows: T[], limit: number) {
  return pageOut(
    cutPage(
      rows,
      { limit },
      (r) => r.id,
      (page) => page,
    ),
  );
}

/**
 * A write of a table hybrid storage mirrors (strategies, risk configs, bot status): with
 * STORAGE_MODE=hybrid it goes through HybridSettings, so its file is rewritten after the commit
 * and a write while the database is unreachable is refused (503) instead of lost.
 */
export function settingsWrite<T>(ctx: RouteContext, mirror: Mirror, change: () => Promise<T>): Promise<T> {
  return ctx.deps.hybrid ? ctx.deps.hybrid.write(mirror, change) : change();
}
