/**
 * A table's content checksum, independent of row order: each row's canonical values are hashed
 * (sha256) and the hashes summed lane by lane (eight 32-bit lanes, mod 2^32 each). Order-independent
 * on purpose: the two databases need not return rows in the same order (PostgreSQL sorts text by its
 * collation, SQLite by bytes), and neither side has to sort a million rows to be compared. Values
 * are hashed in column-name order, since the same table's columns can be ordered differently on
 * each database (a column added by ALTER TABLE on one, by a rebuild on the other).
 */
import { hash } from 'node:crypto';
import { type Canonical, type Column, canonicalJson } from './columns.ts';

export class TableChecksum {
  rows = 0;
  private readonly lanes = new Uint32Array(8);
  private readonly columns: readonly Column[];
  /** Column positions by name: the two databases may order a table's columns differently. */
  private readonly order: number[];

  constructor(columns: readonly Column[]) {
    this.columns = columns;
    this.order = columns
      .map((c, i) => [c.name, i] as const)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([, i]) => i);
  }

  add(row: readonly Canonical[]): void {
    const values = new Array<Canonical>(this.order.length);
    for (let k = 0; k < this.order.length; k++) {
      const i = this.order[k]!;
      const v = row[i]!;
      values[k] = this.columns[i]!.kind === 'json' && v !== null ? canonicalJson(v as string) : v;
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
