/** Printing for commands: JSON for scripts, aligned text for people, progress only on a terminal. */
import { createRequire } from 'node:module';
import type * as CliProgress from 'cli-progress';
import { redact } from '../config/secrets.ts';

// Loaded only when a bar is drawn: pipes, CI logs and `--help` never need it.
const require = createRequire(import.meta.url);

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

export function printTable(rows: Array<Record<string, unknown>>): void {
  if (rows.length === 0) return;
  const keys = Object.keys(rows[0]!);
  const cell = (v: unknown) => (v === null || v === undefined ? '-' : String(v));
  const widths = keys.map((k) => Math.max(k.length, ...rows.map((r) => cell(r[k]).length)));
  const line = (values: string[]) =>
    values.map((v, i) => (i === 0 ? v.padEnd(widths[i]!) : v.padStart(widths[i]!))).join('  ');
  process.stdout.write(`${line(keys)}\n`);
  for (const r of rows) process.stdout.write(`${line(keys.map((k) => cell(r[k])))}\n`);
}

/** A line for the operator on stderr; like every message, with secrets masked. */
export function info(message: string): void {
  process.stderr.write(`${redact(message)}\n`);
}

/**
 * A failure as one `tradestore: …` line (the stack after it when asked for): driver and tool
 * messages can quote a connection string, so this is where secrets are masked for every command.
 */
export function printError(error: Error, withStack = false): void {
  process.stderr.write(`tradestore: ${redact(error.message)}\n`);
  if (withStack && error.stack) process.stderr.write(`${redact(error.stack)}\n`);
}

export interface Progress {
  update(done: number, total?: number): void;
  stop(): void;
}

/** A progress bar on stderr when it is a terminal; silent in pipes and CI logs. */
export function progress(label: string, total = 0): Progress {
  if (!process.stderr.isTTY) return { update() {}, stop() {} };
  const { SingleBar } = require('cli-progress') as typeof CliProgress;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} | {eta_formatted} left`,
    stream: process.stderr,
    hideCursor: true,
  });
  bar.start(total, 0);
  return {
    update(done, newTotal) {
      if (newTotal !== undefined) bar.setTotal(newTotal);
      bar.update(done);
    },
    stop() {
      bar.stop();
    },
  };
}
