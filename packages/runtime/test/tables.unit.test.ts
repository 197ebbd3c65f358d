/** Column maps, row conditions and event record keys: the pure parts of tables. */

import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { cellText, eventRecordKeys, parseStep, parseWhere, templateRefs } from '../src/index.js';
import { hashOf, isEmptyResult, pick, renderMap, stableJson } from '../src/tables/template.js';
import { bindConditions, conditionsOf, matches } from '../src/tables/where.js';

describe('column maps', () => {
  const schema = z.toJSONSchema(
    z.object({
      email: z.string(),
      employees: z.number().int().optional(),
      vip: z.boolean().optional(),
      note: z.string().optional(),
      properties: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
      tags: z.array(z.string()).optional(),
    }),
    { io: 'input' },
  ) as Record<string, unknown>;

  it('renders whole templates with their type, interpolates text, drops empty values', () => {
    const row = { email: 'ada@example.com', size: '42', vip: 'True', first: 'Ada', last: '', tag: 'x', n: 7 };
    expect(
      renderMap(
        {
          email: '{{row.email}}',
          employees: '{{ row.size }}',
          vip: '{{row.vip}}',
          note: 'Hello {{row.first}} {{row.last}}',
          properties: { lifecycle: 'lead', last_name: '{{row.last}}', count: '{{row.n}}' },
          tags: ['{{row.tag}}', '{{row.last}}', 'fixed'],
        },
        row,
        schema,
      ),
    ).toEqual({
      email: 'ada@example.com',
      employees: 42,
      vip: true,
      note: 'Hello Ada',
      properties: { lifecycle: 'lead', count: 7 },
      tags: ['x', 'fixed'],
    });
    // A value that cannot be coerced is passed on as it is, for the action's validation to name.
    expect(renderMap({ employees: '{{row.size}}' }, { size: 'many' }, schema)).toEqual({ employees: 'many' });
    expect(renderMap({ note: '{{row.n}}' }, { n: 3 }, schema)).toEqual({ note: '3' });
  });

  it('lists the columns a map reads', () => {
    expect(
      templateRefs({ a: '{{row.x}} {{row.y}}', b: { c: ['{{row.x}}', '{{row.First Name}}'] }, d: 3 }),
    ).toEqual(['x', 'y', 'First Name']);
  });

  it('hashes equal inputs equally whatever their key order', () => {
    expect(stableJson({ b: 1, a: { d: [1, { f: 2, e: 3 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"e":3,"f":2}]},"b":1}',
    );
    expect(hashOf({ a: 1, b: 2 })).toBe(hashOf({ b: 2, a: 1 }));
    expect(hashOf({ a: 1 })).not.toBe(hashOf({ a: '1' }));
  });

  it('reads output paths and tells empty results', () => {
    expect(pick({ person: { emails: ['a@x.test'] } }, 'person.emails.0')).toBe('a@x.test');
    expect(pick({ person: null }, 'person.email')).toBeUndefined();
    for (const empty of [null, undefined, '', '  ', [], {}]) expect(isEmptyResult(empty)).toBe(true);
    for (const full of ['a', 0, false, ['x'], { a: 1 }]) expect(isEmptyResult(full)).toBe(false);
  });
});

describe('row conditions', () => {
  it('parses --where expressions', () => {
    expect(parseWhere('country=FR')).toEqual({ column: 'country', op: 'eq', value: 'FR' });
    expect(parseWhere('crm.sync_status != synced')).toEqual({
      column: 'crm.sync_status',
      op: 'ne',
      value: 'synced',
    });
    expect(parseWhere('email=')).toEqual({ column: 'email', op: 'empty' });
    expect(parseWhere('email!=')).toEqual({ column: 'email', op: 'not_empty' });
    expect(parseWhere('note=a=b')).toEqual({ column: 'note', op: 'eq', value: 'a=b' });
    expect(() => parseWhere('country')).toThrow('"country" is not a condition.');
    expect(parseStep('hubspot:contact.get')).toEqual({ integration: 'hubspot', action: 'contact.get' });
    expect(() => parseStep('hubspot')).toThrow('"hubspot" is not a step; write <integration>:<action>.');
  });

  it('matches data values and computed cells', () => {
    const bound = bindConditions(
      conditionsOf([
        { column: 'country', op: 'eq', value: 'FR' },
        { column: 'crm.sync_status', op: 'ne', value: 'synced' },
        { column: 'size', op: 'eq', value: 3 },
      ]),
      ['country', 'size'],
      [{ id: 'col_1', name: 'crm' }],
    );
    const failed = {
      value: null,
      error: 'x',
      provenance: { outputs: { sync_status: 'failed' } },
    } as never;
    expect(matches(bound, { country: 'FR', size: '3' }, () => undefined)).toBe(true);
    expect(matches(bound, { country: 'FR', size: '3' }, () => failed)).toBe(true);
    expect(matches(bound, { country: 'US', size: '3' }, () => undefined)).toBe(false);
    expect(conditionsOf({ a: 'x', b: null })).toEqual([
      { column: 'a', op: 'eq', value: 'x' },
      { column: 'b', op: 'empty' },
    ]);
    expect(() => bindConditions([{ column: 'nope', op: 'eq', value: 1 }], ['a'], [])).toThrow(
      'Row condition on "nope": the table has no such column.',
    );
  });
});

describe('event record keys', () => {
  it('reads HubSpot, Attio and Instantly record keys from event data', () => {
    expect(eventRecordKeys({ object_id: 123, subscription_type: 'contact.deletion' })).toEqual({
      ids: ['123'],
      emails: [],
    });
    expect(
      eventRecordKeys({
        id: { workspace_id: 'w', object_id: 'people', record_id: 'rec-1' },
        event_type: 'record.deleted',
      }),
    ).toEqual({ ids: ['rec-1'], emails: [] });
    expect(eventRecordKeys({ id: { list_id: 'l', entry_id: 'ent-1' }, parent_record_id: 'rec-2' })).toEqual({
      ids: ['ent-1', 'rec-2'],
      emails: [],
    });
    expect(eventRecordKeys({ lead_email: ' Ada@Example.COM ', campaign_id: 'c' })).toEqual({
      ids: [],
      emails: ['ada@example.com'],
    });
    expect(eventRecordKeys({ email: 'not-an-email', other: 'x' })).toEqual({ ids: [], emails: [] });
  });
});

describe('cell text', () => {
  const cell = (sync_status: string, value: string | null, error: string | null) =>
    ({ value, error, provenance: { outputs: { sync_status, last_synced_at: null } } }) as never;
  it('shows status, id and error in one line', () => {
    expect(cellText(undefined)).toBe('');
    expect(cellText(cell('synced', '101', null))).toBe('101');
    expect(cellText(cell('synced', null, null))).toBe('(none)');
    expect(cellText(cell('failed', '101', 'Email address x is invalid'))).toBe(
      'failed: Email address x is invalid',
    );
    expect(cellText(cell('queued', null, null))).toBe('queued');
  });
});
