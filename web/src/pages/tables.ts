/**
 * Trades, orders, fills, positions and signals as tables: the API's filters, keyset paging
 * ("Load more" follows `next_cursor`), a "Show test data" toggle (`include_test`), sorting of the
 * loaded rows, a CSV of exactly what is shown, and incremental refresh: `changed_since` the last
 * answer's server time (signals, which have no such filter, fetch only rows newer than the
 * newest shown), triggered by the table's live events or the Refresh button.
 */
import Decimal from 'decimal.js';
import { api, ok } from '../api.ts';
import { field, fill, h, select, statusLine } from '../dom.ts';
import { money, percent, pnl, quantity, time } from '../format.ts';
import { on, type Topic } from '../live.ts';
import { href, type PageContext } from '../router.ts';

type Row = Record<string, unknown> & { id: number };
type Format = 'text' | 'money' | 'qty' | 'pnl' | 'time' | 'bool' | 'pct' | 'id' | 'asset' | 'portfolio';
interface Column {
  key: string;
  label: string;
  format: Format;
}
interface Filter {
  name: string;
  label: string;
  options: readonly string[] | 'asset' | 'portfolio';
}
interface Kind {
  label: string;
  path: '/trades' | '/orders' | '/fills' | '/positions' | '/signals';
  topic: Topic;
  changedSince: boolean;
  columns: Column[];
  filters: Filter[];
}

const c = (key: string, label: string, format: Format = 'text'): Column => ({ key, label, format });
const portfolio: Filter = { name: 'portfolio_id', label: 'Portfolio', options: 'portfolio' };
const asset: Filter = { name: 'asset_id', label: 'Asset', options: 'asset' };

export const KINDS: Record<string, Kind> = {
  trades: {
    label: 'Trades',
    path: '/trades',
    topic: 'trade',
    changedSince: true,
    columns: [
      c('id', 'Trade', 'id'),
      c('portfolio_id', 'Portfolio', 'portfolio'),
      c('asset_id', 'Asset', 'asset'),
      c('direction', 'Side'),
      c('quantity', 'Quantity', 'qty'),
      c('entry_price', 'Entry price', 'money'),
      c('entry_time', 'Entry time', 'time'),
      c('exit_price', 'Exit price', 'money'),
      c('exit_time', 'Exit time', 'time'),
      c('fees', 'Fees', 'money'),
      c('pnl', 'P&L', 'pnl'),
      c('outcome', 'Outcome'),
      c('is_backtest', 'Backtest', 'bool'),
      c('test_mode', 'Test', 'bool'),
    ],
    filters: [
      portfolio,
      asset,
      { name: 'outcome', label: 'Outcome', options: ['open', 'win', 'loss', 'breakeven'] },
    ],
  },
  orders: {
    label: 'Orders',
    path: '/orders',
    topic: 'order',
    changedSince: true,
    columns: [
      c('id', 'Order'),
      c('portfolio_id', 'Portfolio', 'portfolio'),
      c('asset_id', 'Asset', 'asset'),
      c('side', 'Side'),
      c('type', 'Type'),
      c('quantity', 'Quantity', 'qty'),
      c('filled_quantity', 'Filled', 'qty'),
      c('average_fill_price', 'Average price', 'money'),
      c('limit_price', 'Limit', 'money'),
      c('status', 'Status'),
      c('created_at', 'Created', 'time'),
      c('test_mode', 'Test', 'bool'),
    ],
    filters: [
      portfolio,
      asset,
      { name: 'side', label: 'Side', options: ['buy', 'sell'] },
      {
        name: 'status',
        label: 'Status',
        options: ['pending', 'submitted', 'partially_filled', 'filled', 'canceled', 'rejected', 'expired'],
      },
    ],
  },
  fills: {
    label: 'Fills',
    path: '/fills',
    topic: 'fill',
    changedSince: true,
    columns: [
      c('id', 'Fill'),
      c('order_id', 'Order'),
      c('venue', 'Venue'),
      c('quantity', 'Quantity', 'qty'),
      c('price', 'Price', 'money'),
      c('fee', 'Fee', 'money'),
      c('fee_currency', 'Fee currency'),
      c('liquidity', 'Liquidity'),
      c('ts', 'Time', 'time'),
      c('test_mode', 'Test', 'bool'),
    ],
    filters: [portfolio, asset],
  },
  positions: {
    label: 'Positions',
    path: '/positions',
    topic: 'position',
    changedSince: true,
    columns: [
      c('id', 'Position'),
      c('portfolio_id', 'Portfolio', 'portfolio'),
      c('asset_id', 'Asset', 'asset'),
      c('side', 'Side'),
      c('quantity', 'Quantity', 'qty'),
      c('average_entry_price', 'Average entry', 'money'),
      c('mark_price', 'Mark', 'money'),
      c('realized_pnl', 'Realized P&L', 'pnl'),
      c('unrealized_pnl', 'Unrealized P&L', 'pnl'),
      c('status', 'Status'),
      c('opened_at', 'Opened', 'time'),
      c('closed_at', 'Closed', 'time'),
      c('test_mode', 'Test', 'bool'),
    ],
    filters: [portfolio, asset, { name: 'status', label: 'Status', options: ['open', 'closed'] }],
  },
  signals: {
    label: 'Signals',
    path: '/signals',
    topic: 'signal',
    changedSince: false,
    columns: [
      c('id', 'Signal'),
      c('portfolio_id', 'Portfolio', 'portfolio'),
      c('asset_id', 'Asset', 'asset'),
      c('action', 'Action'),
      c('price', 'Price', 'money'),
      c('quantity', 'Quantity', 'qty'),
      c('confidence', 'Confidence', 'pct'),
      c('reason', 'Reason'),
      c('executed', 'Executed', 'bool'),
      c('ts', 'Time', 'time'),
      c('test_mode', 'Test', 'bool'),
    ],
    filters: [portfolio, asset, { name: 'action', label: 'Action', options: ['buy', 'sell', 'hold'] }],
  },
};

export async function tablesPage({ main, params, cleanup, signal }: PageContext): Promise<void> {
  const kindName = params.kind && KINDS[params.kind] ? params.kind : 'trades';
  const kind = KINDS[kindName]!;
  const [assets, portfolios] = await Promise.all([
    ok(api.GET('/assets', { params: { query: { limit: 1000 } } })).then((p) => p.data),
    ok(api.GET('/portfolios', { params: { query: { limit: 1000 } } })).then((p) => p.data),
  ]);
  if (signal.aborted) return;
  const assetName = new Map(assets.map((a) => [a.id, a.symbol]));
  const portfolioName = new Map(portfolios.map((p) => [p.id, p.name]));

  const rows = new Map<number, Row>();
  let order: number[] = [];
  let cursor: string | null = null;
  let syncedAt: string | null = null;
  let sort: { key: string; dir: 1 | -1 } | null = null;

  const filterControls = kind.filters.map((f) => {
    const options: Array<readonly [string, string]> =
      f.options === 'asset'
        ? assets.map((a) => [String(a.id), a.symbol] as const)
        : f.options === 'portfolio'
          ? portfolios.map((p) => [String(p.id), p.name] as const)
          : f.options.map((o) => [o, o.replaceAll('_', ' ')] as const);
    const el = select([['', 'Any'], ...options], '', () => void reload());
    el.name = f.name;
    return { f, el };
  });
  const testToggle = h('input', { type: 'checkbox', id: 'show-test' });
  testToggle.addEventListener('change', () => void reload());
  const status = statusLine();
  const more = h('button', { type: 'button' }, 'Load more');
  more.addEventListener('click', () => void loadMore());
  const refresh = h('button', { type: 'button' }, 'Refresh');
  refresh.addEventListener('click', () => void update());
  const csv = h('button', { type: 'button' }, 'Download CSV');
  csv.addEventListener('click', download);
  const head = h('thead');
  const body = h('tbody');
  const table = h('table', { class: 'data' }, h('caption', null, kind.label), head, body);

  fill(
    main,
    h('h1', null, 'Tables'),
    h(
      'nav',
      { class: 'tabs', attrs: { 'aria-label': 'Tables' } },
      h(
        'ul',
        null,
        Object.entries(KINDS).map(([name, k]) =>
          h(
            'li',
            null,
            h(
              'a',
              {
                href: href(`/tables/${name}`),
                attrs: { 'aria-current': name === kindName ? 'page' : undefined },
              },
              k.label,
            ),
          ),
        ),
      ),
    ),
    h(
      'form',
      { class: 'controls', onsubmit: (e: Event) => e.preventDefault() },
      filterControls.map(({ f, el }) => field(f.label, el)),
      h('div', { class: 'field check' }, testToggle, h('label', { htmlFor: 'show-test' }, 'Show test data')),
      h('div', { class: 'buttons' }, refresh, csv),
    ),
    status,
    h('div', { class: 'scroll', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Table rows' } }, table),
    more,
  );

  function query(extra: Record<string, unknown> = {}): Record<string, unknown> {
    const q: Record<string, unknown> = { limit: 100, ...extra };
    if (testToggle.checked) q.include_test = true;
    for (const { f, el } of filterControls)
      if (el.value)
        q[f.name] = f.options === 'asset' || f.options === 'portfolio' ? Number(el.value) : el.value;
    return q;
  }

  async function page(
    q: Record<string, unknown>,
  ): Promise<{ data: Row[]; next_cursor: string | null; date: string | null }> {
    const { data, error, response } = await api.GET(kind.path as '/trades', {
      params: { query: q as never },
    });
    if (error !== undefined || !data)
      throw new Error(
        (error as { error?: { message?: string } })?.error?.message ?? `HTTP ${response.status}`,
      );
    return {
      data: data.data as unknown as Row[],
      next_cursor: data.next_cursor,
      date: response.headers.get('date'),
    };
  }

  /** The server's clock at the answer, a second early (the header has whole seconds). */
  const serverTime = (date: string | null) =>
    new Date((date ? Date.parse(date) : Date.now()) - 1000).toISOString();

  async function reload() {
    status.textContent = 'Loading…';
    const p = await page(query());
    if (signal.aborted) return;
    rows.clear();
    for (const r of p.data) rows.set(r.id, r);
    order = p.data.map((r) => r.id);
    cursor = p.next_cursor;
    syncedAt = serverTime(p.date);
    render();
  }

  async function loadMore() {
    if (!cursor) return;
    const p = await page(query({ cursor }));
    if (signal.aborted) return;
    for (const r of p.data) if (!rows.has(r.id)) order.push(r.id);
    for (const r of p.data) rows.set(r.id, r);
    cursor = p.next_cursor;
    render();
  }

  /** Only what changed since the last answer; new rows go on top. */
  async function update() {
    let changed: Row[] = [];
    let date: string | null = null;
    if (kind.changedSince && syncedAt) {
      let next: string | null = null;
      do {
        const p = await page(query({ changed_since: syncedAt, ...(next ? { cursor: next } : {}) }));
        changed = changed.concat(p.data);
        date ??= p.date;
        next = p.next_cursor;
      } while (next && changed.length < 5000);
    } else {
      const newest = Math.max(0, ...order);
      const p = await page(query());
      date = p.date;
      changed = p.data.filter((r) => r.id > newest || rows.has(r.id));
    }
    if (signal.aborted) return;
    syncedAt = serverTime(date);
    const added = changed.filter((r) => !rows.has(r.id)).sort((a, b) => b.id - a.id);
    for (const r of changed) rows.set(r.id, r);
    order = [...added.map((r) => r.id), ...order];
    render(
      `${added.length} new, ${changed.length - added.length} changed row${changed.length - added.length === 1 ? '' : 's'} (synced ${time(syncedAt)}).`,
    );
  }

  function cell(col: Column, r: Row): Node | string {
    const v = r[col.key];
    const s = v === null || v === undefined ? null : String(v);
    switch (col.format) {
      case 'money':
        return money(s);
      case 'qty':
        return quantity(s);
      case 'pnl':
        return pnl(s);
      case 'time':
        return time(s);
      case 'bool':
        return v ? 'yes' : 'no';
      case 'pct':
        return percent(v as number | null);
      case 'asset':
        return s === null ? '—' : (assetName.get(Number(s)) ?? s);
      case 'portfolio':
        return s === null ? '—' : (portfolioName.get(Number(s)) ?? s);
      case 'id':
        return kindName === 'trades'
          ? h(
              'a',
              { href: href(`/trades/${s}/chain`), attrs: { 'aria-label': `Trade ${s}: its chain` } },
              `#${s}`,
            )
          : `#${s}`;
      default:
        return s ?? '—';
    }
  }

  function shown(): Row[] {
    const list = order.map((id) => rows.get(id)!).filter(Boolean);
    if (!sort) return list;
    const { key, dir } = sort;
    const col = kind.columns.find((x) => x.key === key)!;
    const numeric = ['money', 'qty', 'pnl', 'pct', 'id'].includes(col.format) || key === 'id';
    return [...list].sort((a, b) => {
      const x = a[key];
      const y = b[key];
      if (x === null || x === undefined) return 1;
      if (y === null || y === undefined) return -1;
      // Decimal strings compare exactly (decimal.js); the cells keep the API's text.
      const cmp = numeric ? new Decimal(String(x)).comparedTo(String(y)) : String(x).localeCompare(String(y));
      return cmp * dir;
    });
  }

  function render(note?: string) {
    fill(
      head,
      h(
        'tr',
        null,
        kind.columns.map((col) => {
          const active = sort?.key === col.key;
          const button = h(
            'button',
            { type: 'button', class: 'sort' },
            col.label,
            h('span', { attrs: { 'aria-hidden': 'true' } }, active ? (sort!.dir === 1 ? ' ▲' : ' ▼') : ''),
          );
          button.addEventListener('click', () => {
            sort = active && sort!.dir === 1 ? { key: col.key, dir: -1 } : { key: col.key, dir: 1 };
            render();
            (head.querySelector(`[data-key="${col.key}"] button`) as HTMLButtonElement | null)?.focus();
          });
          return h(
            'th',
            {
              attrs: {
                scope: 'col',
                'data-key': col.key,
                'aria-sort': active ? (sort!.dir === 1 ? 'ascending' : 'descending') : undefined,
              },
            },
            button,
          );
        }),
      ),
    );
    const list = shown();
    fill(
      body,
      list.map((r) =>
        h(
          'tr',
          { class: r.test_mode ? 'test-row' : '' },
          kind.columns.map((col) =>
            h(
              'td',
              { class: ['money', 'qty', 'pnl', 'pct'].includes(col.format) ? 'num' : '' },
              cell(col, r),
            ),
          ),
        ),
      ),
    );
    more.hidden = cursor === null;
    status.textContent = `${list.length} ${kind.label.toLowerCase()} shown${cursor ? ', more to load' : ''}${testToggle.checked ? ', test data included' : ''}.${note ? ` ${note}` : ''}`;
  }

  function download() {
    const esc = (v: unknown) => {
      const s = v === null || v === undefined ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v);
      return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
    };
    const lines = [kind.columns.map((col) => esc(col.key)).join(',')];
    for (const r of shown()) lines.push(kind.columns.map((col) => esc(r[col.key])).join(','));
    const url = URL.createObjectURL(
      new Blob([`${lines.join('\r\n')}\r\n`], { type: 'text/csv;charset=utf-8' }),
    );
    const a = h('a', { href: url, download: `${kindName}.csv` });
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  }

  await reload();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const soon = () => {
    clearTimeout(timer);
    timer = setTimeout(() => void update().catch(() => undefined), 300);
  };
  cleanup(on(kind.topic, soon));
  cleanup(on('reset', () => void reload()));
  cleanup(() => clearTimeout(timer));
}
