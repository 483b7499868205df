/** Runs the real `tradestore` binary from tests, the way a user's shell would. */
import { spawn, spawnSync } from 'node:child_process';
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
