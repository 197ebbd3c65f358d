/**
 * HubSpot error bodies in the shapes HubSpot documents, for parser tests.
 * Values are illustrative; the shapes are what matter.
 */

/**
 * Source: HubSpot developer docs, "API error handling" (developers.hubspot.com), example error
 * body: status, message, errors[{message, in}], category, correlationId.
 */
export const validationErrorBody = {
  status: 'error',
  message: 'Property values were not valid',
  errors: [{ message: 'Invalid value for property', in: 'name' }],
  category: 'VALIDATION_ERROR',
  correlationId: '5b1e7d0c-3f61-4a2e-9c55-0d2b8f6c1a47',
};

/**
 * Source: 429 body quoted on HubSpot's community forum from HubSpot's rate-limit docs
 * (secondary source): errorType and policyName instead of category.
 */
export const rateLimitErrorBody = {
  status: 'error',
  message: 'You have reached your secondly limit.',
  errorType: 'RATE_LIMIT',
  correlationId: 'c033cdaa-2c40-4a64-ae48-b4cec88dad24',
  policyName: 'SECONDLY',
  requestId: '3d3e35b7-0dae-4b9f-a6e3-9c230cbcf8dd',
};
