import { describeConformance } from '@oxygen/testkit';
import plugin from '../src/index.js';
import { type FailNextOptions, startAttioSandbox } from '../src/sandbox/index.js';

/** Records seeded with known ids, so the samples can name them. */
const PERSON = '5a1d5c8e-6f0b-4c7e-9d2a-0c1b2a3d4e5f';
const COMPANY = '6b2e6d9f-7a1c-4d8f-8e3b-1d2c3b4e5f60';

describeConformance({
  plugin,
  sandbox: async () => {
    const sandbox = await startAttioSandbox();
    sandbox.seedRecord('companies', { domains: ['example.com'], name: 'Example' }, { record_id: COMPANY });
    sandbox.seedRecord(
      'people',
      { email_addresses: ['grace@example.com'], name: 'Grace Hopper' },
      { record_id: PERSON },
    );
    return {
      url: sandbox.url,
      credential: { type: 'api_key', key: sandbox.token },
      badCredential: { type: 'api_key', key: '0'.repeat(64) },
      requestCount: () => sandbox.requests.length,
      requests: () =>
        sandbox.requests.map((r) => ({
          method: r.method,
          path:
            Object.keys(r.query).length > 0
              ? `${r.path}?${new URLSearchParams(r.query as Record<string, string>)}`
              : r.path,
          body: r.body,
        })),
      errors: {
        failNext: (spec) => sandbox.failNext({ ...spec, status: spec.status as FailNextOptions['status'] }),
        sample: { slug: 'record.get', input: { object: 'people', record_id: PERSON } },
      },
      pagination: {
        slug: 'record.query',
        input: { object: 'companies', sorts: [{ attribute: 'name', direction: 'asc' }], limit: 4 },
        minPages: 3,
        seed: async () => {
          for (let i = 1; i <= 10; i++) {
            const n = String(i).padStart(2, '0');
            sandbox.seedRecord('companies', { domains: [`paging-${n}.example`], name: `Paging ${n}` });
          }
        },
      },
      close: () => sandbox.close(),
    };
  },
  samples: {
    'record.assert': {
      object: 'people',
      values: { email_addresses: ['ada@example.com'], name: 'Ada Lovelace' },
    },
    'record.get': { object: 'people', record_id: PERSON },
    'record.query': { object: 'people', filter: { email_addresses: 'ada@example.com' }, limit: 10 },
    'record.update': { object: 'people', record_id: PERSON, values: { job_title: 'Rear Admiral' } },
    'list_entry.add': {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: COMPANY,
      entry_values: { stage: 'Lead' },
      attribute_types: { stage: 'status' },
    },
    'note.create': {
      parent_object: 'people',
      parent_record_id: PERSON,
      title: 'Intro call',
      content: 'Hello',
    },
    'task.create': { content: 'Follow up', linked_records: [{ object: 'people', record_id: PERSON }] },
    'object.list': {},
    'attribute.list': { object: 'people' },
  },
});
