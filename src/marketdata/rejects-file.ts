/**
 * Where an import keeps every rejected row: CSV (`position,line,reason,raw`) or, when the name ends
 * in .jsonl / .ndjson / .json, one JSON object a line. Written as rejects arrive, so a file of garbage
 * never piles up in memory.
 */
import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import type { Reject } from './formats/types.ts';

export interface RejectsFile {
  readonly path: string;
  readonly format: 'csv' | 'jsonl';
  write(rejects: readonly Reject[]): Promise<void>;
  close(): Promise<void>;
}

function csvCell(value: string): string {
  return /[",\r\n]/.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

export function rejectsFormatFor(path: string): 'csv' | 'jsonl' {
  return /\.(jsonl|ndjson|json)$/i.test(path) ? 'jsonl' : 'csv';
}

/** Creates (truncates) the file now, so a run without rejects still leaves a file that says so. */
export async function openRejectsFile(path: string): Promise<RejectsFile> {
  const format = rejectsFormatFor(path);
  const stream: WriteStream = createWriteStream(path);
  await once(stream, 'open');
  const put = async (text: string) => {
    if (!stream.write(text)) await once(stream, 'drain');
  };
  if (format === 'csv') await put('position,line,reason,raw\n');
  return {
    path,
    format,
    async write(rejects) {
      let text = '';
      for (const r of rejects) {
        text +=
          format === 'csv'
            ? `${csvCell(r.position)},${r.line},${csvCell(r.reason)},${csvCell(r.raw ?? '')}\n`
            : `${JSON.stringify({ position: r.position, line: r.line, reason: r.reason, raw: r.raw ?? null })}\n`;
      }
      if (text.length > 0) await put(text);
    },
    async close() {
      stream.end();
      await once(stream, 'finish');
    },
  };
}
