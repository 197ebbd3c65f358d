import { ValidationError } from '@oxygen/core';
import { describe, expect, it } from 'vitest';
import {
  type AttributeMap,
  buildReferences,
  buildValues,
  flattenValue,
  flattenValues,
  normalizeDomain,
  STANDARD_ATTRIBUTES,
} from '../src/values.js';

/** One attribute of every type, as a custom object might have them. */
const every: AttributeMap = {
  note: { type: 'text', multiselect: false },
  employees: { type: 'number', multiselect: false },
  score: { type: 'rating', multiselect: false },
  arr: { type: 'currency', multiselect: false },
  active: { type: 'checkbox', multiselect: false },
  founded: { type: 'date', multiselect: false },
  last_seen: { type: 'timestamp', multiselect: false },
  tier: { type: 'select', multiselect: false },
  tags: { type: 'select', multiselect: true },
  stage: { type: 'status', multiselect: false },
  emails: { type: 'email-address', multiselect: true },
  domains: { type: 'domain', multiselect: true },
  phones: { type: 'phone-number', multiselect: true },
  name: { type: 'personal-name', multiselect: false },
  hq: { type: 'location', multiselect: false },
  company: { type: 'record-reference', multiselect: false, target: 'companies' },
  related: { type: 'record-reference', multiselect: true },
  owner: { type: 'actor-reference', multiselect: false },
  last_interaction: { type: 'interaction', multiselect: false },
  future: { type: 'hologram', multiselect: false },
};

const ID = '891dcbfc-9141-415d-9b2a-2238a6cc012d';

function invalid(values: Record<string, unknown>, attributes: AttributeMap = every): ValidationError {
  try {
    buildValues(values as never, attributes);
  } catch (error) {
    expect(ValidationError.isInstance(error)).toBe(true);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('buildValues: plain values to the nested shapes Attio documents', () => {
  it.each([
    ['text', { note: 'Met at the event' }, { note: [{ value: 'Met at the event' }] }],
    ['text from a number', { note: 42 }, { note: [{ value: '42' }] }],
    ['number', { employees: 12 }, { employees: [{ value: 12 }] }],
    ['number from a numeric string', { employees: ' 12.5 ' }, { employees: [{ value: 12.5 }] }],
    ['rating', { score: 4 }, { score: [{ value: 4 }] }],
    ['currency', { arr: 99.5 }, { arr: [{ currency_value: 99.5 }] }],
    ['checkbox', { active: true }, { active: [{ value: true }] }],
    ['checkbox from "false"', { active: 'false' }, { active: [{ value: false }] }],
    ['date', { founded: '2023-01-02' }, { founded: [{ value: '2023-01-02' }] }],
    ['timestamp', { last_seen: '2023-01-02T13:00:00Z' }, { last_seen: [{ value: '2023-01-02T13:00:00Z' }] }],
    ['timestamp from epoch ms', { last_seen: 0 }, { last_seen: [{ value: '1970-01-01T00:00:00.000Z' }] }],
    ['select', { tier: 'Enterprise' }, { tier: [{ option: 'Enterprise' }] }],
    ['multi-select', { tags: ['B2B', 'SaaS'] }, { tags: [{ option: 'B2B' }, { option: 'SaaS' }] }],
    ['status', { stage: 'In progress' }, { stage: [{ status: 'In progress' }] }],
    ['email address', { emails: ' ada@example.com ' }, { emails: [{ email_address: 'ada@example.com' }] }],
    [
      'email addresses',
      { emails: ['ada@example.com', 'ada@work.test'] },
      { emails: [{ email_address: 'ada@example.com' }, { email_address: 'ada@work.test' }] },
    ],
    [
      'domain from a URL',
      { domains: 'https://WWW.Acme.com/pricing?x=1' },
      { domains: [{ domain: 'www.acme.com' }] },
    ],
    [
      'phone number',
      { phones: '+1 555 867 5309' },
      { phones: [{ original_phone_number: '+1 555 867 5309' }] },
    ],
    [
      'phone number with a country',
      { phones: { number: '07234 172834', country_code: 'gb' } },
      { phones: [{ original_phone_number: '07234 172834', country_code: 'GB' }] },
    ],
    [
      'name from a string',
      { name: 'Ada Lovelace' },
      { name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }] },
    ],
    [
      'name with several last names',
      { name: '  Ada  King Lovelace ' },
      { name: [{ first_name: 'Ada', last_name: 'King Lovelace', full_name: 'Ada King Lovelace' }] },
    ],
    ['a single name', { name: 'Ada' }, { name: [{ first_name: 'Ada', last_name: '', full_name: 'Ada' }] }],
    [
      'name from parts',
      { name: { first_name: 'Ada', last_name: 'Lovelace' } },
      { name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }] },
    ],
    [
      'location (missing fields are null)',
      { hq: { line_1: '1 Infinite Loop', locality: 'Cupertino', country_code: 'us', latitude: 37.33 } },
      {
        hq: [
          {
            line_1: '1 Infinite Loop',
            line_2: null,
            line_3: null,
            line_4: null,
            locality: 'Cupertino',
            region: null,
            postcode: null,
            country_code: 'US',
            latitude: '37.33',
            longitude: null,
          },
        ],
      },
    ],
    [
      'record reference by id',
      { company: ID },
      { company: [{ target_object: 'companies', target_record_id: ID }] },
    ],
    [
      'record reference by object and id',
      { related: [{ object: 'people', record_id: ID }] },
      { related: [{ target_object: 'people', target_record_id: ID }] },
    ],
    [
      'record reference by a unique attribute',
      { company: { domains: 'acme.com' } },
      { company: [{ target_object: 'companies', domains: [{ domain: 'acme.com' }] }] },
    ],
    [
      "record reference in Attio's shape",
      { related: [{ target_object: 'deals', target_record_id: ID }] },
      { related: [{ target_object: 'deals', target_record_id: ID }] },
    ],
    [
      'actor by email',
      { owner: 'owner@example.com' },
      { owner: [{ workspace_member_email_address: 'owner@example.com' }] },
    ],
    [
      'actor by id',
      { owner: ID },
      { owner: [{ referenced_actor_type: 'workspace-member', referenced_actor_id: ID }] },
    ],
    ['null clears', { note: null, tags: null }, { note: [], tags: [] }],
  ])('%s', (_what, plain, nested) => {
    expect(buildValues(plain as never, every)).toEqual(nested);
  });

  it('builds the documented assert body for a person from plain values', () => {
    expect(
      buildValues(
        {
          email_addresses: ['ada@example.com'],
          name: 'Ada Lovelace',
          job_title: 'Analyst',
          phone_numbers: '+15558675309',
          company: { domains: 'attio.com' },
        },
        STANDARD_ATTRIBUTES.people ?? {},
      ),
    ).toEqual({
      email_addresses: [{ email_address: 'ada@example.com' }],
      name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }],
      job_title: [{ value: 'Analyst' }],
      phone_numbers: [{ original_phone_number: '+15558675309' }],
      company: [{ target_object: 'companies', domains: [{ domain: 'attio.com' }] }],
    });
  });

  it.each([
    [{ employees: 'twelve' }, 'values.employees', /expected a number/],
    [{ score: 6 }, 'values.score', /rating from 0 to 5/],
    [{ active: 'yes' }, 'values.active', /true or false/],
    [{ founded: 'last year' }, 'values.founded', /YYYY-MM-DD/],
    [{ last_seen: 'yesterday' }, 'values.last_seen', /ISO 8601/],
    [{ emails: 'not-an-email' }, 'values.emails', /email address/],
    [{ domains: 'not a domain' }, 'values.domains', /domain/],
    [{ name: { first: 'Ada' } }, 'values.name', /unknown field\(s\) first/],
    [{ hq: 'Cupertino' }, 'values.hq', /location object/],
    [{ hq: { city: 'Cupertino' } }, 'values.hq', /unknown field\(s\) city/],
    [{ company: 'acme' }, 'values.company', /record id/],
    [{ related: ID }, 'values.related', /several objects/],
    [{ company: { domains: 'acme.com', name: 'Acme' } }, 'values.company', /exactly one/],
    [
      { related: [{ object: 'deals', name: 'Big deal' }] },
      'values.related',
      /cannot reference deals records by "name"/,
    ],
    [{ owner: 'Owner' }, 'values.owner', /member email or id/],
    [{ last_interaction: '2024-01-01' }, 'values.last_interaction', /written by Attio itself/],
    [{ future: 'x' }, 'values.future', /"hologram" is not supported.*raw_values/],
    [{ note: ['a', 'b'] }, 'values.note', /holds one value, got 2/],
    [{ note: { value: 'x' } }, 'values.note', /expected text/],
    [{ nope: 'x' }, 'values.nope', /no attribute "nope"/],
  ])('refuses %j naming the field', (values, field, message) => {
    const error = invalid(values);
    expect(error.field).toBe(field);
    expect(error.message).toMatch(message);
  });

  it('names the input field it was given', () => {
    try {
      buildValues({ stage: { wrong: 1 } } as never, every, 'entry_values');
      throw new Error('expected a ValidationError');
    } catch (error) {
      expect((error as ValidationError).field).toBe('entry_values.stage');
    }
  });

  it('builds task links from plain references', () => {
    expect(
      buildReferences(
        [
          { object: 'people', email_addresses: 'ada@example.com' },
          { object: 'companies', record_id: ID },
        ],
        'linked_records',
      ),
    ).toEqual([
      { target_object: 'people', email_addresses: [{ email_address: 'ada@example.com' }] },
      { target_object: 'companies', target_record_id: ID },
    ]);
    expect(() => buildReferences([{ record_id: ID }], 'linked_records')).toThrow(/referenced object/);
  });
});

describe('normalizeDomain', () => {
  it.each([
    ['acme.com', 'acme.com'],
    ['https://Acme.com/pricing', 'acme.com'],
    ['http://app.acme.co.uk:8080/x#y', 'app.acme.co.uk'],
    ['acme.com.', 'acme.com'],
  ])('%s → %s', (input, output) => expect(normalizeDomain(input)).toBe(output));
});

/** Value objects as Attio's reference documents them (output-value), bookkeeping fields included. */
const meta = {
  active_from: '2023-01-01T15:00:00.000000000Z',
  active_until: null,
  created_by_actor: { type: 'workspace-member', id: '50cf242c-7fa3-4cad-87d0-75b1af71c57b' },
};

describe('flattenValue: Attio values to plain values', () => {
  it.each([
    ['text', { attribute_type: 'text', value: 'Lorem' }, 'Lorem'],
    ['number', { attribute_type: 'number', value: 42 }, 42],
    ['rating', { attribute_type: 'rating', value: 3 }, 3],
    ['checkbox', { attribute_type: 'checkbox', value: true }, true],
    ['date', { attribute_type: 'date', value: '2023-01-01' }, '2023-01-01'],
    [
      'timestamp',
      { attribute_type: 'timestamp', value: '2023-01-01T15:00:00.000000000Z' },
      '2023-01-01T15:00:00.000000000Z',
    ],
    ['currency', { attribute_type: 'currency', currency_value: 99, currency_code: 'USD' }, 99],
    [
      'select',
      { attribute_type: 'select', option: { id: { option_id: 'o' }, title: 'Medium', is_archived: false } },
      'Medium',
    ],
    [
      'status',
      { attribute_type: 'status', status: { id: {}, title: 'In Progress', is_archived: false } },
      'In Progress',
    ],
    [
      'email address',
      {
        attribute_type: 'email-address',
        original_email_address: 'Alice@app.attio.com',
        email_address: 'alice@app.attio.com',
        email_domain: 'app.attio.com',
        email_root_domain: 'attio.com',
        email_local_specifier: 'alice',
      },
      'alice@app.attio.com',
    ],
    [
      'domain',
      { attribute_type: 'domain', domain: 'app.attio.com', root_domain: 'attio.com' },
      'app.attio.com',
    ],
    [
      'phone number',
      {
        attribute_type: 'phone-number',
        original_phone_number: '5558675309',
        country_code: 'US',
        phone_number: '+15558675309',
      },
      '+15558675309',
    ],
    [
      'personal name',
      {
        attribute_type: 'personal-name',
        first_name: 'Ada',
        last_name: 'Lovelace',
        full_name: 'Ada Lovelace',
      },
      'Ada Lovelace',
    ],
    [
      'record reference',
      { attribute_type: 'record-reference', target_object: 'people', target_record_id: ID },
      { object: 'people', record_id: ID },
    ],
    [
      'actor reference',
      {
        attribute_type: 'actor-reference',
        referenced_actor_type: 'workspace-member',
        referenced_actor_id: ID,
      },
      { type: 'workspace-member', id: ID },
    ],
    [
      'location',
      {
        attribute_type: 'location',
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
    [
      'interaction',
      {
        attribute_type: 'interaction',
        interaction_type: 'email',
        interacted_at: '2023-01-01T15:00:00.000000000Z',
        owner_actor: { type: 'workspace-member', id: ID },
      },
      { type: 'email', at: '2023-01-01T15:00:00.000000000Z', owner: { type: 'workspace-member', id: ID } },
    ],
  ])('%s', (_what, value, plain) => {
    expect(flattenValue({ ...meta, ...value })).toEqual({ value: plain, flattened: true });
  });

  it("keeps a type it does not know in Attio's shape, without the bookkeeping fields", () => {
    expect(flattenValue({ ...meta, attribute_type: 'hologram', depth: 3 })).toEqual({
      value: { depth: 3 },
      flattened: false,
    });
  });
});

describe('flattenValues', () => {
  const email = (address: string) => ({ ...meta, attribute_type: 'email-address', email_address: address });

  it('uses lists for multi-value attributes and single values (or null) otherwise', () => {
    const flat = flattenValues(
      {
        email_addresses: [email('ada@example.com')],
        phone_numbers: [],
        name: [{ ...meta, attribute_type: 'personal-name', full_name: 'Ada Lovelace' }],
        job_title: [],
      },
      STANDARD_ATTRIBUTES.people,
    );
    expect(flat).toEqual({
      values: {
        email_addresses: ['ada@example.com'],
        phone_numbers: [],
        name: 'Ada Lovelace',
        job_title: null,
      },
      notes: [],
    });
  });

  it('decides by count for attributes it does not know, and drops inactive values', () => {
    const flat = flattenValues({
      one: [email('a@x.test')],
      two: [
        email('a@x.test'),
        email('b@x.test'),
        { ...email('old@x.test'), active_until: '2024-01-01T00:00:00Z' },
      ],
      none: [],
    });
    expect(flat.values).toEqual({ one: 'a@x.test', two: ['a@x.test', 'b@x.test'], none: null });
  });

  it('notes an attribute whose type it does not flatten', () => {
    const flat = flattenValues({ hologram: [{ ...meta, attribute_type: 'hologram', depth: 3 }] });
    expect(flat.values).toEqual({ hologram: { depth: 3 } });
    expect(flat.notes).toEqual([
      `values.hologram: attribute type "hologram" is not flattened by this plugin version; it is kept in Attio's shape (also under raw).`,
    ]);
  });

  it('round-trips: what it outputs, buildValues accepts as input', () => {
    const attributes = STANDARD_ATTRIBUTES.people ?? {};
    const flat = flattenValues(
      {
        email_addresses: [email('ada@example.com')],
        name: [
          {
            ...meta,
            attribute_type: 'personal-name',
            first_name: 'Ada',
            last_name: 'Lovelace',
            full_name: 'Ada Lovelace',
          },
        ],
        company: [
          { ...meta, attribute_type: 'record-reference', target_object: 'companies', target_record_id: ID },
        ],
      },
      attributes,
    );
    expect(buildValues(flat.values as never, attributes)).toEqual({
      email_addresses: [{ email_address: 'ada@example.com' }],
      name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }],
      company: [{ target_object: 'companies', target_record_id: ID }],
    });
  });
});
