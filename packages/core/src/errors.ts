/**
 * Typed errors shared by plugins, the runtime and the apps.
 *
 * A plugin loaded at run time may bundle its own copy of `@oxygen/core`, so `instanceof`
 * cannot be trusted across copies. Every error carries a global marker
 * (`Symbol.for('oxygen.error')`) and a stable {@link ErrorCode}; use the static
 * `isInstance` helpers instead of `instanceof`.
 *
 * @module
 */

const MARKER = Symbol.for('oxygen.error');

/**
 * Stable machine-readable error codes. The CLI maps each to an exit status and the
 * server to an HTTP status; they never change meaning between versions.
 */
export type ErrorCode =
  | 'validation'
  | 'auth'
  | 'not_found'
  | 'conflict'
  | 'rate_limit'
  | 'provider'
  | 'network'
  | 'config'
  | 'plugin'
  | 'insufficient_credits'
  | 'internal';

/** Extra facts an error can carry; all optional. */
export interface ErrorDetails {
  /** A short instruction saying what the user can do about it. */
  hint?: string;
  /** The provider's own error message, redacted. */
  providerMessage?: string;
  /** The provider's request or correlation id, for support tickets. */
  requestId?: string;
  /** The HTTP status the provider answered with. */
  status?: number;
  /** Which input field was wrong, as a dotted path (`properties.email`). */
  field?: string;
  /** Milliseconds the provider asked us to wait (from `Retry-After`). */
  retryAfterMs?: number;
  /** Anything else worth showing in `--json` output. Never secrets. */
  data?: Record<string, unknown>;
  /** The underlying error. */
  cause?: unknown;
}

/**
 * Base class of every Oxygen error.
 *
 * @example
 * ```ts
 * try { await runtime.run(...) } catch (e) {
 *   if (OxygenError.isInstance(e)) console.error(e.code, e.message);
 * }
 * ```
 */
export class OxygenError extends Error {
  /** The stable error code. */
  readonly code: ErrorCode;
  /** What the user can do about it. */
  readonly hint: string | undefined;
  /** The provider's own message, when a provider answered. */
  readonly providerMessage: string | undefined;
  /** The provider's request or correlation id. */
  readonly requestId: string | undefined;
  /** The provider's HTTP status. */
  readonly status: number | undefined;
  /** The input field at fault, for validation errors. */
  readonly field: string | undefined;
  /** Extra structured data. */
  readonly data: Record<string, unknown> | undefined;
  /** The global marker (`Symbol.for('oxygen.error')`) that {@link OxygenError.isInstance} checks. */
  readonly [MARKER] = true;

  constructor(code: ErrorCode, message: string, details: ErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'OxygenError';
    this.code = code;
    this.hint = details.hint;
    this.providerMessage = details.providerMessage;
    this.requestId = details.requestId;
    this.status = details.status;
    this.field = details.field;
    this.data = details.data;
  }

  /** True for any Oxygen error, from any copy of `@oxygen/core`. */
  static isInstance(error: unknown): error is OxygenError {
    return typeof error === 'object' && error !== null && (error as Record<symbol, unknown>)[MARKER] === true;
  }

  /** A plain JSON view, safe to print: no stack, no cause, no secrets. */
  toJSON(): Record<string, unknown> {
    return stripUndefined({
      code: this.code,
      message: this.message,
      hint: this.hint,
      field: this.field,
      provider_message: this.providerMessage,
      request_id: this.requestId,
      status: this.status,
      ...(this.data ? { data: this.data } : {}),
    });
  }
}

function stripUndefined(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));
}

/** Bad input: a field is missing, of the wrong type, or not allowed. */
export class ValidationError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('validation', message, details);
    this.name = 'ValidationError';
  }
  /** True for a validation error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'validation';
  }
}

/** The credential is missing, wrong, expired or lacks a scope. */
export class AuthError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('auth', message, details);
    this.name = 'AuthError';
  }
  /** True for an auth error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'auth';
  }
}

/** The thing asked for does not exist (or belongs to another organization). */
export class NotFoundError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('not_found', message, details);
    this.name = 'NotFoundError';
  }
  /** True for a not-found error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'not_found';
  }
}

/** The provider refused a write because it conflicts with existing state. */
export class ConflictError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('conflict', message, details);
    this.name = 'ConflictError';
  }
  /** True for a conflict error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'conflict';
  }
}

/** The provider's rate limit was hit and retries did not absorb it. */
export class RateLimitError extends OxygenError {
  /** How long the provider asked us to wait, in milliseconds, when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(message: string, details?: ErrorDetails) {
    super('rate_limit', message, details);
    this.name = 'RateLimitError';
    this.retryAfterMs = details?.retryAfterMs;
  }
  /** True for a rate-limit error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'rate_limit';
  }
}

/** The provider failed (5xx) or answered something we cannot use. */
export class ProviderError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('provider', message, details);
    this.name = 'ProviderError';
  }
  /** True for a provider error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'provider';
  }
}

/** The provider could not be reached (DNS, connection refused, timeout). */
export class NetworkError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('network', message, details);
    this.name = 'NetworkError';
  }
  /** True for a network error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'network';
  }
}

/** Oxygen itself is misconfigured (missing env var, bad config file). */
export class ConfigError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('config', message, details);
    this.name = 'ConfigError';
  }
  /** True for a config error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'config';
  }
}

/** A plugin could not be loaded or does not satisfy the contract. */
export class PluginError extends OxygenError {
  constructor(message: string, details?: ErrorDetails) {
    super('plugin', message, details);
    this.name = 'PluginError';
  }
  /** True for a plugin error from any copy of core. */
  static override isInstance(error: unknown): error is OxygenError {
    return OxygenError.isInstance(error) && error.code === 'plugin';
  }
}
