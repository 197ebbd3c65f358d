/**
 * One error shape for every route (`{ "error": OxygenError.toJSON() }`) and one HTTP status per
 * stable error code. Unknown failures become `internal` without their message: a message from a
 * driver or a library could carry anything, so it goes to the (redacted) log only.
 *
 * @module
 */

import { type ErrorCode, OxygenError, ValidationError } from '@oxygen/core';

/** HTTP status per error code. Stable: clients may branch on either. */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  validation: 400,
  auth: 401,
  insufficient_credits: 402,
  not_found: 404,
  conflict: 409,
  rate_limit: 429,
  provider: 502,
  network: 502,
  config: 500,
  plugin: 500,
  internal: 500,
};

/**
 * An `auth` error that is about permission rather than identity (a non-admin token on an admin
 * route): answered 403 instead of 401.
 */
export const FORBIDDEN = Symbol.for('oxygen.server.forbidden');

/** Marks an error as "forbidden" (403). */
export function forbidden<E extends OxygenError>(error: E): E {
  (error as unknown as Record<symbol, boolean>)[FORBIDDEN] = true;
  return error;
}

/** The HTTP status for an error. */
export function statusOf(error: OxygenError): number {
  if ((error as unknown as Record<symbol, unknown>)[FORBIDDEN]) return 403;
  return HTTP_STATUS[error.code] ?? 500;
}

/** The error as the API returns it. */
export function errorBody(error: OxygenError): { error: Record<string, unknown> } {
  return { error: error.toJSON() };
}

/** A request that failed schema validation, as a `validation` error naming the first bad field. */
export function requestValidationError(
  issues: readonly { instancePath?: string; message?: string; params?: unknown }[],
  context: string,
): OxygenError {
  const first = issues[0];
  const path = (first?.instancePath ?? '').replace(/^\//, '').replaceAll('/', '.');
  const where = context === 'body' ? '' : `${context} `;
  const message = first?.message ?? 'is not valid';
  return new ValidationError(
    path
      ? `The request ${where}field "${path}" ${lowerFirst(message)}.`
      : `The request ${context} ${lowerFirst(message)}.`,
    {
      ...(path ? { field: path } : {}),
      hint: 'See GET /openapi.json for the request schema.',
    },
  );
}

function lowerFirst(text: string): string {
  const clean = text.replace(/\.$/, '');
  return `${clean[0]?.toLowerCase() ?? ''}${clean.slice(1)}`;
}

/** Turns anything thrown into an {@link OxygenError}; unknown errors keep no message. */
export function toOxygenError(error: unknown, requestId: string): OxygenError {
  if (OxygenError.isInstance(error)) return error;
  return new OxygenError('internal', `The server failed unexpectedly (request ${requestId}).`, {
    hint: 'Retry; if it persists, report the request id to the server operator.',
    cause: error,
  });
}
