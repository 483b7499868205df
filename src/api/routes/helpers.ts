/** What list routes share: keyset paging parameters in, `{ data, next_cursor }` out. */
import type { Page } from '../../execution/pages.ts';
import type { Mirror } from '../../hybrid/settings.ts';
import type { RouteContext } from '../route.ts';
import { decodeCursor, encodeCursor } from '../schemas/common.ts';
import { toWire } from '../wire.ts';

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

export function pageOut<T>(page: Page<T>) {
  return { data: page.items.map(toWire), next_cursor: encodeCursor(page.nextBeforeId) };
}

/** A page of a plain array already read newest first with limit + 1 rows. */
export function arrayPage<T extends { id: number }>(rows: T[], limit: number) {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { data: items.map(toWire), next_cursor: more ? encodeCursor(items[items.length - 1]!.id) : null };
}

/**
 * A write of a table hybrid storage mirrors (strategies, risk configs, bot status): with
 * STORAGE_MODE=hybrid it goes through HybridSettings, so its file is rewritten after the commit
 * and a write while the database is unreachable is refused (503) instead of lost.
 */
export function settingsWrite<T>(ctx: RouteContext, mirror: Mirror, change: () => Promise<T>): Promise<T> {
  return ctx.deps.hybrid ? ctx.deps.hybrid.write(mirror, change) : change();
}
