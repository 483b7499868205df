/**
 * Whole processes, the way a user meets tradestore: the real binary spawned N times, the median
 * wall time and the peak resident memory (GNU time's maximum RSS) next to a bare baseline process
 * run the same number of times in the same run.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../bin/tradestore.js');
const GNU_TIME = '/usr/bin/time';

export interface ProcessMeasure {
  /** Median wall time of the runs, in seconds. */
  seconds: number;
  /** Highest peak RSS over the runs, in MB; null without GNU time. */
  peakMb: number | null;
  runs: number;
}

/** One run: wall time measured here, peak RSS from GNU time (`%M`, KB) when it is installed. */
function runOnce(args: string[], env: NodeJS.ProcessEnv): { seconds: number; peakMb: number | null } {
  const withTime = existsSync(GNU_TIME);
  const command = withTime ? GNU_TIME : process.execPath;
  const argv = withTime ? ['-f', 'tradestore-bench-rss %M', process.execPath, ...args] : args;
  const started = performance.now();
  const r = spawnSync(command, argv, { env, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const seconds = (performance.now() - started) / 1000;
  if (r.status !== 0) {
    throw new Error(`${args.join(' ')} exited ${r.status}: ${r.stderr.slice(-2000)}`);
  }
  const rss = /tradestore-bench-rss (\d+)/.exec(r.stderr);
  return { seconds, peakMb: rss ? Number(rss[1]) / 1024 : null };
}

/** Median wall time and peak RSS of `runs` runs of `node <args>`, after `warmup` unmeasured ones. */
export function measureProcess(
  args: string[],
  options: { runs: number; warmup?: number; env?: NodeJS.ProcessEnv; before?: () => void },
): ProcessMeasure {
  const env = { ...process.env, ...options.env };
  for (let i = 0; i < (options.warmup ?? 1); i++) {
    options.before?.();
    runOnce(args, env);
  }
  const times: number[] = [];
  let peak: number | null = null;
  for (let i = 0; i < options.runs; i++) {
    options.before?.();
    const r = runOnce(args, env);
    times.push(r.seconds);
    if (r.peakMb !== null) peak = Math.max(peak ?? 0, r.peakMb);
  }
  times.sort((a, b) => a - b);
  return { seconds: times[Math.floor(times.length / 2)]!, peakMb: peak, runs: options.runs };
}

export interface ProcessRow {
  what: string;
  baselineName: string;
  baseline: ProcessMeasure;
  ours: ProcessMeasure;
  /** How the row is judged: a wall-time ceiling, or a throughput ratio against the baseline. */
  target: { kind: 'max-seconds'; seconds: number } | { kind: 'min-ratio'; ratio: number; rows: number };
}

const mb = (m: ProcessMeasure) => (m.peakMb === null ? '-' : `${m.peakMb.toFixed(0)} MB`);
const s = (m: ProcessMeasure) => `${m.seconds.toFixed(3)} s`;

export function processReport(rows: ProcessRow[]): string {
  const lines = [
    '| whole process | baseline | baseline wall / peak RSS | tradestore wall / peak RSS | figure | target | met |',
    '|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    let figure: string;
    let target: string;
    let met: boolean;
    if (r.target.kind === 'max-seconds') {
      figure = s(r.ours);
      target = `≤ ${r.target.seconds} s`;
      met = r.ours.seconds <= r.target.seconds;
    } else {
      const { rows } = r.target;
      const ratio = r.baseline.seconds / r.ours.seconds;
      const rate = (m: ProcessMeasure) => Math.round(rows / m.seconds).toLocaleString('en-US');
      figure = `${rate(r.ours)} vs ${rate(r.baseline)} rows/s: ${ratio.toFixed(2)}×`;
      const rssBelow =
        r.ours.peakMb !== null && r.baseline.peakMb !== null ? r.ours.peakMb < r.baseline.peakMb : false;
      target = `≥ ${r.target.ratio}×, peak RSS below the baseline's`;
      met = ratio >= r.target.ratio && rssBelow;
    }
    lines.push(
      `| ${r.what} | ${r.baselineName} | ${s(r.baseline)} / ${mb(r.baseline)} | ${s(r.ours)} / ${mb(r.ours)} | ${figure} | ${target} | ${met ? 'yes' : 'NO'} |`,
    );
  }
  return lines.join('\n');
}
