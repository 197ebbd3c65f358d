/**
 * Instantly error bodies in the shapes Instantly documents, for parser tests.
 * Source: the 400, 401 and 429 responses of `POST /api/v2/leads` in Instantly's OpenAPI
 * description (https://api.instantly.ai/openapi/api_v2.json), whose examples these are.
 */

/** 400 for a body off the schema (Fastify/Ajv wording). */
export const validationErrorBody = {
  statusCode: 400,
  error: 'Bad Request',
  message: "body must have required property 'name'",
};

/** 401 without an Authorization header. */
export const unauthorizedBody = {
  statusCode: 401,
  error: 'Unauthorized',
  message: 'Missing Authorization header',
};

/** 429 past the workspace rate limit. */
export const rateLimitBody = {
  statusCode: 429,
  error: 'Too Many Requests',
  message: 'Rate limit exceeded',
};
