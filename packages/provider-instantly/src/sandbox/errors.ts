/**
 * Instantly-shaped errors the sandbox answers with. Instantly's API runs on Fastify and answers
 * every error as `{ statusCode, error, message }`, validation errors with Fastify/Ajv wording
 * (`body must have required property 'name'`). Source: the error responses of every operation
 * in Instantly's OpenAPI description (https://developer.instantly.ai/api-reference/introduction).
 *
 * @module
 */

/** Reason phrases Instantly puts in `error`. */
export const REASON: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  402: 'Payment Required',
  403: 'Forbidden',
  404: 'Not Found',
  415: 'Unsupported Media Type',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

/** An error a sandbox handler throws; the server turns it into Instantly's error body. */
export class InstantlyError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** Fastify's error code, on framework-level errors (`FST_ERR_VALIDATION`, ...). */
    readonly code?: string,
  ) {
    super(message);
    this.name = 'InstantlyError';
  }

  /** The JSON body Instantly sends for this error. */
  body(): Record<string, unknown> {
    return {
      statusCode: this.status,
      ...(this.code ? { code: this.code } : {}),
      error: REASON[this.status] ?? 'Error',
      message: this.message,
    };
  }
}

/** A 400 with Fastify's validation wording. */
export function badRequest(message: string, code = 'FST_ERR_VALIDATION'): InstantlyError {
  return new InstantlyError(400, message, code);
}

/** A 404 for a record that does not exist (Instantly's documented message). */
export function notFound(message = 'Resource not found'): InstantlyError {
  return new InstantlyError(404, message);
}

/** Fastify's 404 for a method and path no route serves. */
export function routeNotFound(method: string, path: string): InstantlyError {
  return new InstantlyError(404, `Route ${method}:${path} not found`);
}

/**
 * Instantly's 401. "Missing Authorization header" is the documented example; the wording for a
 * wrong or revoked key is the sandbox's own.
 */
export function unauthorized(missing: boolean): InstantlyError {
  return new InstantlyError(401, missing ? 'Missing Authorization header' : 'Invalid API key');
}

/** A 403 for a key without any of the scopes an endpoint requires (the sandbox's wording). */
export function forbidden(scopes: string[]): InstantlyError {
  return new InstantlyError(
    403,
    `API key does not have the required scopes. Requires one of the following scopes: ${scopes.join(', ')}`,
  );
}

/** Instantly's 429 body (documented). Instantly documents no rate-limit headers. */
export function tooManyRequests(message = 'Rate limit exceeded'): InstantlyError {
  return new InstantlyError(429, message);
}

/** Bodies of the failures `failNext` injects, keyed by status. */
export function injectedError(status: number, message?: string): InstantlyError {
  switch (status) {
    case 401:
      return message ? new InstantlyError(401, message) : unauthorized(false);
    case 402:
      return new InstantlyError(402, message ?? 'Workspace does not have an active paid plan');
    case 403:
      return new InstantlyError(403, message ?? 'API key does not have the required scopes');
    case 404:
      return notFound(message);
    case 429:
      return tooManyRequests(message);
    default:
      return new InstantlyError(status, message ?? 'Internal Server Error');
  }
}
