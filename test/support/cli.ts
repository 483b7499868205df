/** Runs the real `tradestore` binary from tests, the way a user's shell would. */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/tradestore.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliOptions {
  /** Added to the test process's environment. */
  env?: Record<string, string>;
  /** Working directory; by default a fresh temporary one, so no `.env` file of the repo leaks in. */
  cwd?: string;
  stdin?: string | Buffer;
}

const cwdOf = (options: CliOptions) => options.cwd ?? mkdtempSync(join(tmpdir(), 'tradestore-cli-'));

/** Runs the binary to completion. */
export function runCli(args: string[], options: CliOptions = {}): CliResult {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    encoding: 'utf8',
    cwd: cwdOf(options),
    env: { ...process.env, ...options.env },
    input: options.stdin ?? '',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs the binary as a child process and resolves when it exits: for concurrent runs. */
export function spawnCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: cwdOf(options),
      env: { ...process.env, ...options.env },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(options.stdin ?? '');
  });
}

export interface Served {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
  /** What the process wrote to stderr so far (for a failure's message). */
  stderr(): string;
}

/**
 * Starts `tradestore serve` on a free port and waits until it answers. `flags`: the port and host
 * as `--port`/`--host` instead of PORT. LOG_LEVEL is silent unless `env` says otherwise.
 */
export async function startServe(
  url: string,
  env: Record<string, string> = {},
  options: { flags?: boolean } = {},
): Promise<Served> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const flags = options.flags ? ['--port', String(port), '--host', '127.0.0.1'] : [];
  const child = spawn(process.execPath, [BIN, '--db', url, 'serve', ...flags], {
    cwd: cwdOf({}),
    env: { ...process.env, ...(options.flags ? {} : { PORT: String(port) }), LOG_LEVEL: 'silent', ...env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
    try {
      await fetch(`${base}/health`);
      return { child, base, stderr: () => stderr };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  child.kill('SIGKILL');
  throw new Error(`serve did not answer within 30 s: ${stderr}`);
}

/** SIGTERM, then the exit code. */
export async function stopServe(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}

/** `tradestore import candles -` of 1m bars at `times` (epoch ms) for `symbol` on `venue`, in a child process. */
export function spawnCandleImport(
  url: string,
  c: { symbol: string; venue: string; times: number[] },
  options: CliOptions = {},
): Promise<CliResult> {
  const csv = ['ts,open,high,low,close,volume', ...c.times.map((t) => `${t},1,2,0.5,1.5,10`)].join('\n');
  const args = ['--db', url, 'import', 'candles', '-', '--asset', c.symbol, '--venue', c.venue];
  return spawnCli([...args, '--timeframe', '1m', '--format', 'csv'], { ...options, stdin: `${csv}\n` });
}
