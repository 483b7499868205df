/**
 * The tables a copy moves, read from the live source schema (not from the entities: the source may
 * be on an older schema version), in an order where every referenced table comes first.
 */
import type { Column } from './columns.ts';

export interface TableShape {
  name: string;
  columns: Column[];
  /** Tables this one references by foreign key (itself excluded). */
  references: string[];
}

/** Parents before children; tables in a reference cycle keep their alphabetical order. */
export function dependencyOrder(tables: TableShape[]): TableShape[] {
  const byName = new Map(tables.map((t) => [t.name, t]));
  const done = new Set<string>();
  const visiting = new Set<string>();
  const out: TableShape[] = [];
  const visit = (t: TableShape) => {
    if (done.has(t.name) || visiting.has(t.name)) return;
    visiting.add(t.name);
    for (const ref of t.references) {
      const parent = byName.get(ref);
      if (parent) visit(parent);
    }
    visiting.delete(t.name);
    done.add(t.name);
    out.push(t);
  };
  for (const t of [...tables].sort((a, b) => a.name.localeCompare(b.name))) visit(t);
  return out;
}
