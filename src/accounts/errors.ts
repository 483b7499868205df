/**
 * Who you are (401) and what you may do (403): refusals about access, not about the operation,
 * so they sit beside the refusal family (src/trading/refusals.ts) with codes of their own. Like a
 * refusal, nothing was written; `code` is what the HTTP layer maps.
 */
export type AccessCode = 'unauthenticated' | 'forbidden';

export abstract class AccessError extends Error {
  abstract readonly code: AccessCode;
}

/** Missing, malformed, expired or revoked credentials. The message never says which part failed. */
export class AuthenticationError extends AccessError {
  override name = 'AuthenticationError';
  readonly code = 'unauthenticated';
}

/** A role or key scope that may not perform the action. */
export class AccessDeniedError extends AccessError {
  override name = 'AccessDeniedError';
  readonly code = 'forbidden';
}
