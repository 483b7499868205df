/**
 * The two refusals that belong to accounts rather than to trading: who you are (401) and what you
 * may do (403). Like every RefusedError they wrote nothing; `code` is what the HTTP layer maps.
 */
import { RefusedError } from '../input/errors.ts';

/** Missing, malformed, expired or revoked credentials. The message never says which part failed. */
export class AuthenticationError extends RefusedError {
  override name = 'AuthenticationError';
  readonly code = 'unauthenticated';
}

/** A role or key scope that may not perform the action. */
export class AccessDeniedError extends RefusedError {
  override name = 'AccessDeniedError';
  readonly code = 'forbidden';
}

/** A unique fact already exists (an email, a grant). */
export class ConflictError extends RefusedError {
  override name = 'ConflictError';
  readonly code = 'conflict';
}
