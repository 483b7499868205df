/** Timing and reporting shared by the benchmarks: every figure is printed next to its bare baseline. */

export interface Measure {
  seconds: number;
  rows?: number;
  /** Per-operation latencies in ms, when the benchmark is a series of operations. */
  latencies?: number[];
}

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[i]!;
}

export async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const t = performance.now();
  const value = await fn();
  return { seconds: (performance.now() - t) / 1000, value };
}

export interface Row {
  dialect: string;
  what: string;
  bare: Measure;
  ours: Measure;
  /** 'throughput': higher rows/s is better (ratio = ours/bare); 'latency': lower time is better (ratio = ours/bare time). */
  kind: 'throughput' | 'latency';
  target: string;
}

const fmt = (n: number, digits = 0) =>
  Number.isFinite(n)
    ? n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : '-';

function describe(m: Measure): { rate: string; p50: string; p99: string; time: string } {
  const lat = m.latencies ? [...m.latencies].sort((a, b) => a - b) : null;
  return {
    rate: m.rows ? `${fmt(m.rows / m.seconds)} rows/s` : '-',
    p50: lat ? `${fmt(percentile(lat, 50) * 1000, 1)} µs` : '-',
    p99: lat ? `${fmt(percentile(lat, 99) * 1000, 1)} µs` : '-',
    time: `${fmt(m.seconds * 1000, 1)} ms`,
  };
}

export function ratioOf(row: Row): number {
  if (row.kind === 'throughput') {
    // Rows per second when both sides say how many rows they moved (a copy moves more than its baseline).
    if (row.bare.rows && row.ours.rows)
      return row.ours.rows / row.ours.seconds / (row.bare.rows / row.bare.seconds);
    return row.bare.seconds / row.ours.seconds;
  }
  if (row.ours.latencies && row.bare.latencies) {
    const p = row.what.includes('p99') ? 99 : 50;
    const o = percentile(
      [...row.ours.latencies].sort((a, b) => a - b),
      p,
    );
    const b = percentile(
      [...row.bare.latencies].sort((a, b) => a - b),
      p,
    );
    return o / b;
  }
  return row.ours.seconds / row.bare.seconds;
}

export function report(rows: Row[]): string {
  const lines = [
    '| db | benchmark | bare | tradestore | ratio | target | tradestore p50 / p99 |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const b = describe(r.bare);
    const o = describe(r.ours);
    const ratio = ratioOf(r);
    const show = (d: ReturnType<typeof describe>) =>
      r.kind === 'throughput'
        ? d.rate
        : r.what.includes('p99')
          ? d.p99
          : r.what.includes('p50')
            ? d.p50
            : d.time;
    lines.push(
      `| ${r.dialect} | ${r.what} | ${show(b)} | ${show(o)} | ${ratio.toFixed(2)}× | ${r.target} | ${o.p50} / ${o.p99} |`,
    );
  }
  return lines.join('\n');
}
