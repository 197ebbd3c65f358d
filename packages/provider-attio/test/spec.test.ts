/**
 * Checks every request the plugin sends against Attio's published OpenAPI description: the path
 * and method exist, path and query parameters are declared and match their schemas, the auth
 * header is the documented bearer token, and the JSON body validates against the operation's
 * request schema, with objects closed (no field Attio does not document).
 *
 * The description is read at test time from the shared folder beside the repository
 * (`../shared/provider-specs/attio/openapi-api.json`); it is never copied into this package.
 * Without that file the suite is skipped.
 */
import {
  type CapturedRequest,
  createRequestValidator,
  type DocumentedDeviation,
  findProviderSpecs,
  loadOpenApiSpec,
  type RequestValidator,
} from '@oxygen/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, {
  attributeList,
  listEntryAdd,
  noteCreate,
  objectList,
  recordAssert,
  recordGet,
  recordQuery,
  recordUpdate,
  taskCreate,
} from '../src/index.js';
import { type AttioSandbox, startAttioSandbox } from '../src/sandbox/index.js';
import { call, contextFor, run, verify } from './helpers.js';

const specDir = findProviderSpecs('attio', ['openapi-api.json'], import.meta.url);

/**
 * Where Attio's description cannot be applied literally, this list says how it is read. Each
 * entry replaces one schema node in memory.
 */
const DOCUMENTED_DEVIATIONS: DocumentedDeviation[] = [
  {
    operation: 'POST /v2/tasks',
    path: ['properties', 'data', 'properties', 'linked_records', 'items', 'anyOf', '1'],
    replacement: {
      type: 'object',
      required: ['target_object'],
      properties: { target_object: { type: 'string' } },
      minProperties: 2,
      maxProperties: 2,
      additionalProperties: {
        type: 'array',
        minItems: 1,
        maxItems: 1,
        items: {
          anyOf: [
            {
              type: 'object',
              required: ['domain'],
              properties: { domain: { type: 'string' } },
              additionalProperties: false,
            },
            {
              type: 'object',
              required: ['email_address'],
              properties: { email_address: { type: 'string' } },
              additionalProperties: false,
            },
            {
              type: 'object',
              required: ['value'],
              properties: { value: { type: ['number', 'string'] } },
              additionalProperties: false,
            },
            {
              type: 'object',
              required: ['original_phone_number'],
              properties: {
                original_phone_number: { type: 'string' },
                country_code: { type: ['string', 'null'] },
              },
              additionalProperties: false,
            },
          ],
        },
      },
    },
    why: 'The description names the matching attribute key "[slug_or_id_of_matching_attribute]" (a placeholder) and requires it literally; its text says the key is the slug or id of a unique attribute, with an array of exactly one value.',
  },
];

/** Every request checked against the description, with the deviations above. */
function loadValidator(dir: string): RequestValidator {
  return createRequestValidator(loadOpenApiSpec(dir, ['openapi-api.json']), {
    name: "Attio's API description",
    deviations: DOCUMENTED_DEVIATIONS,
    dialect: 'draft-07',
  });
}

describe.skipIf(!specDir)("every request the plugin sends matches Attio's published API description", () => {
  let sandbox: AttioSandbox;
  let spec: RequestValidator;
  const problems = (r: CapturedRequest) => spec.problems(r);
  beforeAll(async () => {
    spec = loadValidator(specDir as string);
    sandbox = await startAttioSandbox({
      members: ['owner@example.com', 'rep@example.com'],
      attributes: { people: [{ api_slug: 'tier', type: 'select', options: ['Free', 'Pro'] }] },
    });
  });
  afterAll(() => sandbox?.close());

  const base = {
    method: 'POST',
    query: {},
    headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
  };

  it('checks itself: an undocumented field, query, path or a missing body is caught', () => {
    const extra = {
      ...base,
      method: 'PUT',
      path: '/v2/objects/people/records',
      query: { matching_attribute: 'x' },
      body: { data: { values: {} }, extra: 1 },
    };
    expect(problems(extra).join('\n')).toMatch(/additional properties .*"extra"/);
    const notArray = { ...extra, body: { data: { values: { name: 'Ada' } } } };
    expect(problems(notArray).join('\n')).toMatch(/values\/name must be array/);
    const noMatching = { ...extra, query: {}, body: { data: { values: {} } } };
    expect(problems(noMatching)).toEqual([
      'PUT /v2/objects/{object}/records: missing required query matching_attribute',
    ]);
    const task = {
      ...base,
      path: '/v2/tasks',
      body: {
        data: {
          content: 'x',
          format: 'plaintext',
          deadline_at: null,
          is_completed: false,
          linked_records: [{ target_object: 'people', email_addresses: [{ email: 'x' }] }],
          assignees: [],
        },
      },
    };
    expect(problems(task).join('\n')).toMatch(/linked_records\/0/);
    const noDeadline = {
      ...task,
      body: {
        data: { content: 'x', format: 'plaintext', is_completed: false, linked_records: [], assignees: [] },
      },
    };
    expect(problems(noDeadline).join('\n')).toMatch(/required.*"deadline_at"/);
    const badTarget = { ...base, method: 'GET', path: '/v2/widgets/x/attributes', body: undefined };
    expect(problems(badTarget).join('\n')).toMatch(/bad path target/);
    const badLimit = { ...badTarget, path: '/v2/objects/people/attributes', query: { limit: 'ten' } };
    expect(problems(badLimit)).toEqual(['GET /v2/{target}/{identifier}/attributes: bad query limit=ten']);
    const nowhere = { ...base, path: '/v2/objects/people/upsert', body: {} };
    expect(problems(nowhere)).toEqual(["POST /v2/objects/people/upsert is not in Attio's API description"]);
    const noBody = { ...base, path: '/v2/notes', body: undefined };
    expect(problems(noBody)).toEqual(['POST /v2/notes: the description requires a body']);
  });

  it('for every action, with every optional input used', async () => {
    await verify(sandbox);
    const company = await run(sandbox, recordAssert, {
      object: 'companies',
      values: { domains: ['acme.com', 'acme.io'], name: 'Acme', categories: ['B2B'], description: 'Anvils' },
    });
    const person = await run(sandbox, recordAssert, {
      object: 'people',
      values: {
        email_addresses: ['ada@acme.com'],
        name: { first_name: 'Ada', last_name: 'Lovelace' },
        job_title: 'Analyst',
        phone_numbers: [{ number: '020 7946 0958', country_code: 'GB' }],
        company: { domains: 'acme.com' },
        linkedin: 'https://linkedin.com/in/ada',
        tier: 'Pro',
      },
      raw_values: {
        primary_location: [
          {
            line_1: '1 Infinite Loop',
            line_2: null,
            line_3: null,
            line_4: null,
            locality: 'Cupertino',
            region: 'CA',
            postcode: '95014',
            country_code: 'US',
            latitude: '37.331741',
            longitude: '-122.030333',
          },
        ],
      },
    });
    await run(sandbox, recordAssert, {
      object: 'people',
      matching_attribute: 'email_addresses',
      values: { email_addresses: 'ada@acme.com', tier: 'Free' },
      attribute_types: { tier: 'select' },
    });
    await run(sandbox, recordGet, { object: 'people', record_id: person.id });
    const page = await run(sandbox, recordQuery, {
      object: 'people',
      filter: {
        $and: [
          { email_addresses: { email_domain: 'acme.com' } },
          { name: { last_name: { $eq: 'Lovelace' } } },
        ],
      },
      sorts: [
        { attribute: 'name', field: 'last_name', direction: 'desc' },
        { attribute: 'created_at', direction: 'asc' },
      ],
      limit: 1,
    });
    await run(sandbox, recordQuery, { object: 'people', limit: 1, cursor: page.next_cursor ?? undefined });
    await run(sandbox, recordUpdate, {
      object: 'people',
      record_id: person.id,
      values: { job_title: 'Mathematician', phone_numbers: '+15558675309' },
    });
    await run(sandbox, recordUpdate, {
      object: 'people',
      record_id: person.id,
      values: { phone_numbers: null, description: 'Countess' },
      raw_values: { twitter: [{ value: '@ada' }] },
      multiselect: 'replace',
    });
    await run(sandbox, listEntryAdd, {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: company.id,
      entry_values: {
        stage: 'Lead',
        priority: 'High',
        owner: 'rep@example.com',
        deal_value: 5000,
        next_step: 'Call',
      },
    });
    await run(sandbox, listEntryAdd, {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: company.id,
      entry_values: { stage: 'Won' },
      raw_entry_values: { next_step: [{ value: 'Invoice' }] },
      attribute_types: { stage: 'status' },
      allow_duplicates: true,
    });
    await run(sandbox, noteCreate, {
      parent_object: 'people',
      parent_record_id: person.id,
      title: 'Call',
      content: 'Hello',
    });
    await run(sandbox, noteCreate, {
      parent_object: 'companies',
      parent_record_id: company.id,
      title: 'Recap',
      content: '# Recap',
      format: 'markdown',
      created_at: '2024-01-01T10:00:00Z',
    });
    await run(sandbox, taskCreate, {
      content: 'Send the proposal',
      deadline_at: '2026-12-01T09:00:00Z',
      is_completed: false,
      linked_records: [
        { object: 'people', email_addresses: 'ada@acme.com' },
        { object: 'companies', domains: 'acme.io' },
        { object: 'companies', record_id: company.id },
      ],
      assignees: ['rep@example.com', sandbox.workspace.members[0]?.id ?? ''],
    });
    await run(sandbox, taskCreate, { content: 'Minimal' });
    await run(sandbox, objectList, {});
    await run(sandbox, attributeList, { object: 'people', limit: 5, show_archived: true });
    await run(sandbox, attributeList, { list: 'sales_pipeline', cursor: page.next_cursor ?? undefined });

    const sent = new Set(
      sandbox.requests.map((r) => {
        const op = spec.find(r.method, r.path);
        return `${r.method} ${op?.template ?? r.path}`;
      }),
    );
    expect(sent).toEqual(
      new Set([
        'GET /v2/self',
        'PUT /v2/objects/{object}/records',
        'GET /v2/{target}/{identifier}/attributes',
        'GET /v2/objects/{object}/records/{record_id}',
        'POST /v2/objects/{object}/records/query',
        'PATCH /v2/objects/{object}/records/{record_id}',
        'PUT /v2/objects/{object}/records/{record_id}',
        'PUT /v2/lists/{list}/entries',
        'POST /v2/lists/{list}/entries',
        'POST /v2/notes',
        'POST /v2/tasks',
        'GET /v2/objects',
      ]),
    );
    expect(sandbox.requests.every((r) => r.method && r.path.startsWith('/v2/'))).toBe(true);
    expect(sandbox.requests.flatMap((r) => problems(r))).toEqual([]);
  });

  it('webhook subscriptions: create and delete (and delete again) as the description documents them', async () => {
    const hooks = await startAttioSandbox();
    try {
      const subscriptions = plugin.webhooks?.subscriptions;
      if (!subscriptions) throw new Error('no subscriptions');
      const ctx = contextFor(hooks);
      const { id } = await subscriptions.create(ctx, {
        url: 'https://hooks.example.com/webhooks/attio/sub_1',
        providerTypes: ['record.created', 'record.updated', 'list-entry.created', 'note.created'],
        secret: 'unused',
      });
      await subscriptions.delete(ctx, id);
      await subscriptions.delete(ctx, id);
      expect(hooks.requests.map((r) => `${r.method} ${spec.find(r.method, r.path)?.template}`)).toEqual([
        'POST /v2/webhooks',
        'DELETE /v2/webhooks/{webhook_id}',
        'DELETE /v2/webhooks/{webhook_id}',
      ]);
      expect(hooks.requests.flatMap((r) => problems(r))).toEqual([]);
    } finally {
      await hooks.close();
    }
  });

  it('for every webhook endpoint: requests and answers match, and what the sandbox refuses the description refuses', async () => {
    const hooks = await startAttioSandbox();
    try {
      const answers: { method: string; path: string; status: number; json: unknown }[] = [];
      const send = async (method: string, path: string, body?: unknown) => {
        const res = await call(hooks, method, path, body);
        answers.push({ method, path, status: res.status, json: res.json });
        return res;
      };
      const filter = {
        $and: [
          { field: 'parent_object_id', operator: 'equals', value: '97052eb9-e65e-443f-a297-f2d9a4a7f795' },
          { field: 'id.list_id', operator: 'not_equals', value: '33ebdbe9-e529-47c9-b894-0ba25e9c15c0' },
        ],
      };
      const created = await send('POST', '/v2/webhooks', {
        data: {
          target_url: 'https://hooks.example.com/attio',
          subscriptions: [
            { event_type: 'record.created', filter: null },
            { event_type: 'note.created', filter },
            { event_type: 'list-entry.created', filter: { $or: filter.$and } },
          ],
        },
      });
      const id = (created.json.data as { id: { webhook_id: string } }).id.webhook_id;
      await send('POST', '/v2/webhooks', {
        data: { target_url: 'https://hooks.example.com/b', subscriptions: [] },
      });
      await send('GET', '/v2/webhooks');
      await send('GET', '/v2/webhooks?limit=10&offset=1');
      await send('GET', `/v2/webhooks/${id}`);
      await send('PATCH', `/v2/webhooks/${id}`, {
        data: {
          target_url: 'https://hooks.example.com/moved',
          subscriptions: [{ event_type: 'task.created', filter: null }],
        },
      });
      await send('PATCH', `/v2/webhooks/${id}`, { data: {} });
      await send('DELETE', `/v2/webhooks/${id}`);
      await send('GET', `/v2/webhooks/${id}`);
      await send('PATCH', `/v2/webhooks/${id}`, { data: {} });
      await send('DELETE', `/v2/webhooks/${id}`);

      expect(hooks.requests.map((r) => `${r.method} ${spec.find(r.method, r.path)?.template}`)).toEqual([
        'POST /v2/webhooks',
        'POST /v2/webhooks',
        'GET /v2/webhooks',
        'GET /v2/webhooks',
        'GET /v2/webhooks/{webhook_id}',
        'PATCH /v2/webhooks/{webhook_id}',
        'PATCH /v2/webhooks/{webhook_id}',
        'DELETE /v2/webhooks/{webhook_id}',
        'GET /v2/webhooks/{webhook_id}',
        'PATCH /v2/webhooks/{webhook_id}',
        'DELETE /v2/webhooks/{webhook_id}',
      ]);
      expect(hooks.requests.flatMap((r) => problems(r))).toEqual([]);
      expect(answers.map((a) => a.status)).toEqual([200, 200, 200, 200, 200, 200, 200, 200, 404, 404, 404]);
      for (const answer of answers) {
        const op = spec.find(answer.method, answer.path.split('?')[0] as string);
        const validate = op && spec.response(op, answer.status);
        expect(validate, `${answer.method} ${answer.path} ${answer.status}`).toBeDefined();
        expect(validate?.(answer.json) ? [] : validate?.errors, `${answer.method} ${answer.path}`).toEqual(
          [],
        );
      }

      const refused: unknown[] = [
        { data: { target_url: 'https://hooks.example.com/x', subscriptions: [], status: 'active' } },
        { data: { target_url: 'http://hooks.example.com/x', subscriptions: [] } },
        { data: { target_url: 'https://hooks.example.com/x' } },
        {
          data: {
            target_url: 'https://hooks.example.com/x',
            subscriptions: [{ event_type: 'record.created' }],
          },
        },
        {
          data: {
            target_url: 'https://hooks.example.com/x',
            subscriptions: [{ event_type: 'record.created', filter: null, extra: true }],
          },
        },
        {
          data: {
            target_url: 'https://hooks.example.com/x',
            subscriptions: [{ event_type: 'deal.created', filter: null }],
          },
        },
        {
          data: {
            target_url: 'https://hooks.example.com/x',
            subscriptions: [
              {
                event_type: 'record.created',
                filter: { $and: [{ field: 'f', operator: 'in', value: 'v' }] },
              },
            ],
          },
        },
      ];
      for (const body of refused) {
        const before = hooks.requests.length;
        const res = await call(hooks, 'POST', '/v2/webhooks', body);
        expect(res.status, JSON.stringify(body)).toBe(400);
        expect(problems(hooks.requests[before] as CapturedRequest), JSON.stringify(body)).not.toEqual([]);
      }
    } finally {
      await hooks.close();
    }
  });
});
