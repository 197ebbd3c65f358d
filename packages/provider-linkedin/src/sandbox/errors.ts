/**
 * LinkedIn-shaped errors the sandbox answers with.
 *
 * LinkedIn documents one error body, `{ message, serviceErrorCode, status }`
 * (https://learn.microsoft.com/en-us/linkedin/shared/api-guide/concepts/error-handling); the
 * versioned Rest.li endpoints also answer `{ status, code, message }` and
 * `{ message: "ERROR :: /field :: ...", status: 422 }` (observed, see NOTES.md). The OAuth
 * endpoints answer `{ error, error_description }`. Sub-codes and codes that NOTES.md does not
 * list (65600–65602, ACCESS_DENIED, VERSION_MISSING, NONEXISTENT_VERSION) are the ones LinkedIn
 * is reported to send; treat them as unverified.
 *
 * @module
 */

/** An error a sandbox handler throws; the server sends `status` with `body` as JSON. */
export class LinkedInError extends Error {
  constructor(
    readonly status: number,
    readonly body: Record<string, unknown>,
    /** Extra response headers. */
    readonly headers: Record<string, string> = {},
  ) {
    super(String(body.message ?? body.error_description ?? body.error ?? `status ${status}`));
    this.name = 'LinkedInError';
  }
}

/** 401 without an `Authorization: Bearer` header: LinkedIn's documented sample. */
export function emptyToken(): LinkedInError {
  return new LinkedInError(401, { message: 'Empty oauth2_access_token', serviceErrorCode: 401, status: 401 });
}

/** 401 for a token LinkedIn never issued. */
export function invalidToken(): LinkedInError {
  return new LinkedInError(401, {
    status: 401,
    serviceErrorCode: 65600,
    code: 'INVALID_ACCESS_TOKEN',
    message: 'Invalid access token',
  });
}

/** 401 for a token the member (or LinkedIn) revoked. */
export function revokedToken(): LinkedInError {
  return new LinkedInError(401, {
    status: 401,
    serviceErrorCode: 65601,
    code: 'REVOKED_ACCESS_TOKEN',
    message: 'The token used in the request has been revoked by the user',
  });
}

/** 401 for a token past its 60 days. */
export function expiredToken(): LinkedInError {
  return new LinkedInError(401, {
    status: 401,
    serviceErrorCode: 65602,
    code: 'EXPIRED_ACCESS_TOKEN',
    message: 'The token used in the request has expired',
  });
}

/** 403: the token lacks the scope (or the member the right) for `resource` (`posts.CREATE.202609`). */
export function accessDenied(resource: string): LinkedInError {
  return new LinkedInError(403, {
    status: 403,
    serviceErrorCode: 100,
    code: 'ACCESS_DENIED',
    message: `Not enough permissions to access: ${resource}`,
  });
}

/** 400: a versioned (`/rest`) call without `LinkedIn-Version`. */
export function versionMissing(): LinkedInError {
  return new LinkedInError(400, {
    status: 400,
    code: 'VERSION_MISSING',
    message: 'A version must be present. Please specify a version by adding the LinkedIn-Version header.',
  });
}

/** 426: a `LinkedIn-Version` that is sunset (or not released yet, or malformed). */
export function versionInactive(version: string): LinkedInError {
  return new LinkedInError(426, {
    status: 426,
    code: 'NONEXISTENT_VERSION',
    message: `Requested version ${version} is not active`,
  });
}

/** 400: a versioned call without `X-Restli-Protocol-Version: 2.0.0` (the sandbox is strict here). */
export function protocolVersionMissing(got: string | undefined): LinkedInError {
  return new LinkedInError(400, {
    status: 400,
    code: 'ILLEGAL_ARGUMENT',
    message: `X-Restli-Protocol-Version must be 2.0.0 for this resource (got ${got ? `"${got}"` : 'none'}).`,
  });
}

/** 400 with the Rest.li shape. */
export function illegalArgument(message: string): LinkedInError {
  return new LinkedInError(400, { status: 400, code: 'ILLEGAL_ARGUMENT', message });
}

/** 422: a body field is missing or wrong, in LinkedIn's `ERROR :: /path :: reason` form. */
export function fieldError(path: string, reason: string): LinkedInError {
  return new LinkedInError(422, { message: `ERROR :: /${path} :: ${reason}\n`, status: 422 });
}

/** 404 for an entity that does not exist. */
export function notFound(message: string): LinkedInError {
  return new LinkedInError(404, { status: 404, code: 'NOT_FOUND', message });
}

/** 429: a daily counter is spent. No `Retry-After` (LinkedIn documents none). */
export function throttled(level: 'APPLICATION' | 'MEMBER'): LinkedInError {
  return new LinkedInError(429, {
    message: `Resource level throttle ${level} DAY limit for calls to this resource is reached.`,
    status: 429,
  });
}

/** An OAuth endpoint error (`{ error, error_description }`). */
export function oauthError(status: number, error: string, description: string): LinkedInError {
  return new LinkedInError(status, { error, error_description: description });
}

/** An error of the platform's data provider (`/enrichment/v1/...`): `{ status, code, message }`. */
export function dataProviderError(
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): LinkedInError {
  return new LinkedInError(status, { status, code, message }, headers);
}

/** Bodies of the failures `failNext` injects. */
export function injectedError(status: number, path: string, message?: string): LinkedInError {
  if (path.startsWith('/enrichment/')) {
    const code =
      { 401: 'INVALID_API_KEY', 403: 'FORBIDDEN', 404: 'PERSON_NOT_FOUND', 429: 'RATE_LIMITED' }[status] ??
      'INTERNAL_ERROR';
    return dataProviderError(status, code, message ?? `Injected ${status} from the data provider sandbox.`);
  }
  switch (status) {
    case 401:
      return message
        ? new LinkedInError(401, {
            status: 401,
            serviceErrorCode: 65600,
            code: 'INVALID_ACCESS_TOKEN',
            message,
          })
        : invalidToken();
    case 403:
      return message
        ? new LinkedInError(403, { status: 403, serviceErrorCode: 100, message })
        : accessDenied(path);
    case 404:
      return notFound(message ?? `No resource at ${path}`);
    case 429:
      return message ? new LinkedInError(429, { message, status: 429 }) : throttled('APPLICATION');
    default:
      return new LinkedInError(status, { message: message ?? 'Internal Server Error', status });
  }
}
