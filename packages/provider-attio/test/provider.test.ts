import {
  AuthError,
  ConflictError,
  createRateLimiter,
  NotFoundError,
  ProviderError,
  type RateLimit,
  RateLimitError,
  toJsonSchema,
} from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import plugin, { noteCreate, parseAttioError, recordAssert, recordGet, recordQuery } from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { notFoundBody, rateLimitBody, validationBody } from './__fixtures__/errors.js';
import { events } from './__fixtures__/webhooks.js';
import { failure, run, verify } from './helpers.js';

let sandbox: AttioSandbox;
beforeAll(async () => {
  sandbox = await startAttioSandbox({
    workspaceName: 'Acme Corp',
    scopes: ['record_permission:read', 'object_configuration:read'],
  });
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

const ID = '891dcbfc-9141-415d-9b2a-2238a6cc012d';

describe('the plugin', () => {
  it('declares what the runtime needs', () => {
    expect(plugin).toMatchObject({
      apiVersion: 1,
      id: 'attio',
      name: 'Attio',
      baseUrl: 'https://api.attio.com',
    });
    expect(plugin.auth.byok).toEqual([
      {
        type: 'api_key',
        label: 'Attio access token',
        header: 'authorization',
        scheme: 'Bearer',
        helpUrl: 'https://docs.attio.com/rest-api/guides/authentication',
      },
      {
        type: 'oauth2',
        authorizeUrl: 'https://app.attio.com/authorize',
        tokenUrl: 'https://app.attio.com/oauth/token',
        revokeUrl: undefined,
        scopes: [],
        optionalScopes: undefined,
        pkce: false,
        clientAuth: 'body',
      },
    ]);
    expect('managed' in plugin.auth).toBe(false);
    expect(plugin.actions.map((a) => a.slug)).toEqual([
      'record.assert',
      'record.get',
      'record.query',
      'record.update',
      'list_entry.add',
      'note.create',
      'task.create',
      'object.list',
      'attribute.list',
    ]);
    for (const action of plugin.actions) {
      expect(action.authModes).toEqual(['byok']);
      expect(action.credits).toBe(0); // byok only
      expect(action.scopes?.length).toBeGreaterThan(0);
      if (action.effect === 'write')
        expect(action.mirror?.label).toMatch(/^attio_(record|entry|note|task)_id$/);
    }
  });

  it('declares the events with their Attio names, and their data schemas accept the documented payloads', () => {
    expect(plugin.events.map((e) => [e.type, e.providerType])).toEqual([
      ['record.created', 'record.created'],
      ['record.updated', 'record.updated'],
      ['record.deleted', 'record.deleted'],
      ['list_entry.created', 'list-entry.created'],
      ['note.created', 'note.created'],
    ]);
    for (const event of plugin.events) {
      const example = events[event.providerType ?? event.type];
      expect(event.data.safeParse(example).success, event.type).toBe(true);
      expect(toJsonSchema(event.data, 'output').type).toBe('object');
    }
    expect(plugin.events[1]?.data.safeParse(events['record.created']).success).toBe(false); // no attribute_id
  });

  it('rate limits: 100/s for everything, 25/s more for writes (by method, query endpoints excluded)', () => {
    const limits: readonly RateLimit[] = plugin.rateLimits;
    const [all, writes] = limits;
    expect(all).toMatchObject({ limit: 100, intervalMs: 1000 });
    expect(all?.match).toBeUndefined();
    expect(all?.methods).toBeUndefined();
    expect(writes).toMatchObject({
      limit: 25,
      intervalMs: 1000,
      methods: ['POST', 'PUT', 'PATCH', 'DELETE'],
    });
    for (const path of [
      'v2/objects/people/records',
      `v2/objects/people/records/${ID}`,
      'v2/lists/sales/entries',
      'v2/notes',
      'v2/tasks',
    ]) {
      expect(writes?.match?.test(path), path).toBe(true);
    }
    for (const path of ['v2/objects/people/records/query', 'v2/lists/sales/entries/query']) {
      expect(writes?.match?.test(path), path).toBe(false);
    }
  });

  it('the declared limits hold: 30 writes take a second or more, 30 reads do not wait', async () => {
    const wait = createRateLimiter(plugin.rateLimits);
    let start = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => wait('v2/objects/people/records/query', 'POST')));
    expect(Date.now() - start).toBeLessThan(500);
    // Reading single records (GET on a write path) is a read, not a write.
    start = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => wait(`v2/objects/people/records/${ID}`, 'GET')));
    expect(Date.now() - start).toBeLessThan(500);
    start = Date.now();
    await Promise.all(Array.from({ length: 30 }, () => wait('v2/notes', 'POST')));
    expect(Date.now() - start).toBeGreaterThanOrEqual(900);
  });
});

describe('verify', () => {
  it('returns the workspace name and the granted scopes from GET /v2/self', async () => {
    const result = await verify(sandbox);
    expect(result).toMatchObject({
      accountLabel: 'Acme Corp',
      scopes: ['record_permission:read', 'object_configuration:read'],
    });
    expect(sandbox.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v2/self']);
    expect(sandbox.requests[0]?.headers.authorization).toBe(`Bearer ${sandbox.token}`);
  });

  it('an inactive token is an AuthError that never shows the token', async () => {
    const token = 'f'.repeat(64);
    const error = await failure(verify(sandbox, token));
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error.message).toBe('Attio says this access token is no longer active.');
    expect(JSON.stringify(error.toJSON())).not.toContain(token);
  });

  it("a refused token elsewhere is an AuthError with Attio's message", async () => {
    const error = await failure(
      run(sandbox, recordGet, { object: 'people', record_id: ID }, { token: 'e'.repeat(64) }),
    );
    expect(AuthError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, data: { provider_code: 'unauthorized' } });
    expect(error.message).toMatch(/^Attio answered 401 Unauthorized: Authentication failed/);
  });
});

describe('provider behaviour handled by the plugin', () => {
  it('absorbs a 429 burst with retries honouring Retry-After (an HTTP date)', async () => {
    sandbox.failNext({ status: 429, count: 2, retryAfterSeconds: 0 });
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      values: { email_addresses: 'retry@example.com' },
    });
    expect(sandbox.requests).toHaveLength(3);
    expect(sandbox.records.size).toBe(1);
    expect(person.values.email_addresses).toEqual(['retry@example.com']);
  });

  it('waits as long as Retry-After says', async () => {
    sandbox.failNext({ status: 429, retryAfterSeconds: 1 });
    const start = Date.now();
    await run(sandbox, recordQuery, { object: 'people' });
    const waited = Date.now() - start;
    expect(sandbox.requests).toHaveLength(2);
    expect(waited).toBeGreaterThan(0);
    expect(waited).toBeLessThan(2500);
  });

  it("gives up with a RateLimitError carrying Attio's message when the 429s outlast the retries", async () => {
    sandbox.failNext({ status: 429, count: 10, retryAfterSeconds: 0 });
    const error = await failure(run(sandbox, recordGet, { object: 'people', record_id: ID }));
    expect(RateLimitError.isInstance(error)).toBe(true);
    expect(error).toMatchObject({
      providerMessage: 'Rate limit exceeded, please try again later',
      data: { provider_code: 'rate_limit_exceeded' },
    });
    expect(sandbox.requests).toHaveLength(4);
  });

  it('retries a 5xx on reads and on the idempotent assert, never on a note create', async () => {
    sandbox.failNext({ status: 503 });
    await run(sandbox, recordQuery, { object: 'people' });
    expect(sandbox.requests).toHaveLength(2);

    sandbox.reset();
    sandbox.failNext({ status: 500 });
    await run(sandbox, recordAssert, { object: 'people', values: { email_addresses: 'five@example.com' } });
    expect(sandbox.requests.map((r) => r.method)).toEqual(['PUT', 'PUT']);

    sandbox.reset();
    const person = sandbox.seedRecord('people', { email_addresses: ['n@example.com'] });
    sandbox.failNext({ status: 500 });
    const error = await failure(
      run(sandbox, noteCreate, {
        parent_object: 'people',
        parent_record_id: person.record_id,
        title: 't',
        content: 'c',
      }),
    );
    expect(ProviderError.isInstance(error)).toBe(true);
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.notes.size).toBe(0);
  });

  it.each([
    [401, AuthError, 'unauthorized'],
    [403, AuthError, 'forbidden'],
    [404, NotFoundError, 'not_found'],
    [409, ConflictError, 'uniqueness_conflict'],
  ] as const)("maps an injected %i to its typed error with Attio's code", async (status, type, code) => {
    sandbox.failNext({ status });
    const error = await failure(run(sandbox, recordGet, { object: 'people', record_id: ID }));
    expect(type.isInstance(error)).toBe(true);
    expect(error).toMatchObject({ status, data: { provider_code: code } });
    expect(error.providerMessage?.length).toBeGreaterThan(0);
  });

  it('a slow answer is still an answer', async () => {
    sandbox.delayMs = 150;
    try {
      const start = Date.now();
      await run(sandbox, recordQuery, { object: 'people' });
      expect(Date.now() - start).toBeGreaterThanOrEqual(140);
    } finally {
      sandbox.delayMs = 0;
    }
  });
});

describe('parseAttioError', () => {
  it('reads the documented error body', () => {
    expect(parseAttioError(notFoundBody)).toEqual({
      message: notFoundBody.message,
      providerCode: 'not_found',
    });
    expect(parseAttioError(rateLimitBody)).toEqual({
      message: 'Rate limit exceeded, please try again later',
      providerCode: 'rate_limit_exceeded',
    });
  });

  it('names the field of a validation error as the action input has it', () => {
    expect(parseAttioError(validationBody)).toEqual({
      message: 'Body payload validation error. data.values.email_addresses.0: Invalid email address',
      providerCode: 'validation_type',
      field: 'values.email_addresses.0',
    });
  });

  it('survives bodies of any shape', () => {
    expect(parseAttioError(undefined)).toEqual({});
    expect(parseAttioError([1, 2])).toEqual({});
    expect(parseAttioError('<html>Bad gateway</html>')).toEqual({ message: '<html>Bad gateway</html>' });
    expect(parseAttioError({ message: 42, code: {} })).toEqual({});
  });
});
