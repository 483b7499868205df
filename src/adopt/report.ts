/**
 * What an adoption import reports, per source file: how many records it read, imported (of which
 * tagged test), skipped (each with where and why) and found already present; plus the differences
 * a check found (derived positions against `holdings`, recomputed performance against the legacy
 * figures). The CLI prints it as a table or as JSON.
 */
export interface Problem {
  /** `index 3`, `line 5`, `trade 12`: where in the source. */
  at: string;
  reason: string;
}

export interface FileReport {
  file: string;
  read: number;
  imported: number;
  taggedTest: number;
  skipped: number;
  alreadyPresent: number;
  problems: Problem[];
  differences: string[];
}

export function fileReport(file: string): FileReport {
  return {
    file,
    read: 0,
    imported: 0,
    taggedTest: 0,
    skipped: 0,
    alreadyPresent: 0,
    problems: [],
    differences: [],
  };
}

export function skip(report: FileReport, at: string, reason: string): void {
  report.skipped += 1;
  report.problems.push({ at, reason });
}

/** One line per file, then each problem and difference under it, for people. */
export function formatReport(files: FileReport[], notes: string[] = []): string {
  const header = ['file', 'read', 'imported', 'tagged test', 'skipped', 'already present'];
  const rows = files.map((f) => [
    f.file,
    String(f.read),
    String(f.imported),
    String(f.taggedTest),
    String(f.skipped),
    String(f.alreadyPresent),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  const out = [line(header), ...rows.map(line)];
  for (const f of files) {
    for (const p of f.problems) out.push(`  ${f.file} ${p.at}: skipped: ${p.reason}`);
    for (const d of f.differences) out.push(`  ${f.file}: ${d}`);
  }
  for (const n of notes) out.push(n);
  return `${out.join('\n')}\n`;
}
