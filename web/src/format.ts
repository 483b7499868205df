/**
 * How values are shown. Money, prices and quantities arrive as decimal strings and stay strings:
 * they are grouped and rounded as text (sums use decimal.js), never through a JS number. Every
 * time is shown in the user's time zone, stored on the server (Settings), UTC until set.
 */
import Decimal from 'decimal.js';
import { WallClock } from '../../src/marketdata/formats/time.ts';
import { h } from './dom.ts';

let zone = 'UTC';
const formatters = new Map<string, Intl.DateTimeFormat>();
let clock: WallClock | undefined;

export function setTimeZone(next: string | null | undefined): void {
  zone = next || 'UTC';
  formatters.clear();
  clock = undefined;
}
export function timeZone(): string {
  return zone;
}

function formatter(kind: 'time' | 'date'): Intl.DateTimeFormat {
  let f = formatters.get(kind);
  if (!f) {
    f = new Intl.DateTimeFormat('en-GB', {
      timeZone: zone,
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      ...(kind === 'time' ? { hour: '2-digit', minute: '2-digit', second: '2-digit', hour12: false } : {}),
      timeZoneName: kind === 'time' ? 'short' : undefined,
    });
    formatters.set(kind, f);
  }
  return f;
}

/** An ISO time or epoch ms in the user's zone, e.g. `31/03/2024, 22:00:00 CEST`. */
export function time(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? String(value) : formatter('time').format(d);
}

export function date(value: string | number | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return formatter('date').format(new Date(value));
}

/** Offset of the user's zone from UTC at `at`, in ms (for chart axes, which draw UTC). */
export function zoneOffsetMs(at: number): number {
  // The importers' zone arithmetic (offsets cached per hour: a chart asks once per bar).
  clock ??= new WallClock(zone);
  return clock.offsetAt(at);
}

/** Midnight today in the user's zone, as an ISO UTC instant. */
export function startOfToday(now = Date.now()): string {
  const local = new Date(now + zoneOffsetMs(now));
  const midnight = Date.UTC(local.getUTCFullYear(), local.getUTCMonth(), local.getUTCDate());
  return new Date(midnight - zoneOffsetMs(midnight)).toISOString();
}

/** `1234567.5` → `1,234,567.50` (2 places at least, the value's own places up to `max`). */
export function money(value: string | null | undefined, max = 8): string {
  if (value === null || value === undefined || value === '') return '—';
  let d: Decimal;
  try {
    d = new Decimal(value);
  } catch {
    return value;
  }
  const places = Math.min(Math.max(d.decimalPlaces(), 2), max);
  const [whole, frac] = d.abs().toFixed(places).split('.') as [string, string?];
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${d.isNegative() && !d.isZero() ? '−' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

export function quantity(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  try {
    return new Decimal(value).toFixed();
  } catch {
    return value;
  }
}

/**
 * A P&L value with its sign as text (`+12.30 gain`, `−4.00 loss`), the colour only repeating it.
 */
export function pnl(value: string | null | undefined): HTMLSpanElement {
  if (value === null || value === undefined || value === '') return h('span', null, '—');
  const d = new Decimal(value);
  const sign = d.isZero() ? 'zero' : d.isNegative() ? 'neg' : 'pos';
  const text = sign === 'pos' ? `+${money(value)}` : money(value);
  return h(
    'span',
    { class: `pnl ${sign}` },
    text,
    h('span', { class: 'sr-only' }, sign === 'pos' ? ' (gain)' : sign === 'neg' ? ' (loss)' : ''),
  );
}

export function pnlText(value: string | null | undefined): string {
  if (value === null || value === undefined || value === '') return '—';
  return new Decimal(value).greaterThan(0) ? `+${money(value)}` : money(value);
}

export function sum(values: readonly (string | null | undefined)[]): string {
  return values.reduce((acc: Decimal, v) => (v ? acc.plus(v) : acc), new Decimal(0)).toFixed();
}

export function minus(a: string, b: string): string {
  return new Decimal(a).minus(b).toFixed();
}

export function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? '—' : `${Math.round(value * 1000) / 10}%`;
}
