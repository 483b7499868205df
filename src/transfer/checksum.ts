/**
 * A table's content checksum, independent of row order: each row's canonical values are hashed
 * (sha256) and the hashes summed lane by lane (eight 32-bit lanes, mod 2^32 each). Order-independent
 * on purpose: the two databases need not return rows in the same order (PostgreSQL sorts text by its
 * collation, SQLite by bytes), and neither side has to sort a million rows to be compared.
 */
import { hash } from 'node:crypto';
import { type Canonical, type Column, canonicalJson } from './columns.ts';

export class TableChecksum {
  rows = 0;
  private readonly lanes = new Uint32Array(8);

  private readonly columns: readonly Column[];

  constructor(columns: readonly Column[]) {
    this.columns = columns;
  }

  add(row: readonly Canonical[]): void {
    let values: readonly Canonical[] = row;
    for (let i = 0; i < this.columns.length; i++) {
      if (this.columns[i]!.kind === 'json' && row[i] !== null) {
        if (values === row) values = [...row];
        (values as Canonical[])[i] = canonicalJson(row[i] as string);
      }
    }
    const digest = hash('sha256', JSON.stringify(values), 'buffer');
    for (let lane = 0; lane < 8; lane++) {
      this.lanes[lane] = (this.lanes[lane]! + digest.readUInt32BE(lane * 4)) >>> 0;
    }
    this.rows++;
  }

  hex(): string {
    return [...this.lanes].map((n) => n.toString(16).padStart(8, '0')).join('');
  }
}
