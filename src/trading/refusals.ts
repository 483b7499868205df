/**
 * The refusal family: every error a caller can cause, each with a stable `code` so the CLI and the
 * HTTP API map it in one place (exit code, status). A refusal means the operation wrote nothing.
 *
 * The base lives here, in the pure core, because the core's own rules (transitions, trading rules)
 * refuse too and this folder imports nothing but itself and decimal.js. `src/input/errors.ts`
 * re-exports the family and adds the boundary's refusals (invalid input, not found, conflict).
 */

/** Stable, machine-readable reason of a refusal; never renamed once published. */
export type RefusalCode = 'invalid_input' | 'not_found' | 'illegal_transition' | 'trading_rule' | 'conflict';

export const REFUSAL_CODES: readonly RefusalCode[] = [
  'invalid_input',
  'not_found',
  'illegal_transition',
  'trading_rule',
  'conflict',
];

/**
 * Every refusal a service makes on purpose: the operation wrote nothing. Callers that only need
 * "refused or failed" catch this one class; those that need the reason read `code`.
 */
export abstract class RefusedError extends Error {
  override name = 'RefusedError';
  abstract readonly code: RefusalCode;
}

/** A trading rule the operation would break (a size, a limit, a mismatch); nothing was written. */
export class TradingError extends RefusedError {
  override name = 'TradingError';
  readonly code = 'trading_rule';
}

/** A status change its state machine does not allow (src/trading/transitions.ts). */
export class IllegalTransitionError extends RefusedError {
  override name = 'IllegalTransitionError';
  readonly code = 'illegal_transition';
  readonly entity: string;
  readonly from: string;
  readonly to: string;
  readonly allowed: readonly string[];

  /** `message` replaces the default text where the caller can say it better (naming the row). */
  constructor(entity: string, from: string, to: string, allowed: readonly string[], message?: string) {
    super(
      message ??
        `illegal ${entity} status transition '${from}' -> '${to}' (allowed from '${from}': ${describeAllowed(from, allowed)})`,
    );
    this.entity = entity;
    this.from = from;
    this.to = to;
    this.allowed = allowed;
  }
}

export function describeAllowed(from: string, allowed: readonly string[]): string {
  return allowed.length === 0 ? `none: '${from}' is terminal` : allowed.join(', ');
}
