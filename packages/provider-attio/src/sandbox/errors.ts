/**
 * Attio-shaped errors the sandbox answers with: `{ status_code, type, code, message }`, plus
 * `validation_errors` on a 400 for a body or query that does not match the documented shape.
 *
 * Sources: the error responses in Attio's OpenAPI description (shape, 400/404/409 codes), Attio's
 * rate-limiting guide (429 body). Bodies for 401, 403, 409 on unique values and 500 are not in
 * the description; their `code` values are the sandbox's best reading and marked as such.
 *
 * @module
 */

/** One entry of `validation_errors`, as Attio lists a bad field. */
export interface ValidationIssue {
  code: string;
  path: (string | number)[];
  message: string;
  expected?: string;
  received?: string;
}

/** Attio's error `type`. */
export type ErrorType = 'invalid_request_error' | 'auth_error' | 'rate_limit_error' | 'api_error';

/** An error a sandbox handler throws; the server turns it into Attio's error body. */
export class AttioError extends Error {
  constructor(
    readonly status: number,
    readonly type: ErrorType,
    readonly code: string,
    message: string,
    readonly validationErrors?: ValidationIssue[],
  ) {
    super(message);
    this.name = 'AttioError';
  }

  /** The JSON body Attio sends for this error. */
  body(): Record<string, unknown> {
    return {
      status_code: this.status,
      type: this.type,
      code: this.code,
      message: this.message,
      ...(this.validationErrors ? { validation_errors: this.validationErrors } : {}),
    };
  }
}

/** 400 `validation_type`: the body (or query string) does not match the documented shape. */
export function validationError(message: string, issues?: ValidationIssue[]): AttioError {
  return new AttioError(400, 'invalid_request_error', 'validation_type', message, issues);
}

/** 400 `validation_type` for one bad field, listed in `validation_errors`. */
export function fieldError(path: (string | number)[], message: string): AttioError {
  return validationError('Body payload validation error.', [{ code: 'invalid', path, message }]);
}

/** 404 `not_found`. */
export function notFound(message: string): AttioError {
  return new AttioError(404, 'invalid_request_error', 'not_found', message);
}

/** 400 `value_not_found`: a referenced thing (option, record, member, attribute) does not exist. */
export function valueNotFound(message: string): AttioError {
  return new AttioError(400, 'invalid_request_error', 'value_not_found', message);
}

/** 401 for a missing or unknown token. (`code` is the sandbox's reading: `unauthorized`.) */
export function unauthorized(): AttioError {
  return new AttioError(
    401,
    'auth_error',
    'unauthorized',
    'Authentication failed: the access token is missing, invalid or revoked.',
  );
}

/** The 429 body Attio documents. */
export function rateLimited(message?: string): AttioError {
  return new AttioError(
    429,
    'rate_limit_error',
    'rate_limit_exceeded',
    message ?? 'Rate limit exceeded, please try again later',
  );
}

/** Bodies of the failures `failNext` injects, keyed by status. */
export function injectedError(status: number, message?: string): AttioError {
  switch (status) {
    case 401:
      return message ? new AttioError(401, 'auth_error', 'unauthorized', message) : unauthorized();
    case 403:
      return new AttioError(
        403,
        'auth_error',
        'forbidden',
        message ??
          'The access token is missing a scope this endpoint requires (e.g. record_permission:read-write).',
      );
    case 404:
      return notFound(message ?? 'Record with ID "00000000-0000-4000-8000-000000000000" not found.');
    case 409:
      return new AttioError(
        409,
        'invalid_request_error',
        'uniqueness_conflict',
        message ?? 'A record with this value of a unique attribute already exists.',
      );
    case 429:
      return rateLimited(message);
    default:
      return new AttioError(
        status,
        'api_error',
        'internal_server_error',
        message ?? 'An internal error occurred.',
      );
  }
}
