/** A real `tradestore serve` process for tests and benchmarks: started on a free port, stopped by signal. */
import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { BIN } from './cli.ts';

export interface Served {
  child: ChildProcess;
  /** `http://127.0.0.1:<port>` */
  base: string;
}

/**
 * Starts `tradestore serve` on `url` and waits until /health answers. The port is picked at random
 * (given as PORT, or as `--port`/`--host` flags with `flags`); a taken one makes serve exit, and
 * the next attempt picks another.
 */
export async function startServe(
  url: string,
  env: Record<string, string> = {},
  options: { flags?: boolean } = {},
): Promise<Served> {
  for (let attempt = 0; ; attempt++) {
    const port = 20_000 + Math.floor(Math.random() * 20_000);
    const flags = options.flags ? ['--port', String(port), '--host', '127.0.0.1'] : [];
    const child = spawn(process.execPath, [BIN, '--db', url, 'serve', ...flags], {
      env: { ...process.env, ...(options.flags ? {} : { PORT: String(port) }), LOG_LEVEL: 'silent', ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    const base = `http://127.0.0.1:${port}`;
    for (let i = 0; i < 300 && child.exitCode === null; i++) {
      try {
        await fetch(`${base}/health`);
        return { child, base };
      } catch {
        await new Promise((r) => setTimeout(r, 100));
      }
    }
    if (child.exitCode === null) {
      child.kill('SIGKILL');
      throw new Error(`serve did not answer within 30 s: ${stderr}`);
    }
    if (attempt >= 2 || !/EADDRINUSE/.test(stderr))
      throw new Error(`serve exited with ${child.exitCode}: ${stderr}`);
  }
}

/** SIGTERM, and the exit code once it has stopped. */
export async function stopServe(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return child.exitCode;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const [code] = await exited;
  return code as number | null;
}
