/**
 * Attio error bodies in the shapes Attio documents, for parser tests.
 */

/** Source: Attio OpenAPI description, `GET /v2/objects/{object}/records/{record_id}` 404 response example. */
export const notFoundBody = {
  status_code: 404,
  type: 'invalid_request_error',
  code: 'not_found',
  message: 'Record with ID "891dcbfc-9141-415d-9b2a-2238a6cc012d" not found.',
};

/** Source: Attio rate-limiting guide (docs.attio.com/rest-api/guides/rate-limiting), the 429 body. */
export const rateLimitBody = {
  status_code: 429,
  type: 'rate_limit_error',
  code: 'rate_limit_exceeded',
  message: 'Rate limit exceeded, please try again later',
};

/**
 * A 400 for a body off the documented shape: `validation_errors` lists the fields. Secondary
 * source: the shape as quoted by public Attio client libraries (e.g. a webhook body with a bad
 * filter); the top-level message is generic.
 */
export const validationBody = {
  status_code: 400,
  type: 'invalid_request_error',
  code: 'validation_type',
  message: 'Body payload validation error.',
  validation_errors: [
    { code: 'invalid', path: ['data', 'values', 'email_addresses', 0], message: 'Invalid email address' },
  ],
};
