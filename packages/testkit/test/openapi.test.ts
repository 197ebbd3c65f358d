/**
 * The request validator on a small OpenAPI document: each kind of problem is caught, and a
 * request that matches the description has none.
 */
import { describe, expect, it } from 'vitest';
import { createRequestValidator, findProviderSpecs, type OpenApiDocument } from '../src/openapi.js';

const document: OpenApiDocument = {
  file: 'acme.json',
  document: {
    openapi: '3.1.0',
    paths: {
      '/v1/contacts': {
        post: {
          parameters: [{ name: 'mode', in: 'query', required: true, schema: { enum: ['upsert', 'create'] } }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { $ref: '#/components/schemas/Contact' } } },
          },
          responses: {
            '200': { content: { 'application/json': { schema: { $ref: '#/components/schemas/Contact' } } } },
          },
        },
      },
      '/v1/contacts/{id}': {
        get: {
          parameters: [
            { name: 'id', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } },
            { name: 'fields', in: 'query', schema: { type: 'array', items: { type: 'string' } } },
            { name: 'limit', in: 'query', schema: { type: 'integer', maximum: 10 } },
          ],
          responses: { '200': {} },
        },
      },
      '/v1/contacts/search': { get: { responses: { '200': {} } } },
    },
    components: {
      schemas: {
        Contact: {
          type: 'object',
          required: ['email'],
          properties: {
            email: { type: 'string', format: 'email' },
            tags: { type: 'array', items: { type: 'string' } },
          },
        },
      },
    },
  },
};
const headers = { authorization: 'Bearer t', 'content-type': 'application/json' };

describe('createRequestValidator', () => {
  const spec = createRequestValidator([document], {
    name: "Acme's spec",
    jsonContentTypeWithoutBody: 'Acme answers 400',
  });

  it('finds no problem with a documented request', () => {
    const ok = {
      method: 'POST',
      path: '/v1/contacts',
      query: { mode: 'upsert' },
      headers,
      body: { email: 'a@b.co' },
    };
    expect(spec.problems(ok)).toEqual([]);
    const get = {
      method: 'GET',
      path: '/v1/contacts/0b0e2a8c-8e0f-4f7a-9d1e-0c8f6a1b2c3d',
      query: { fields: 'a,b', limit: '5' },
      headers: { authorization: 'Bearer t' },
    };
    expect(spec.problems(get)).toEqual([]);
    expect(spec.find('GET', '/v1/contacts/search')?.template).toBe('/v1/contacts/search');
  });

  it('catches each kind of problem', () => {
    const post = {
      method: 'POST',
      path: '/v1/contacts',
      query: {},
      headers: { 'content-type': 'text/plain' },
      body: { email: 'x', extra: 1 },
    };
    expect(spec.problems(post)).toEqual([
      'POST /v1/contacts: no bearer authorization header',
      'POST /v1/contacts: missing required query mode',
      'POST /v1/contacts: content-type "text/plain" is not one the description accepts',
      'POST /v1/contacts: body must NOT have additional properties {"additionalProperty":"extra"}',
      'POST /v1/contacts: body/email must match format "email" {"format":"email"}',
    ]);
    const get = { method: 'GET', path: '/v1/contacts/42', query: { limit: '50', page: '2' }, headers };
    expect(spec.problems(get)).toEqual([
      'GET /v1/contacts/{id}: bad query limit=50',
      'GET /v1/contacts/{id}: undocumented query page',
      'GET /v1/contacts/{id}: bad path id=42',
      'GET /v1/contacts/{id}: a JSON content-type with an empty body (Acme answers 400)',
    ]);
    expect(spec.problems({ method: 'POST', path: '/v1/contacts', query: { mode: 'x' }, headers })).toEqual([
      'POST /v1/contacts: bad query mode=x',
      'POST /v1/contacts: the description requires a body',
      'POST /v1/contacts: a JSON content-type with an empty body (Acme answers 400)',
    ]);
    expect(spec.problems({ method: 'DELETE', path: '/v1/contacts', query: {}, headers })).toEqual([
      "DELETE /v1/contacts is not in Acme's spec",
    ]);
  });

  it('validates answers against the published (open) response schema', () => {
    const op = spec.find('POST', '/v1/contacts');
    const validate = op && spec.response(op, 200);
    expect(validate?.({ email: 'a@b.co', more: true })).toBe(true);
    expect(validate?.({ tags: [] })).toBe(false);
    expect(op && spec.response(op, 404)).toBeUndefined();
  });

  it('applies documented deviations, and throws when one no longer applies', () => {
    const relaxed = createRequestValidator([document], {
      name: 'x',
      deviations: [
        { schema: 'Contact', path: ['properties', 'email'], replacement: { type: 'string' }, why: 'test' },
      ],
    });
    const body = { email: 'x' };
    expect(
      relaxed.problems({ method: 'POST', path: '/v1/contacts', query: { mode: 'create' }, headers, body }),
    ).toEqual([]);
    expect(() =>
      createRequestValidator([document], {
        name: 'x',
        deviations: [
          { operation: 'PUT /v1/nowhere', path: ['properties', 'a'], replacement: {}, why: 'test' },
        ],
      }),
    ).toThrow(/no longer applies/);
  });

  it('says when the spec folder is absent', () => {
    expect(findProviderSpecs('no-such-provider', ['x.json'], '/tmp')).toBeUndefined();
  });
});
