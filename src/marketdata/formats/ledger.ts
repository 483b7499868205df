/**
 * Remembers which timestamps a file has already produced, to reject duplicates exactly while staying
 * small for the normal case.
 *
 * Every ts that arrives as a new maximum is recorded as arithmetic runs (start, step, count): a sorted
 * candle file on a regular grid is one run, and each gap adds one, so a sorted file costs O(gaps) —
 * O(1) for gap-free data — instead of a Set entry per row. A ts at or below the maximum is a duplicate
 * if it is in a run or in `late`, the Set of out-of-order arrivals. Memory therefore grows only with
 * the number of out-of-order rows (and gaps); a fully shuffled file degrades to one Set entry per row,
 * the price of exact duplicate detection without a second pass.
 */
export class TimestampLedger {
  private previous = Number.NEGATIVE_INFINITY;
  // Closed runs, in increasing order of start.
  private readonly runStart: number[] = [];
  private readonly runStep: number[] = [];
  private readonly runCount: number[] = [];
  // The open (last) run lives in fields: the sorted hot path touches no arrays.
  private tailStart = Number.NaN;
  private tailStep = 0;
  private tailCount = 0;
  private tailLast = Number.NEGATIVE_INFINITY;
  private late: Set<number> | null = null;
  /** Accepted timestamps lower than the one accepted just before them. */
  unsortedRows = 0;

  /** Records `ts`; returns false (and records nothing) when it was already seen. */
  admit(ts: number): boolean {
    if (ts > this.tailLast) {
      if (this.tailCount === 0) {
        this.tailStart = ts;
        this.tailCount = 1;
      } else if (this.tailCount === 1) {
        this.tailStep = ts - this.tailStart;
        this.tailCount = 2;
      } else if (ts - this.tailLast === this.tailStep) {
        this.tailCount++;
      } else {
        this.runStart.push(this.tailStart);
        this.runStep.push(this.tailStep);
        this.runCount.push(this.tailCount);
        this.tailStart = ts;
        this.tailStep = 0;
        this.tailCount = 1;
      }
      this.tailLast = ts;
    } else {
      if (this.inRuns(ts)) return false;
      if (this.late === null) this.late = new Set();
      else if (this.late.has(ts)) return false;
      this.late.add(ts);
    }
    if (ts < this.previous) this.unsortedRows++;
    this.previous = ts;
    return true;
  }

  /** Runs plus out-of-order entries held: the ledger's memory, for tests and diagnostics. */
  get footprint(): number {
    return this.runStart.length + (this.tailCount > 0 ? 1 : 0) + (this.late?.size ?? 0);
  }

  private inRuns(ts: number): boolean {
    if (ts >= this.tailStart) return inRun(ts, this.tailStart, this.tailStep, this.tailCount);
    let lo = 0;
    let hi = this.runStart.length - 1;
    if (hi < 0 || ts < this.runStart[0]!) return false;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.runStart[mid]! <= ts) lo = mid;
      else hi = mid - 1;
    }
    return inRun(ts, this.runStart[lo]!, this.runStep[lo]!, this.runCount[lo]!);
  }
}

function inRun(ts: number, start: number, step: number, count: number): boolean {
  const offset = ts - start;
  if (offset === 0) return true;
  if (step === 0) return false;
  const k = offset / step;
  return Number.isInteger(k) && k < count;
}
