/**
 * Where an export goes: stdout, or a file written aside (`<file>.partial`), fsynced and renamed
 * into place only when complete, so a failed or killed export never leaves a plausible half file
 * and never clobbers an earlier good one. Shared by every export (candles and trading records).
 */
import { once } from 'node:events';
import { createWriteStream, fsyncSync, renameSync, rmSync } from 'node:fs';
import type { Writable } from 'node:stream';

/** Writes `text` honouring backpressure: a slow reader slows the export instead of filling memory. */
export async function writeText(out: NodeJS.WritableStream, text: string | Uint8Array): Promise<void> {
  if (!out.write(text)) await once(out as NodeJS.EventEmitter, 'drain');
}

/** Runs `fn` against stdout (no `path`) or against a temporary file renamed to `path` on success. */
export async function withOutput<T>(
  path: string | undefined,
  fn: (out: NodeJS.WritableStream) => Promise<T>,
): Promise<T> {
  if (path === undefined) return fn(process.stdout);
  const partial = `${path}.partial`;
  const file: Writable & { fd?: number } = createWriteStream(partial);
  try {
    await once(file, 'open');
    const result = await fn(file);
    await new Promise<void>((resolve, reject) =>
      file.end((error?: Error | null) => (error ? reject(error) : resolve())),
    );
    // end() has flushed the data but not closed the descriptor yet: make it durable, then rename.
    if (typeof file.fd === 'number') fsyncSync(file.fd);
    file.destroy();
    await once(file, 'close');
    renameSync(partial, path);
    return result;
  } catch (error) {
    file.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}
