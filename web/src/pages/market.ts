/**
 * Candles with volume for any stored asset and timeframe; a longer timeframe is the API's
 * `resample` of the finest stored one. The portfolio's trades are drawn as entry and exit markers;
 * pointing at a bar shows each trade's side, quantity, price, P&L and its signal's reason, and the
 * same trades are listed under the chart for keyboard and screen-reader users. New candles arrive
 * with `candles` events.
 */
import type { SeriesMarker, Time, UTCTimestamp } from 'lightweight-charts';
import { api, ok, type Schemas } from '../api.ts';
import { chartTime, makeChart } from '../charts.ts';
import { field, fill, h, select, statusLine } from '../dom.ts';
import { money, pnl, pnlText, quantity, time } from '../format.ts';
import { on } from '../live.ts';
import type { PageContext } from '../router.ts';

const MINUTE = 60_000;
const TF_MS: Record<string, number> = {
  '1m': MINUTE,
  '3m': 3 * MINUTE,
  '5m': 5 * MINUTE,
  '15m': 15 * MINUTE,
  '30m': 30 * MINUTE,
  '1h': 60 * MINUTE,
  '2h': 120 * MINUTE,
  '4h': 240 * MINUTE,
  '6h': 360 * MINUTE,
  '8h': 480 * MINUTE,
  '12h': 720 * MINUTE,
  '1d': 1440 * MINUTE,
  '3d': 3 * 1440 * MINUTE,
  '1w': 7 * 1440 * MINUTE,
  '1M': 31 * 1440 * MINUTE,
};
const TIMEFRAMES = Object.keys(TF_MS);
const BARS = 1000;

type Candle = { ts: number; open: number; high: number; low: number; close: number; volume: number };
type Trade = Schemas['Trade'];

export async function marketPage({ main, cleanup, signal, query }: PageContext): Promise<void> {
  const [assets, portfolios] = await Promise.all([
    ok(api.GET('/assets', { params: { query: { limit: 1000 } } })).then((p) => p.data),
    ok(api.GET('/portfolios', { params: { query: { limit: 1000 } } })).then((p) => p.data),
  ]);
  if (signal.aborted) return;
  if (assets.length === 0) {
    fill(main, h('h1', null, 'Market'), h('p', null, 'No asset is stored yet.'));
    return;
  }
  const wanted = assets.find((a) => String(a.id) === query.get('asset')) ?? assets[assets.length - 1]!;
  const assetSelect = select(
    [...assets].reverse().map((a) => [String(a.id), `${a.symbol} (${a.venue})`] as const),
    String(wanted.id),
    () => void loadAsset(),
  );
  const tfSelect = select([], '', () => void draw());
  const portfolioSelect = select(
    [['', 'All visible portfolios'], ...portfolios.map((p) => [String(p.id), p.name] as const)],
    '',
    () => void draw(),
  );
  const status = statusLine();
  const chartBox = h('div', { class: 'chart tall', attrs: { 'aria-hidden': 'true' } });
  const tooltip = h('div', { class: 'tooltip', hidden: true });
  const tradeList = h('div', {
    class: 'scroll',
    tabIndex: 0,
    attrs: { role: 'region', 'aria-label': 'Trades table' },
  });
  fill(
    main,
    h('h1', null, 'Market'),
    h(
      'div',
      { class: 'controls' },
      field('Asset', assetSelect),
      field('Timeframe', tfSelect),
      field('Trades of', portfolioSelect),
    ),
    status,
    h('div', { class: 'chart-wrap' }, chartBox, tooltip),
    h(
      'section',
      { attrs: { 'aria-labelledby': 'trades-h' } },
      h('h2', { id: 'trades-h' }, 'Trades on this chart'),
      tradeList,
    ),
  );

  const { lib, chart } = await makeChart(chartBox, 420);
  cleanup(() => chart.remove());
  const candles = chart.addSeries(lib.CandlestickSeries, {
    upColor: '#1a7f37',
    downColor: '#cf222e',
    wickUpColor: '#1a7f37',
    wickDownColor: '#cf222e',
    borderVisible: false,
  });
  const volume = chart.addSeries(lib.HistogramSeries, {
    priceScaleId: 'volume',
    priceFormat: { type: 'volume' },
  });
  chart.priceScale('volume').applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
  candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.25 } });
  const markers = lib.createSeriesMarkers(candles, []);

  let asset = wanted;
  let stored: Array<{ timeframe: string; first_ts: number; last_ts: number }> = [];
  let bars: Candle[] = [];
  let trades: Trade[] = [];
  const byBar = new Map<number, Array<{ trade: Trade; kind: 'entry' | 'exit' }>>();
  const reasons = new Map<number, Promise<string | null>>();

  const reasonOf = (t: Trade): Promise<string | null> => {
    if (t.signal_id === null) return Promise.resolve(t.reasoning);
    let r = reasons.get(t.signal_id);
    if (!r) {
      r = ok(api.GET('/signals/{id}', { params: { path: { id: t.signal_id } } }))
        .then((s) => s.reason ?? t.reasoning)
        .catch(() => t.reasoning);
      reasons.set(t.signal_id, r);
    }
    return r;
  };

  async function loadAsset() {
    asset = assets.find((a) => String(a.id) === assetSelect.value) ?? asset;
    history.replaceState(null, '', `?asset=${asset.id}`);
    stored = (
      await ok(
        api.GET('/candles/timeframes', { params: { query: { asset: asset.symbol, venue: asset.venue } } }),
      )
    ).data;
    if (signal.aborted) return;
    const finest = stored[0]?.timeframe;
    const options = finest ? TIMEFRAMES.filter((tf) => TF_MS[tf]! >= TF_MS[finest]!) : [];
    const keep = options.includes(tfSelect.value) ? tfSelect.value : (stored.at(-1)?.timeframe ?? '');
    fill(
      tfSelect,
      options.map((tf) =>
        h(
          'option',
          { value: tf },
          stored.some((s) => s.timeframe === tf) ? tf : `${tf} (resampled from ${finest})`,
        ),
      ),
    );
    tfSelect.value = keep;
    await draw();
  }

  /** The stored timeframe a view reads, and whether it resamples. */
  function source(tf: string): { timeframe: string; resample?: string; last: number } {
    const own = stored.find((s) => s.timeframe === tf);
    if (own) return { timeframe: tf, last: own.last_ts };
    const base = [...stored].reverse().find((s) => TF_MS[s.timeframe]! <= TF_MS[tf]!) ?? stored[0]!;
    return { timeframe: base.timeframe, resample: tf, last: base.last_ts };
  }

  async function fetchCandles(tf: string, from?: number): Promise<Candle[]> {
    const src = source(tf);
    const start = from ?? src.last - BARS * TF_MS[tf]!;
    const page = await ok(
      api.GET('/candles', {
        params: {
          query: {
            asset: asset.symbol,
            venue: asset.venue,
            timeframe: src.timeframe as '1h',
            limit: BARS,
            from: Math.max(0, start),
            ...(src.resample ? { resample: src.resample } : {}),
          },
        },
      }),
    );
    return [...page.data].reverse();
  }

  const barTime = (ms: number): number | null => {
    // The bar holding `ms`: the last candle starting at or before it.
    let lo = 0;
    let hi = bars.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (bars[mid]!.ts <= ms) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found < 0 ? null : bars[found]!.ts;
  };

  function plot() {
    candles.setData(
      bars.map((c) => ({ time: chartTime(c.ts), open: c.open, high: c.high, low: c.low, close: c.close })),
    );
    volume.setData(
      bars.map((c) => ({
        time: chartTime(c.ts),
        value: c.volume,
        color: c.close >= c.open ? 'rgba(26,127,55,0.45)' : 'rgba(207,34,46,0.45)',
      })),
    );
  }

  function placeMarkers() {
    byBar.clear();
    const list: SeriesMarker<Time>[] = [];
    const first = bars[0]?.ts ?? Infinity;
    const shown: Trade[] = [];
    // Labels only while they fit; the tooltip and the table below say the rest.
    const dense = trades.length > 12;
    for (const t of trades) {
      let onChart = false;
      for (const kind of ['entry', 'exit'] as const) {
        const at = kind === 'entry' ? t.entry_time : t.exit_time;
        if (!at) continue;
        const ms = Date.parse(at);
        const bar = ms >= first ? barTime(ms) : null;
        if (bar === null) continue;
        onChart = true;
        const long = t.direction === 'long';
        const buying = kind === 'entry' ? long : !long;
        list.push({
          time: chartTime(bar),
          position: buying ? 'belowBar' : 'aboveBar',
          shape: buying ? 'arrowUp' : 'arrowDown',
          color: buying ? '#1a7f37' : '#cf222e',
          text: dense
            ? ''
            : kind === 'entry'
              ? `${buying ? 'Buy' : 'Sell'} #${t.id}`
              : `Exit ${pnlText(t.pnl)}`,
        });
        const at2 = byBar.get(bar) ?? [];
        at2.push({ trade: t, kind });
        byBar.set(bar, at2);
      }
      if (onChart) shown.push(t);
    }
    list.sort((a, b) => (a.time as number) - (b.time as number));
    markers.setMarkers(list);
    renderTradeList(shown);
  }

  function renderTradeList(shown: Trade[]) {
    if (shown.length === 0) {
      fill(tradeList, h('p', { class: 'muted' }, 'No trade of the chosen portfolios falls in this window.'));
      return;
    }
    const rows = shown.map((t) => {
      const reason = h('td', null, '…');
      void reasonOf(t).then((r) => (reason.textContent = r ?? '—'));
      return h(
        'tr',
        null,
        h('td', null, h('a', { href: `/app/trades/${t.id}/chain` }, `#${t.id}`)),
        h('td', null, t.direction),
        h('td', { class: 'num' }, quantity(t.quantity)),
        h('td', { class: 'num' }, money(t.entry_price)),
        h('td', null, time(t.entry_time)),
        h('td', { class: 'num' }, money(t.exit_price)),
        h('td', null, time(t.exit_time)),
        h('td', { class: 'num' }, pnl(t.pnl)),
        reason,
      );
    });
    fill(
      tradeList,
      h(
        'table',
        { class: 'data' },
        h('caption', { class: 'sr-only' }, `Trades on the ${asset.symbol} chart`),
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            ...[
              'Trade',
              'Side',
              'Quantity',
              'Entry price',
              'Entry time',
              'Exit price',
              'Exit time',
              'P&L',
              "Signal's reason",
            ].map((c) => h('th', { attrs: { scope: 'col' } }, c)),
          ),
        ),
        h('tbody', null, rows),
      ),
    );
  }

  async function draw() {
    const tf = tfSelect.value;
    if (!tf) {
      status.textContent = `${asset.symbol} has no stored candles.`;
      bars = [];
      plot();
      return;
    }
    status.textContent = 'Loading candles…';
    const portfolioId = portfolioSelect.value ? Number(portfolioSelect.value) : undefined;
    const [next, tradePage] = await Promise.all([
      fetchCandles(tf),
      ok(
        api.GET('/trades', {
          params: {
            query: { asset_id: asset.id, limit: 1000, ...(portfolioId ? { portfolio_id: portfolioId } : {}) },
          },
        }),
      ),
    ]);
    if (signal.aborted) return;
    bars = next;
    // The portfolios' own trades: backtest round trips have their own view (Strategies).
    trades = tradePage.data.filter((t) => !t.is_backtest);
    plot();
    placeMarkers();
    chart.timeScale().fitContent();
    status.textContent = `${bars.length} ${tf} candles of ${asset.symbol}, ${time(bars[0]?.ts)} to ${time(bars.at(-1)?.ts)}; ${
      byBar.size
    } bars with trade markers.`;
  }

  chart.subscribeCrosshairMove((param) => {
    const t = param.time as UTCTimestamp | undefined;
    const bar = t === undefined ? undefined : bars.find((b) => chartTime(b.ts) === t);
    const here = bar ? byBar.get(bar.ts) : undefined;
    if (!here || !param.point) {
      tooltip.hidden = true;
      return;
    }
    fill(
      tooltip,
      here.map(({ trade, kind }) => {
        const reason = h('span', null, '…');
        void reasonOf(trade).then((r) => (reason.textContent = r ?? '—'));
        const long = trade.direction === 'long';
        const side = kind === 'entry' ? (long ? 'buy' : 'sell') : long ? 'sell' : 'buy';
        return h(
          'div',
          { class: 'tip' },
          h('strong', null, `Trade #${trade.id} ${kind}`),
          h('div', null, `Side: ${side} (${trade.direction})`),
          h(
            'div',
            null,
            `Quantity: ${quantity(kind === 'exit' ? (trade.exit_quantity ?? trade.quantity) : trade.quantity)}`,
          ),
          h('div', null, `Price: ${money(kind === 'entry' ? trade.entry_price : trade.exit_price)}`),
          h('div', null, 'P&L: ', pnl(trade.pnl)),
          h('div', null, 'Reason: ', reason),
        );
      }),
    );
    tooltip.hidden = false;
    const x = Math.min(param.point.x + 16, chartBox.clientWidth - 260);
    tooltip.style.left = `${Math.max(0, x)}px`;
    tooltip.style.top = `${Math.max(0, param.point.y - 20)}px`;
  });

  // Live: a batch of candles for this asset extends or corrects the last bars.
  cleanup(
    on('candles', (e) => {
      if (e.asset_id !== asset.id || !tfSelect.value || bars.length === 0) return;
      const src = source(tfSelect.value);
      if (e.timeframe !== src.timeframe) return;
      const lastTs = Number(e.last_ts);
      const own = stored.find((s) => s.timeframe === src.timeframe);
      if (own && lastTs > own.last_ts) own.last_ts = lastTs;
      void fetchCandles(tfSelect.value, bars.at(-1)!.ts).then((fresh) => {
        if (signal.aborted) return;
        for (const c of fresh) {
          if (c.ts < bars.at(-1)!.ts) continue;
          if (c.ts === bars.at(-1)!.ts) bars[bars.length - 1] = c;
          else bars.push(c);
          candles.update({ time: chartTime(c.ts), open: c.open, high: c.high, low: c.low, close: c.close });
          volume.update({ time: chartTime(c.ts), value: c.volume });
        }
        status.textContent = `${bars.length} ${tfSelect.value} candles of ${asset.symbol}; last ${time(bars.at(-1)?.ts)} (live).`;
      });
    }),
  );
  const retrade = () => void draw();
  cleanup(on('trade', retrade));
  cleanup(on('reset', retrade));
  await loadAsset();
}
