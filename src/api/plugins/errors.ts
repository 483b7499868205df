/**
 * The one place errors become responses: `{ error: { code, message, details } }`. Services refuse
 * with a RefusedError carrying a stable `code`; its status comes from STATUS below. Request
 * validation is a 400 listing each field path; anything unexpected is a 500 that says only
 * "internal error" and the request id (the log has the rest).
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { AccessError } from '../../accounts/errors.ts';
import { SettingsUnavailableError } from '../../hybrid/settings.ts';
import { InvalidInputError, RefusedError } from '../../input/errors.ts';
import { CursorError } from '../schemas/common.ts';

export const STATUS: Record<string, number> = {
  invalid_input: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  illegal_transition: 409,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  trading_rule: 422,
  rate_limited: 429,
  internal_error: 500,
  unavailable: 503,
};

/** An error the HTTP layer raises itself (auth, limits) with its code. */
export class ApiError extends Error {
  readonly code: string;
  readonly details: unknown;
  constructor(code: string, message: string, details: unknown = null) {
    super(message);
    this.code = code;
    this.details = details;
  }
}

function causedBy(error: unknown, test: (e: unknown) => boolean): boolean {
  for (let e = error, depth = 0; e instanceof Error && depth < 8; e = e.cause, depth += 1)
    if (test(e)) return true;
  return false;
}

function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: unknown; name?: unknown; errcode?: unknown };
  return e.code === '23505' || e.name === 'UniqueConstraintViolationException' || e.errcode === 2067;
}

export interface ErrorBody {
  error: { code: string; message: string; details: unknown };
}

export function describeError(error: unknown): { status: number; body: ErrorBody; internal: boolean } {
  const body = (code: string, message: string, details: unknown = null) => ({
    status: STATUS[code] ?? 500,
    body: { error: { code, message, details } },
    internal: false,
  });
  if (hasZodFastifySchemaValidationErrors(error)) {
    const e = error as FastifyError & { validationContext?: string };
    const where = e.validationContext ?? 'body';
    const details = error.validation.map((v) => ({
      path: `${where}${v.instancePath.replaceAll('/', '.').replace(/^\.$/, '')}`,
      message: v.message,
    }));
    return body(
      'invalid_input',
      `invalid ${where}: ${details.map((d) => `${d.path}: ${d.message}`).join('; ')}`,
      details,
    );
  }
  if (error instanceof ApiError) return body(error.code, error.message, error.details);
  // An upload stopped at its byte limit inside an importer: a 413, with the importer's message
  // (it says what stayed written).
  if (causedBy(error, (e) => e instanceof ApiError && e.code === 'payload_too_large'))
    return body('payload_too_large', (error as Error).message);
  if (error instanceof InvalidInputError)
    return body(
      'invalid_input',
      error.message,
      error.issues.map((i) => ({ path: i.path, message: i.message })),
    );
  // Every refusal carries its stable code (src/trading/refusals.ts); so do access errors.
  if (error instanceof RefusedError || error instanceof AccessError) return body(error.code, error.message);
  // Hybrid storage: a settings write while the database is unreachable is refused, not lost.
  if (error instanceof SettingsUnavailableError) return body(error.code, error.message);
  if (error instanceof CursorError)
    return body('invalid_input', error.message, [{ path: 'query.cursor', message: error.message }]);
  if (isUniqueViolation(error)) return body('conflict', 'a row with the same unique key already exists');
  const f = error as Partial<FastifyError>;
  if (f.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return body('payload_too_large', f.message ?? 'body too large');
  if (f.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE')
    return body('unsupported_media_type', f.message ?? 'unsupported content type');
  if (
    typeof f.statusCode === 'number' &&
    f.statusCode >= 400 &&
    f.statusCode < 500 &&
    f.code?.startsWith('FST_')
  )
    return body('invalid_input', f.message ?? 'bad request');
  return { ...body('internal_error', 'internal error'), internal: true };
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: unknown, request: FastifyRequest, reply: FastifyReply) => {
    const { status, body, internal } = describeError(error);
    if (internal) {
      request.log.error({ err: error }, 'request failed');
      body.error.details = { request_id: request.id };
    } else if (status >= 400) request.log.info({ code: body.error.code, status }, 'request refused');
    return reply.code(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.code(404).send({
      error: {
        code: 'not_found',
        message: `no route ${request.method} ${request.url.split('?')[0]}`,
        details: null,
      },
    }),
  );
}

/**
 * The path of the first string holding U+0000, or null. PostgreSQL cannot store that character in
 * text and SQLite can: refusing it on the way in keeps both databases answering the same (400).
 */
export function nulPath(value: unknown, path = 'body'): string | null {
  if (typeof value === 'string') return value.includes('\u0000') ? path : null;
  if (Array.isArray(value)) {
    for (const [i, v] of value.entries()) {
      const found = nulPath(v, `${path}[${i}]`);
      if (found) return found;
    }
    return null;
  }
  if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      const found = nulPath(k, `${path}.${k}`) ?? nulPath(v, `${path}.${k}`);
      if (found) return found;
    }
  }
  return null;
}

export function refuseNul(body: unknown): void {
  const path = nulPath(body);
  if (path !== null)
    throw new ApiError('invalid_input', `${path}: the NUL character (U+0000) cannot be stored`, [
      { path, message: 'the NUL character (U+0000) cannot be stored' },
    ]);
}
