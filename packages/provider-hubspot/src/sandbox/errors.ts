/**
 * HubSpot-shaped errors the sandbox answers with. The server adds `status: 'error'` and the
 * response's `correlationId` to every body.
 *
 * @module
 */

/** One entry of an error's `errors` list (`ErrorDetail`). */
export interface ErrorDetail {
  message: string;
  in?: string;
  code?: string;
  /** Context about the detail, e.g. `{ missingScopes: [...] }` (the v3 spec's `ErrorDetail.context`). */
  context?: Record<string, string[]>;
}

/** An error a sandbox handler throws; the server turns it into HubSpot's error body. */
export class HubSpotError extends Error {
  constructor(
    readonly status: number,
    readonly category: string,
    message: string,
    readonly extra: {
      errors?: ErrorDetail[];
      context?: Record<string, string[]>;
      links?: Record<string, string>;
    } = {},
  ) {
    super(message);
    this.name = 'HubSpotError';
  }

  /** The JSON body HubSpot sends for this error. */
  body(correlationId: string): Record<string, unknown> {
    return { status: 'error', message: this.message, correlationId, category: this.category, ...this.extra };
  }
}

/** HubSpot's answer to a missing or unknown token. */
export function authenticationError(): HubSpotError {
  return new HubSpotError(
    401,
    'INVALID_AUTHENTICATION',
    'Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview',
  );
}

/** A 400 `VALIDATION_ERROR`. */
export function validationError(message: string, errors?: ErrorDetail[]): HubSpotError {
  return new HubSpotError(400, 'VALIDATION_ERROR', message, errors ? { errors } : {});
}

/** A 404 for a record that does not exist. */
export function objectNotFound(id: string): HubSpotError {
  return new HubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.  objectId are usually numeric.', {
    context: { id: [id] },
  });
}

/** One invalid property value, as HubSpot lists them in "Property values were not valid". */
export interface PropertyIssue {
  name: string;
  error: 'INVALID_EMAIL' | 'INVALID_LONG' | 'INVALID_OPTION' | 'PROPERTY_DOESNT_EXIST' | 'READ_ONLY_VALUE';
  message: string;
}

/** HubSpot's message for invalid property values: the issues serialised after a prefix. */
export function propertyIssuesMessage(issues: PropertyIssue[]): string {
  const listed = issues.map((i) => ({
    isValid: false,
    message: i.message,
    error: i.error,
    name: i.name,
    localizedErrorMessage: i.message,
  }));
  return `Property values were not valid: ${JSON.stringify(listed)}`;
}

/** The 400 for invalid property values. */
export function propertyValuesError(issues: PropertyIssue[]): HubSpotError {
  return validationError(
    propertyIssuesMessage(issues),
    issues.map((i) => ({ message: i.message, in: i.name, code: i.error })),
  );
}

/**
 * The 403 for a token without the scope a call needs. HubSpot's message and `links.scopes`, with
 * the scopes listed in `errors[0].context.missingScopes` as the v3 spec's `ErrorDetail.context`
 * example documents (`{missingScopes=[scope1, scope2]}`).
 */
export function missingScopesError(scopes: readonly string[], message?: string): HubSpotError {
  return new HubSpotError(
    403,
    'MISSING_SCOPES',
    message ??
      "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
    {
      errors: [
        {
          message: 'One or more of the following scopes are required.',
          code: 'MISSING_SCOPES',
          ...(scopes.length > 0 ? { context: { missingScopes: [...scopes] } } : {}),
        },
      ],
      links: { scopes: 'https://developers.hubspot.com/scopes' },
    },
  );
}

/** HubSpot's 400 for an object type it does not know in a path. */
export function unknownObjectType(name: string): HubSpotError {
  return validationError(`Unable to infer object type from: ${name}`);
}

/** Bodies of the failures `failNext` injects, keyed by status. */
export function injectedError(
  status: number,
  message?: string,
  scopes: readonly string[] = [],
): HubSpotError {
  switch (status) {
    case 400:
      return validationError(message ?? 'Invalid input JSON on line 1: the request was refused.');
    case 401:
      return message ? new HubSpotError(401, 'INVALID_AUTHENTICATION', message) : authenticationError();
    case 403:
      return missingScopesError(scopes, message);
    case 404:
      return new HubSpotError(
        404,
        'OBJECT_NOT_FOUND',
        message ?? 'Object not found.  objectId are usually numeric.',
      );
    case 409:
      return new HubSpotError(409, 'CONFLICT', message ?? 'Contact already exists. Existing ID: 0');
    default:
      return new HubSpotError(status, 'INTERNAL_ERROR', message ?? 'internal error');
  }
}
