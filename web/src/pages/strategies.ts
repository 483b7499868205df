/**
 * Strategies: each one's config versions with what changed from the version before, live
 * performance per version (round trips grouped by the version their signal ran), the stored
 * performance rows; its backtests with the equity curve next to the live trades of the same
 * strategy version (both as cumulative P&L from the same start, so they compare).
 */
import type { UTCTimestamp } from 'lightweight-charts';
import { api, ok, type Schemas } from '../api.ts';
import { chartTime, makeChart } from '../charts.ts';
import { field, fill, h, select, statusLine } from '../dom.ts';
import { money, percent, pnl, sum, time } from '../format.ts';
import type { PageContext } from '../router.ts';
import Decimal from 'decimal.js';

type Trade = Schemas['Trade'];
type Version = {
  id: number;
  strategy_id: number;
  version_hash: string;
  config: Record<string, unknown>;
  created_at: string;
};

/** `{a: {b: 1}}` → `a.b = 1`, for the diff of two configs. */
function flatten(value: unknown, prefix = '', out = new Map<string, string>()): Map<string, string> {
  if (value !== null && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, JSON.stringify(value));
  return out;
}

function changes(before: Record<string, unknown> | undefined, after: Record<string, unknown>): string[] {
  if (!before) return ['first version'];
  const a = flatten(before);
  const b = flatten(after);
  const lines: string[] = [];
  for (const [k, v] of b) {
    if (!a.has(k)) lines.push(`added ${k} = ${v}`);
    else if (a.get(k) !== v) lines.push(`${k}: ${a.get(k)} → ${v}`);
  }
  for (const [k, v] of a) if (!b.has(k)) lines.push(`removed ${k} (was ${v})`);
  return lines.length ? lines : ['no change'];
}

const fixed = (v: unknown) => (typeof v === 'number' ? v.toFixed(2) : '—');

const idOf = (v: unknown): number | null =>
  typeof v === 'number'
    ? v
    : v && typeof v === 'object' && typeof (v as { id?: unknown }).id === 'number'
      ? (v as { id: number }).id
      : null;

function th(...labels: string[]) {
  return h(
    'thead',
    null,
    h(
      'tr',
      null,
      labels.map((l) => h('th', { attrs: { scope: 'col' } }, l)),
    ),
  );
}

/** Cumulative P&L by exit time: the curve of closed round trips. */
function cumulative(
  trades: Trade[],
): Array<{ time: UTCTimestamp; value: number; at: string; total: string }> {
  let total = new Decimal(0);
  const points: Array<{ time: UTCTimestamp; value: number; at: string; total: string }> = [];
  for (const t of [...trades]
    .filter((t) => t.exit_time && t.pnl !== null)
    .sort((a, b) => Date.parse(a.exit_time!) - Date.parse(b.exit_time!))) {
    total = total.plus(t.pnl!);
    const time = chartTime(Date.parse(t.exit_time!));
    const last = points.at(-1);
    const point = { time, value: total.toNumber(), at: t.exit_time!, total: total.toFixed() };
    if (last && last.time === time) points[points.length - 1] = point;
    else points.push(point);
  }
  return points;
}

export async function strategiesPage({ main, cleanup, signal, query }: PageContext): Promise<void> {
  const strategies = (await ok(api.GET('/strategies', { params: { query: { limit: 1000 } } }))).data;
  if (signal.aborted) return;
  if (strategies.length === 0) {
    fill(main, h('h1', null, 'Strategies'), h('p', null, 'No strategy is registered yet.'));
    return;
  }
  strategies.sort((a, b) => a.id - b.id);
  const first =
    strategies.find((s) => String(s.id) === query.get('strategy')) ??
    strategies.find((s) => s.is_active) ??
    strategies[0]!;
  const choice = select(
    strategies.map((s) => [String(s.id), `${s.name}${s.is_active ? '' : ' (inactive)'}`] as const),
    String(first.id),
    () => void show(Number(choice.value)),
  );
  const list = h(
    'table',
    { class: 'data' },
    h('caption', null, 'Registered strategies'),
    th('Strategy', 'Active', 'Source', 'Current version', 'Updated'),
    h(
      'tbody',
      null,
      strategies.map((s) =>
        h(
          'tr',
          null,
          h('th', { attrs: { scope: 'row' } }, s.name),
          h('td', null, s.is_active ? 'yes' : 'no'),
          h('td', null, s.source_type),
          h('td', null, h('code', null, (s.current_version_hash ?? '—').slice(0, 12))),
          h('td', null, time(s.updated_at)),
        ),
      ),
    ),
  );
  const detail = h('div');
  fill(
    main,
    h('h1', null, 'Strategies'),
    h(
      'div',
      { class: 'scroll', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Registered strategies' } },
      list,
    ),
    field('Strategy', choice),
    detail,
  );
  let disposeChart: (() => void) | null = null;
  cleanup(() => disposeChart?.());

  async function show(id: number) {
    const [versions, perf, backtests, trades, signals] = await Promise.all([
      ok(api.GET('/strategies/{id}/versions', { params: { path: { id } } })).then((p) => p.data as Version[]),
      ok(api.GET('/strategies/{id}/performance', { params: { path: { id } } })).then((p) => p.data),
      ok(api.GET('/backtests', { params: { query: { strategy_id: id, limit: 100 } } })).then((p) => p.data),
      ok(api.GET('/trades', { params: { query: { strategy_id: id, limit: 1000 } } })).then((p) =>
        p.data.filter((t) => !t.is_backtest),
      ),
      ok(api.GET('/signals', { params: { query: { strategy_id: id, limit: 1000 } } })).then((p) => p.data),
    ]);
    if (signal.aborted) return;
    const versionOfSignal = new Map(signals.map((s) => [s.id, s.strategy_version]));
    const versionOf = (t: Trade) =>
      t.signal_id === null ? null : (versionOfSignal.get(t.signal_id) ?? null);
    const hashOf = new Map(versions.map((v, i) => [v.version_hash, i + 1]));
    const label = (hash: string | null) =>
      hash === null
        ? 'unknown version'
        : hashOf.has(hash)
          ? `v${hashOf.get(hash)} (${hash.slice(0, 8)})`
          : hash.slice(0, 12);

    const perVersion = new Map<string | null, Trade[]>();
    for (const t of trades) {
      const k = versionOf(t);
      perVersion.set(k, [...(perVersion.get(k) ?? []), t]);
    }

    const backtestSelect = select(
      backtests.map((b) => [String(b.id), String(b.name ?? `backtest ${String(b.id)}`)] as const),
      String(backtests[0]?.id ?? ''),
      () => void drawBacktest(Number(backtestSelect.value)),
    );
    const chartBox = h('div', { class: 'chart', attrs: { 'aria-hidden': 'true' } });
    const btStatus = statusLine();
    const btFacts = h('div');
    fill(
      detail,
      h(
        'section',
        { attrs: { 'aria-labelledby': 'versions-h' } },
        h('h2', { id: 'versions-h' }, 'Versions'),
        h(
          'ol',
          { class: 'versions' },
          versions.map((v, i) =>
            h(
              'li',
              null,
              h('strong', null, `v${i + 1}`),
              ' ',
              h('code', null, v.version_hash.slice(0, 12)),
              ` · ${time(v.created_at)}`,
              h(
                'ul',
                null,
                changes(versions[i - 1]?.config, v.config).map((c) => h('li', null, c)),
              ),
            ),
          ),
        ),
      ),
      h(
        'section',
        { attrs: { 'aria-labelledby': 'perf-h' } },
        h('h2', { id: 'perf-h' }, 'Performance per version (live trades)'),
        perVersion.size === 0
          ? h('p', { class: 'muted' }, 'No live trade yet.')
          : h(
              'div',
              {
                class: 'scroll',
                tabIndex: 0,
                attrs: { role: 'region', 'aria-label': 'Performance per version' },
              },
              h(
                'table',
                { class: 'data' },
                h('caption', { class: 'sr-only' }, 'Live performance per strategy version'),
                th('Version', 'Round trips', 'Closed', 'Wins', 'Losses', 'Total P&L'),
                h(
                  'tbody',
                  null,
                  [...perVersion].map(([hash, ts]) => {
                    const closed = ts.filter((t) => t.pnl !== null && t.exit_time);
                    return h(
                      'tr',
                      null,
                      h('th', { attrs: { scope: 'row' } }, label(hash)),
                      h('td', { class: 'num' }, String(ts.length)),
                      h('td', { class: 'num' }, String(closed.length)),
                      h(
                        'td',
                        { class: 'num' },
                        String(closed.filter((t) => new Decimal(t.pnl!).gt(0)).length),
                      ),
                      h(
                        'td',
                        { class: 'num' },
                        String(closed.filter((t) => new Decimal(t.pnl!).lt(0)).length),
                      ),
                      h('td', { class: 'num' }, pnl(sum(closed.map((t) => t.pnl)))),
                    );
                  }),
                ),
              ),
            ),
        h('h3', null, 'Stored performance'),
        perf.length === 0
          ? h('p', { class: 'muted' }, 'None stored (POST /strategies/:id/performance computes it).')
          : h(
              'div',
              { class: 'scroll', tabIndex: 0, attrs: { role: 'region', 'aria-label': 'Stored performance' } },
              h(
                'table',
                { class: 'data' },
                h('caption', { class: 'sr-only' }, 'Stored performance rows'),
                th(
                  'Window',
                  'Portfolio',
                  'Backtest',
                  'Trades',
                  'Win rate',
                  'Profit factor',
                  'Total P&L',
                  'Max drawdown',
                  'Updated',
                ),
                h(
                  'tbody',
                  null,
                  perf.map((r) =>
                    h(
                      'tr',
                      null,
                      h('td', null, String(r.window ?? '')),
                      h('td', null, r.portfolio_id === null ? 'all' : String(r.portfolio_id)),
                      h('td', null, r.is_backtest ? 'yes' : 'no'),
                      h('td', { class: 'num' }, String(r.trade_count ?? '')),
                      h('td', { class: 'num' }, percent(r.win_rate as number | null)),
                      h('td', { class: 'num' }, money(r.profit_factor as string | null, 3)),
                      h('td', { class: 'num' }, pnl(r.total_pnl as string | null)),
                      h('td', { class: 'num' }, money(r.max_drawdown as string | null)),
                      h('td', null, time(r.updated_at as string | null)),
                    ),
                  ),
                ),
              ),
            ),
      ),
      h(
        'section',
        { attrs: { 'aria-labelledby': 'bt-h' } },
        h('h2', { id: 'bt-h' }, 'Backtests'),
        backtests.length === 0
          ? h('p', { class: 'muted' }, 'No backtest of this strategy.')
          : [
              field('Backtest', backtestSelect),
              btStatus,
              h('div', { class: 'chart-wrap' }, chartBox),
              btFacts,
            ],
      ),
    );
    disposeChart?.();
    disposeChart = null;
    if (backtests.length === 0) return;
    const { lib, chart } = await makeChart(chartBox, 300);
    disposeChart = () => chart.remove();
    const btLine = chart.addSeries(lib.LineSeries, { color: '#0969da', lineWidth: 2, title: 'Backtest' });
    const liveLine = chart.addSeries(lib.LineSeries, { color: '#bf8700', lineWidth: 2, title: 'Live' });

    async function drawBacktest(runId: number) {
      const run = backtests.find((b) => b.id === runId)!;
      const [btTrades, detailOf] = await Promise.all([
        ok(
          api.GET('/backtests/{id}/trades', { params: { path: { id: runId }, query: { limit: 1000 } } }),
        ).then((p) => p.data as unknown as Trade[]),
        ok(api.GET('/backtests/{id}', { params: { path: { id: runId } } })),
      ]);
      const result = (detailOf.result ?? {}) as Record<string, unknown>;
      // GET /backtests/:id answers its result in camelCase today; either spelling is read.
      const field = (snake: string, camel: string) => result[snake] ?? result[camel];
      if (signal.aborted) return;
      const versionId = idOf(run.strategy_version);
      const hash = versions.find((v) => v.id === versionId)?.version_hash ?? null;
      const live = hash === null ? [] : trades.filter((t) => versionOf(t) === hash);
      // The run's own equity curve (balance over time) as P&L from its initial balance, so that it
      // reads on the same scale as the live trades' cumulative P&L; else its trades' cumulative P&L.
      const curve = field('equity_curve', 'equityCurve');
      const initial = String(run.initial_balance ?? '0');
      const bt = Array.isArray(curve)
        ? (curve as Array<[number, string]>).map(([ts, equity]) => {
            const total = new Decimal(equity).minus(initial);
            return {
              time: chartTime(ts),
              value: total.toNumber(),
              at: new Date(ts).toISOString(),
              total: total.toFixed(),
            };
          })
        : cumulative(btTrades);
      const lv = cumulative(live);
      btLine.setData(bt.map(({ time, value }) => ({ time, value })));
      liveLine.setData(lv.map(({ time, value }) => ({ time, value })));
      chart.timeScale().fitContent();
      btStatus.textContent = `P&L from the start: the backtest's equity curve (blue, ${btTrades.length} trades) and the live trades of ${label(hash)} (amber, ${lv.length} closed).`;
      fill(
        btFacts,
        h(
          'dl',
          { class: 'facts' },
          h('dt', null, 'Period'),
          h('dd', null, `${time(run.period_start as string)} to ${time(run.period_end as string)}`),
          h('dt', null, 'Timeframe'),
          h('dd', null, String(run.timeframe ?? '')),
          h('dt', null, 'Initial balance'),
          h('dd', null, money(run.initial_balance as string)),
          h('dt', null, 'Backtest P&L'),
          h('dd', null, pnl(bt.at(-1)?.total ?? '0')),
          h('dt', null, 'Live P&L, same version'),
          h('dd', null, pnl(lv.at(-1)?.total ?? '0')),
          h('dt', null, 'Version'),
          h('dd', null, label(hash)),
          h('dt', null, 'Total return'),
          h('dd', null, percent(field('total_return', 'totalReturn') as number | null)),
          h('dt', null, 'Sharpe / Sortino'),
          h('dd', null, `${fixed(field('sharpe', 'sharpe'))} / ${fixed(field('sortino', 'sortino'))}`),
          h('dt', null, 'Max drawdown'),
          h('dd', null, money(field('max_drawdown', 'maxDrawdown') as string | null)),
          h('dt', null, 'Win rate'),
          h('dd', null, percent(field('win_rate', 'winRate') as number | null)),
        ),
      );
    }
    await drawBacktest(backtests[0]!.id as number);
  }
  await show(first.id);
}
