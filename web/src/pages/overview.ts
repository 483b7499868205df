/**
 * Every portfolio the user may see: equity (latest snapshot), cash, realized and unrealized P&L,
 * open positions, today's realized P&L (since midnight in the user's zone), and the equity curve
 * of the chosen portfolio from its snapshots. Fills, positions, trades and orders arriving on
 * /events refresh the portfolio they belong to (no polling).
 */
import { api, ok, type Schemas } from '../api.ts';
import { chartTime, makeChart } from '../charts.ts';
import { field, fill, h, select } from '../dom.ts';
import { money, pnl, startOfToday, sum, time } from '../format.ts';
import { on } from '../live.ts';
import type { PageContext } from '../router.ts';

interface Summary {
  portfolio: Schemas['Portfolio'];
  snapshot: Schemas['PortfolioSnapshot'] | undefined;
  openPositions: Schemas['Position'][];
  realized: string;
  today: string;
}

async function summarise(p: Schemas['Portfolio']): Promise<Summary> {
  const id = p.id;
  const [portfolio, snaps, positions, profit, today] = await Promise.all([
    ok(api.GET('/portfolios/{id}', { params: { path: { id } } })),
    ok(api.GET('/portfolios/{id}/snapshots', { params: { path: { id }, query: { limit: 1 } } })),
    ok(api.GET('/positions', { params: { query: { portfolio_id: id, status: 'open', limit: 1000 } } })),
    ok(api.GET('/stats/profit', { params: { query: { portfolio_id: id } } })),
    ok(api.GET('/stats/profit', { params: { query: { portfolio_id: id, from: startOfToday() } } })),
  ]);
  return {
    portfolio,
    snapshot: snaps.data[0],
    openPositions: positions.data,
    realized: profit.profit,
    today: today.profit,
  };
}

export async function overviewPage({ main, cleanup, signal }: PageContext): Promise<void> {
  const portfolios = (await ok(api.GET('/portfolios', { params: { query: { limit: 1000 } } }))).data;
  if (signal.aborted) return;
  const rows = new Map<number, HTMLTableRowElement>();
  const body = h('tbody');
  const table = h(
    'table',
    { class: 'data stack' },
    h('caption', null, 'Portfolios'),
    h(
      'thead',
      null,
      h(
        'tr',
        null,
        ...[
          'Portfolio',
          'Equity',
          'Cash',
          'Realized P&L',
          'Unrealized P&L',
          'Open positions',
          "Today's P&L",
          'Equity as of',
        ].map((c) => h('th', { attrs: { scope: 'col' } }, c)),
      ),
    ),
    body,
  );
  const render = (s: Summary) => {
    const unrealized = sum(s.openPositions.map((p) => p.unrealized_pnl));
    const label = (l: string) => ({ class: 'num', attrs: { 'data-label': l } });
    const tr = h(
      'tr',
      null,
      h(
        'th',
        { attrs: { scope: 'row' } },
        s.portfolio.name,
        h('span', { class: 'muted' }, ` ${s.portfolio.base_currency} · ${s.portfolio.mode}`),
      ),
      h('td', label('Equity'), money(s.snapshot?.equity)),
      h('td', label('Cash'), money(s.portfolio.cash_balance)),
      h('td', label('Realized P&L'), pnl(s.realized)),
      h('td', label('Unrealized P&L'), pnl(unrealized)),
      h('td', label('Open positions'), String(s.openPositions.length)),
      h('td', label("Today's P&L"), pnl(s.today)),
      h('td', label('Equity as of'), time(s.snapshot?.taken_at)),
    );
    const old = rows.get(s.portfolio.id);
    if (old) old.replaceWith(tr);
    else body.appendChild(tr);
    rows.set(s.portfolio.id, tr);
  };
  const summaries = await Promise.all(portfolios.map(summarise));
  if (signal.aborted) return;
  summaries.forEach(render);

  const chartBox = h('div', { class: 'chart', attrs: { 'aria-hidden': 'true' } });
  const chartNote = h('p', { class: 'muted' });
  const choice = select(
    portfolios.map((p) => [String(p.id), p.name] as const),
    String(portfolios[0]?.id ?? ''),
    (v) => void drawCurve(Number(v)),
  );
  fill(
    main,
    h('h1', null, 'Overview'),
    portfolios.length === 0
      ? h('p', null, 'No portfolio is visible to you yet.')
      : h(
          'div',
          { class: 'scroll', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Portfolios' } },
          table,
        ),
    portfolios.length > 0
      ? h(
          'p',
          { class: 'muted' },
          "Equity is the latest snapshot's; realized and today's P&L are closed round trips (today: since midnight in your time zone, see Settings); unrealized is the open positions at their last mark.",
        )
      : null,
    portfolios.length > 0
      ? h(
          'section',
          { attrs: { 'aria-labelledby': 'curve-h' } },
          h('h2', { id: 'curve-h' }, 'Equity curve'),
          field('Portfolio', choice),
          chartBox,
          chartNote,
        )
      : null,
  );
  if (portfolios.length === 0) return;

  const { chart } = await makeChart(chartBox, 320);
  cleanup(() => chart.remove());
  const { LineSeries } = await import('lightweight-charts');
  const line = chart.addSeries(LineSeries, { lineWidth: 2, priceLineVisible: false });
  async function drawCurve(id: number) {
    const snaps = (
      await ok(api.GET('/portfolios/{id}/snapshots', { params: { path: { id }, query: { limit: 1000 } } }))
    ).data;
    if (signal.aborted) return;
    const points = snaps
      .map((s) => ({ time: chartTime(Date.parse(s.taken_at)), value: Number(s.equity) }))
      .sort((a, b) => a.time - b.time)
      .filter((p, i, all) => i === 0 || p.time !== all[i - 1]!.time);
    line.setData(points);
    chart.timeScale().fitContent();
    const first = snaps[snaps.length - 1];
    const last = snaps[0];
    chartNote.textContent =
      snaps.length === 0
        ? 'No snapshots yet.'
        : `${snaps.length} snapshots from ${time(first?.taken_at)} to ${time(last?.taken_at)}; latest equity ${money(last?.equity)}.`;
  }
  await drawCurve(portfolios[0]!.id);

  // Live: refresh the portfolio an event belongs to, at most once per 300 ms.
  const pending = new Map<number, ReturnType<typeof setTimeout>>();
  const refresh = (e: { portfolio_id: number | null }) => {
    const p = portfolios.find((x) => x.id === e.portfolio_id);
    if (!p || pending.has(p.id)) return;
    pending.set(
      p.id,
      setTimeout(async () => {
        pending.delete(p.id);
        const s = await summarise(p).catch(() => null);
        if (s && !signal.aborted) render(s);
      }, 300),
    );
  };
  for (const topic of ['fill', 'position', 'trade', 'order', 'risk'] as const) cleanup(on(topic, refresh));
  cleanup(() => pending.forEach((t) => clearTimeout(t)));
  cleanup(on('reset', () => portfolios.forEach((p) => refresh({ portfolio_id: p.id }))));
}
