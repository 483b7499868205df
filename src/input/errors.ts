/**
 * Every refusal a service makes on purpose: the operation wrote nothing. Callers that only need
 * "refused or failed" (an HTTP status, a CLI exit code) catch this one class.
 */
export class RefusedError extends Error {
  override name = 'RefusedError';
}

/** Input refused at a service boundary; `issues` names each offending field. */
export class InvalidInputError extends RefusedError {
  override name = 'InvalidInputError';
  readonly issues: ReadonlyArray<{ path: string; message: string }>;

  constructor(what: string, issues: ReadonlyArray<{ path: string; message: string }>) {
    super(`invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
    this.issues = issues;
  }
}

/** A row named by id (or key) does not exist. */
export class NotFoundError extends RefusedError {
  override name = 'NotFoundError';
}
