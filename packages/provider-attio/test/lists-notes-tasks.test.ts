import { NotFoundError, ValidationError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { attributeList, listEntryAdd, noteCreate, objectList, taskCreate } from '../src/index.js';
import { type AttioSandbox, type SandboxRecord, startAttioSandbox } from '../src/sandbox/index.js';
import { failure, run } from './helpers.js';

let sandbox: AttioSandbox;
let acme: SandboxRecord;
let ada: SandboxRecord;
beforeAll(async () => {
  sandbox = await startAttioSandbox({ members: ['owner@example.com', 'rep@example.com'] });
});
afterAll(() => sandbox.close());
beforeEach(() => {
  sandbox.reset();
  acme = sandbox.seedRecord('companies', { domains: ['acme.com'], name: 'Acme' });
  ada = sandbox.seedRecord('people', { email_addresses: ['ada@acme.com'], name: 'Ada Lovelace' });
});

const paths = () => sandbox.requests.map((r) => `${r.method} ${r.path}`);

describe('list_entry.add', () => {
  it("adds a record with plain entry values, looking up the list's attributes", async () => {
    const entry = await run(sandbox, listEntryAdd, {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: acme.record_id,
      entry_values: {
        stage: 'Lead',
        priority: 'High',
        owner: 'rep@example.com',
        deal_value: 12000,
        next_step: 'Demo',
      },
    });
    expect(paths()).toEqual([
      'GET /v2/lists/sales_pipeline/attributes',
      'PUT /v2/lists/sales_pipeline/entries',
    ]);
    expect(sandbox.requests[1]?.body).toEqual({
      data: {
        parent_record_id: acme.record_id,
        parent_object: 'companies',
        entry_values: {
          stage: [{ status: 'Lead' }],
          priority: [{ option: 'High' }],
          owner: [{ workspace_member_email_address: 'rep@example.com' }],
          deal_value: [{ currency_value: 12000 }],
          next_step: [{ value: 'Demo' }],
        },
      },
    });
    const rep = sandbox.workspace.members[1];
    expect(entry).toMatchObject({
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: acme.record_id,
      values: {
        stage: 'Lead',
        priority: 'High',
        owner: { type: 'workspace-member', id: rep?.id },
        deal_value: 12000,
        next_step: 'Demo',
      },
    });
    expect(entry.list_id).toBe(sandbox.workspace.lists.get('sales_pipeline')?.list_id);
  });

  it('adding the same record twice keeps one entry and updates it; allow_duplicates adds another', async () => {
    const first = await run(sandbox, listEntryAdd, {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: acme.record_id,
    });
    expect(sandbox.requests[0]?.body).toEqual({
      data: { parent_record_id: acme.record_id, parent_object: 'companies', entry_values: {} },
    });
    const second = await run(sandbox, listEntryAdd, {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: acme.record_id,
      entry_values: { stage: 'Won' },
      attribute_types: { stage: 'status' },
    });
    expect(second.id).toBe(first.id);
    expect(second.values.stage).toBe('Won');
    expect(sandbox.entries.size).toBe(1);

    const third = await run(sandbox, listEntryAdd, {
      list: 'sales_pipeline',
      parent_object: 'companies',
      parent_record_id: acme.record_id,
      allow_duplicates: true,
    });
    expect(sandbox.requests.at(-1)?.method).toBe('POST');
    expect(third.id).not.toBe(first.id);
    expect(sandbox.entries.size).toBe(2);
  });

  it("reports Attio's refusals: unknown list, a record of the wrong object, an unknown status", async () => {
    const list = await failure(
      run(sandbox, listEntryAdd, {
        list: 'nope',
        parent_object: 'companies',
        parent_record_id: acme.record_id,
      }),
    );
    expect(NotFoundError.isInstance(list)).toBe(true);
    const wrong = await failure(
      run(sandbox, listEntryAdd, {
        list: 'sales_pipeline',
        parent_object: 'people',
        parent_record_id: ada.record_id,
      }),
    );
    expect(ValidationError.isInstance(wrong)).toBe(true);
    const stage = await failure(
      run(sandbox, listEntryAdd, {
        list: 'sales_pipeline',
        parent_object: 'companies',
        parent_record_id: acme.record_id,
        entry_values: { stage: 'Maybe' },
        attribute_types: { stage: 'status' },
      }),
    );
    expect(stage.providerMessage).toBe('Cannot find status attribute with status option title "Maybe".');
    const unknown = await failure(
      run(sandbox, listEntryAdd, {
        list: 'sales_pipeline',
        parent_object: 'companies',
        parent_record_id: acme.record_id,
        entry_values: { colour: 'red' },
      }),
    );
    expect(unknown).toMatchObject({ code: 'validation', field: 'entry_values.colour' });
  });
});

describe('note.create', () => {
  it('creates a plain-text note on a record', async () => {
    const note = await run(sandbox, noteCreate, {
      parent_object: 'people',
      parent_record_id: ada.record_id,
      title: 'Intro call',
      content: 'Interested in Pro.\nFollow up Monday.',
    });
    expect(sandbox.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v2/notes',
      body: {
        data: {
          parent_object: 'people',
          parent_record_id: ada.record_id,
          title: 'Intro call',
          format: 'plaintext',
          content: 'Interested in Pro.\nFollow up Monday.',
        },
      },
    });
    expect(note).toMatchObject({
      parent_object: 'people',
      parent_record_id: ada.record_id,
      title: 'Intro call',
      content_plaintext: 'Interested in Pro.\nFollow up Monday.',
    });
    expect(sandbox.notes.get(note.id)).toBeDefined();
  });

  it('creates a backdated Markdown note', async () => {
    const note = await run(sandbox, noteCreate, {
      parent_object: 'companies',
      parent_record_id: acme.record_id,
      title: 'Recap',
      content: '# Recap\n**Budget** approved',
      format: 'markdown',
      created_at: '2024-05-01T10:00:00Z',
    });
    expect(note.content_plaintext).toBe('Recap\nBudget approved');
    expect(note.content_markdown).toBe('# Recap\n**Budget** approved');
    expect(note.created_at).toBe('2024-05-01T10:00:00.000000000Z');
  });

  it('is not_found on a record that does not exist', async () => {
    const error = await failure(
      run(sandbox, noteCreate, {
        parent_object: 'people',
        parent_record_id: '891dcbfc-9141-415d-9b2a-2238a6cc012d',
        title: 't',
        content: 'c',
      }),
    );
    expect(NotFoundError.isInstance(error)).toBe(true);
  });
});

describe('task.create', () => {
  it('creates a task linked by email and by id, assigned by email', async () => {
    const task = await run(sandbox, taskCreate, {
      content: 'Send the proposal',
      deadline_at: '2026-12-01T09:00:00Z',
      linked_records: [
        { object: 'people', email_addresses: 'ada@acme.com' },
        { object: 'companies', record_id: acme.record_id },
      ],
      assignees: ['rep@example.com'],
    });
    expect(sandbox.requests[0]?.body).toEqual({
      data: {
        content: 'Send the proposal',
        format: 'plaintext',
        deadline_at: '2026-12-01T09:00:00Z',
        is_completed: false,
        linked_records: [
          { target_object: 'people', email_addresses: [{ email_address: 'ada@acme.com' }] },
          { target_object: 'companies', target_record_id: acme.record_id },
        ],
        assignees: [{ workspace_member_email_address: 'rep@example.com' }],
      },
    });
    const people = sandbox.workspace.objects.get('people');
    const companies = sandbox.workspace.objects.get('companies');
    expect(task).toMatchObject({
      content: 'Send the proposal',
      deadline_at: '2026-12-01T09:00:00.000000000Z',
      is_completed: false,
      linked_records: [
        { object_id: people?.object_id, record_id: ada.record_id },
        { object_id: companies?.object_id, record_id: acme.record_id },
      ],
      assignees: [{ type: 'workspace-member', id: sandbox.workspace.members[1]?.id }],
    });
  });

  it('sends every field Attio requires even when the input has only content', async () => {
    await run(sandbox, taskCreate, { content: 'Call back' });
    expect(sandbox.requests[0]?.body).toEqual({
      data: {
        content: 'Call back',
        format: 'plaintext',
        deadline_at: null,
        is_completed: false,
        linked_records: [],
        assignees: [],
      },
    });
  });

  it('refuses an assignee that is neither an email nor an id, and reports an unknown member', async () => {
    const bad = await failure(run(sandbox, taskCreate, { content: 'x', assignees: ['Rep'] }));
    expect(bad).toMatchObject({ code: 'validation', field: 'assignees.0' });
    const unknown = await failure(
      run(sandbox, taskCreate, { content: 'x', assignees: ['ghost@example.com'] }),
    );
    expect(unknown).toMatchObject({ code: 'validation', data: { provider_code: 'value_not_found' } });
    expect(taskCreate.input.safeParse({ content: 'x'.repeat(2001) }).success).toBe(false);
  });
});

describe('object.list and attribute.list', () => {
  it('lists the objects', async () => {
    const objects = await run(sandbox, objectList, {});
    expect(objects.results.map((o) => o.api_slug)).toEqual(['people', 'companies']);
    expect(objects.next_cursor).toBeNull();
    expect(paths()).toEqual(['GET /v2/objects']);
  });

  it('lists attributes with their types, paging to the end', async () => {
    const all: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await run(sandbox, attributeList, { object: 'people', limit: 7, cursor });
      all.push(
        ...page.results.map(
          (a) => `${a.api_slug}:${a.type}${a.is_multiselect ? '[]' : ''}${a.is_unique ? '!' : ''}`,
        ),
      );
      cursor = page.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 20);
    const total = sandbox.workspace.objects.get('people')?.attributes.length ?? 0;
    expect(all).toHaveLength(total);
    expect(pages).toBe(Math.floor(total / 7) + 1);
    expect(all).toEqual(
      expect.arrayContaining([
        'email_addresses:email-address[]!',
        'name:personal-name',
        'company:record-reference',
      ]),
    );
    expect(sandbox.requests[1]?.query).toEqual({ limit: '7', offset: '7' });
  });

  it("lists a list's attributes; record references name their target object", async () => {
    const stages = await run(sandbox, attributeList, { list: 'sales_pipeline' });
    expect(stages.results.map((a) => a.api_slug)).toEqual([
      'stage',
      'priority',
      'owner',
      'next_step',
      'deal_value',
    ]);
    expect(paths()).toEqual(['GET /v2/lists/sales_pipeline/attributes']);
    const company = (await run(sandbox, attributeList, { object: 'people' })).results.find(
      (a) => a.api_slug === 'company',
    );
    expect(company?.allowed_object_ids).toEqual([sandbox.workspace.objects.get('companies')?.object_id]);
    expect(attributeList.input.safeParse({}).success).toBe(false);
    expect(attributeList.input.safeParse({ object: 'people', list: 'x' }).success).toBe(false);
  });
});
