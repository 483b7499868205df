/**
 * A tiny history router for the app's pages under /app/ (`/` is the overview too). A page is a
 * function that fills `main` and returns its clean-up (live subscriptions, charts); links are
 * ordinary `<a href>` elements, intercepted so that navigation does not reload.
 */
export interface PageContext {
  main: HTMLElement;
  params: Record<string, string>;
  query: URLSearchParams;
  /** Register something to undo when the user leaves the page. */
  cleanup(fn: () => void): void;
  /** Aborted when the user leaves the page (pending fetches stop updating it). */
  signal: AbortSignal;
}
export type Page = (ctx: PageContext) => void | Promise<void>;

const routes: Array<{ pattern: RegExp; keys: string[]; page: Page; title: string }> = [];

export const BASE = '/app';

export function route(path: string, title: string, page: Page): void {
  const keys: string[] = [];
  const pattern = new RegExp(
    `^${path.replace(/:([a-z_]+)/g, (_m, key: string) => {
      keys.push(key);
      return '([^/]+)';
    })}/?$`,
  );
  routes.push({ pattern, keys, page, title });
}

let current: { abort: AbortController; cleanups: Array<() => void> } | null = null;
let render: (page: Page, title: string, params: Record<string, string>) => void = () => undefined;

export function onNavigate(fn: typeof render): void {
  render = fn;
}

/** The app path of the current location: `/app/market` → `/market`, `/` → `/`. */
export function appPath(pathname = location.pathname): string {
  const p = pathname.startsWith(`${BASE}/`) ? pathname.slice(BASE.length) : pathname;
  return p === '' ? '/' : p;
}

export function resolve(): void {
  const path = appPath();
  for (const r of routes) {
    const m = r.pattern.exec(path);
    if (!m) continue;
    const params = Object.fromEntries(r.keys.map((k, i) => [k, decodeURIComponent(m[i + 1] ?? '')]));
    render(r.page, r.title, params);
    return;
  }
  const fallback = routes.find((r) => r.title === 'Not found');
  if (fallback) render(fallback.page, fallback.title, {});
}

/** Ends the current page (its clean-ups, its pending fetches) and begins the next one. */
export function startPage(): { cleanup: PageContext['cleanup']; signal: AbortSignal } {
  stopPage();
  const abort = new AbortController();
  const cleanups: Array<() => void> = [];
  current = { abort, cleanups };
  return { cleanup: (fn) => cleanups.push(fn), signal: abort.signal };
}

export function stopPage(): void {
  if (!current) return;
  current.abort.abort();
  for (const fn of current.cleanups.splice(0)) fn();
  current = null;
}

export function href(path: string): string {
  return `${BASE}${path}`;
}

export function navigate(path: string, replace = false): void {
  const url = path.startsWith(BASE) ? path : href(path);
  if (replace) history.replaceState(null, '', url);
  else history.pushState(null, '', url);
  resolve();
}

export function startRouter(): void {
  window.addEventListener('popstate', resolve);
  document.addEventListener('click', (e) => {
    const a = (e.target as Element | null)?.closest?.('a');
    if (!a || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || a.target)
      return;
    const url = new URL(a.href, location.href);
    if (url.origin !== location.origin || !url.pathname.startsWith(`${BASE}/`) || a.hasAttribute('download'))
      return;
    e.preventDefault();
    history.pushState(null, '', url.pathname + url.search);
    resolve();
  });
}
