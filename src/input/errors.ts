/**
 * The refusal family as every layer above the core imports it: the core's classes (src/trading/
 * refusals.ts) re-exported, plus the refusals of the service boundary.
 */
import { RefusedError } from '../trading/refusals.ts';

export {
  IllegalTransitionError,
  REFUSAL_CODES,
  type RefusalCode,
  RefusedError,
  TradingError,
} from '../trading/refusals.ts';

/** Input refused at a service boundary; `issues` names each offending field. */
export class InvalidInputError extends RefusedError {
  override name = 'InvalidInputError';
  readonly code = 'invalid_input';
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(what: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A row named by id (or key) does not exist. */
export class NotFoundError extends RefusedError {
  override name = 'NotFoundError';
  readonly code = 'not_found';
}

/** The request contradicts what is already stored (a duplicate key, a row in use). */
export class ConflictError extends RefusedError {
  override name = 'ConflictError';
  readonly code = 'conflict';
}

/**
 * A file or value the caller supplied is malformed (an import file, a backtest result, a candle):
 * the same code as InvalidInputError, without a per-field issue list.
 */
export class MalformedInputError extends RefusedError {
  override name = 'MalformedInputError';
  readonly code = 'invalid_input';
}
