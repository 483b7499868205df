import { fileURLToPath } from 'node:url';
import type { CandleBatch, Reject, TickBatch } from '../../../src/marketdata/formats/readers.ts';

export const FIXTURES = fileURLToPath(new URL('../../fixtures/marketdata/', import.meta.url));

export function fixture(name: string): string {
  return FIXTURES + name;
}

export interface Collected<Row> {
  rows: Row[];
  rejects: Reject[];
  batches: number[];
  last: Omit<CandleBatch | TickBatch, 'rows' | 'rejects'>;
}

/** Drains a reader into one list of rows and rejects, keeping the batch sizes and the last counters. */
export async function collect<B extends CandleBatch | TickBatch>(
  batches: AsyncIterable<B>,
): Promise<Collected<B['rows'][number]>> {
  type Row = B['rows'][number];
  const rows: Row[] = [];
  const rejects: Reject[] = [];
  const sizes: number[] = [];
  let last: B | undefined;
  for await (const batch of batches) {
    rows.push(...batch.rows);
    rejects.push(...batch.rejects);
    sizes.push(batch.rows.length);
    last = batch;
  }
  if (last === undefined) throw new Error('reader yielded no batch');
  const { rows: _rows, rejects: _rejects, ...counters } = last;
  return { rows, rejects, batches: sizes, last: counters };
}

/** `[line, reason-prefix]` pairs, the shape tests compare rejects in. */
export function rejectLines(rejects: Reject[]): [number, string][] {
  return rejects.map((r) => [r.line, r.reason]);
}
