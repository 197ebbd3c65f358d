/**
 * Attio attribute values, both ways: plain values (what a person or a table holds:
 * `"ada@example.com"`, `"Ada Lovelace"`, `42`) to the nested shapes Attio's API documents
 * (`{ email_address }`, `{ first_name, last_name, full_name }`, `{ value }`), and Attio's answers
 * back to plain values. Written once here; every action uses it.
 *
 * Source: Attio's OpenAPI description ("Attio API" 2.0.0, `input-value` and `output-value`
 * schemas) and the attribute-type and standard-object pages of docs.attio.com.
 *
 * @module
 */

import { ValidationError } from '@oxygen/core';
import { z } from 'zod';

/** Every attribute type Attio documents (`attribute.type`). */
export const ATTRIBUTE_TYPES = [
  'text',
  'number',
  'checkbox',
  'currency',
  'date',
  'timestamp',
  'rating',
  'status',
  'select',
  'record-reference',
  'actor-reference',
  'location',
  'domain',
  'email-address',
  'phone-number',
  'interaction',
  'personal-name',
] as const;
/** An attribute type Attio documents. */
export type AttributeType = (typeof ATTRIBUTE_TYPES)[number];

/** What building and flattening need to know about one attribute. */
export interface AttributeInfo {
  /** Attio's attribute type; a type this plugin does not know is kept as a string. */
  type: string;
  /** True when the attribute holds several values (email addresses, domains, categories). */
  multiselect: boolean;
  /** For a record reference: the object (slug or id) its records belong to, when there is one. */
  target?: string | undefined;
}

/** Attributes by slug. */
export type AttributeMap = Record<string, AttributeInfo>;

const one = (type: AttributeType, target?: string): AttributeInfo => ({ type, multiselect: false, target });
const many = (type: AttributeType, target?: string): AttributeInfo => ({ type, multiselect: true, target });

const INTERACTIONS = [
  'first_calendar_interaction',
  'last_calendar_interaction',
  'next_calendar_interaction',
  'first_email_interaction',
  'last_email_interaction',
  'first_interaction',
  'last_interaction',
  'next_interaction',
];

const COMMON: AttributeMap = {
  record_id: one('text'),
  created_at: one('timestamp'),
  created_by: one('actor-reference'),
  description: one('text'),
  primary_location: one('location'),
  angellist: one('text'),
  facebook: one('text'),
  instagram: one('text'),
  linkedin: one('text'),
  twitter: one('text'),
  twitter_follower_count: one('number'),
  strongest_connection_strength: one('select'),
  strongest_connection_user: one('actor-reference'),
  associated_deals: many('record-reference', 'deals'),
  ...Object.fromEntries(INTERACTIONS.map((slug) => [slug, one('interaction')])),
};

/**
 * The standard attributes of Attio's `people` and `companies` objects (docs.attio.com, "Standard
 * objects"), so writes to them need no attribute lookup. Custom attributes are looked up.
 */
export const STANDARD_ATTRIBUTES: Readonly<Record<string, Readonly<AttributeMap>>> = {
  people: {
    ...COMMON,
    name: one('personal-name'),
    email_addresses: many('email-address'),
    company: one('record-reference', 'companies'),
    job_title: one('text'),
    phone_numbers: many('phone-number'),
    avatar_url: one('text'),
    associated_users: many('record-reference', 'users'),
  },
  companies: {
    ...COMMON,
    name: one('text'),
    domains: many('domain'),
    team: many('record-reference', 'people'),
    categories: many('select'),
    logo_url: one('text'),
    estimated_arr_usd: one('select'),
    funding_raised_usd: one('currency'),
    foundation_date: one('date'),
    employee_range: one('select'),
    associated_workspaces: many('record-reference', 'workspaces'),
  },
};

/** The attribute `record.assert` matches on when none is given, per standard object. */
export const DEFAULT_MATCHING_ATTRIBUTE: Readonly<Record<string, string>> = {
  people: 'email_addresses',
  companies: 'domains',
};

// ---------------------------------------------------------------------------------------------
// Plain values in
// ---------------------------------------------------------------------------------------------

const scalar = z.union([z.string(), z.number(), z.boolean()]);
const plainObject = z.record(z.string(), z.unknown());

/** One plain value: a scalar, an object for structured types (location, name parts), a list, or null. */
export const plainValue = z.union([scalar, z.null(), plainObject, z.array(z.union([scalar, plainObject]))]);
/** One plain value. */
export type PlainValue = z.infer<typeof plainValue>;

/** Plain values by attribute slug, as inputs take them. */
export const plainValues = z
  .record(z.string().min(1), plainValue)
  .describe(
    'Attribute values by api_slug, as plain values: {"email_addresses":["ada@example.com"],"name":"Ada Lovelace","job_title":"Engineer"}. A list writes several values; null clears the attribute. The plugin builds the nested shape Attio expects.',
  );

/** Values already in Attio's own shape, sent as given (for types plain values do not cover). */
export const rawValues = z
  .record(z.string().min(1), z.array(z.unknown()))
  .describe(
    'Attribute values already in Attio\'s own nested shape, sent unchanged: {"primary_location":[{"line_1":"1 Infinite Loop",...}]}. Use for anything plain values cannot express.',
  );

/** Attribute types declared by the caller, so writes to custom attributes need no lookup. */
export const attributeTypes = z
  .record(z.string().min(1), z.enum(ATTRIBUTE_TYPES))
  .describe(
    'Types of custom attributes by api_slug ({"tier":"select"}). Without it the plugin looks custom attributes up once (GET .../attributes) before writing.',
  );

/** An Attio input value: one element of the array sent for an attribute. */
export type AttioInputValue = Record<string, unknown>;

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LOCATION_FIELDS = [
  'line_1',
  'line_2',
  'line_3',
  'line_4',
  'locality',
  'region',
  'postcode',
  'country_code',
  'latitude',
  'longitude',
] as const;
const MATCHABLE_TYPES = new Set(['email-address', 'domain', 'number', 'phone-number', 'text']);

/** A plain value that cannot become an Attio value; `buildValues` turns it into a ValidationError. */
class PlainValueError extends Error {}

function fail(message: string): never {
  throw new PlainValueError(message);
}

function describe(value: unknown): string {
  return value === null
    ? 'null'
    : Array.isArray(value)
      ? 'a list'
      : `${typeof value} ${JSON.stringify(value)}`;
}

function asString(value: unknown, what: string): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return fail(`expected ${what}, got ${describe(value)}`);
}

function asNumber(value: unknown, what: string): number {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value.trim()) : value;
  if (typeof n === 'number' && Number.isFinite(n)) return n;
  return fail(`expected ${what}, got ${describe(value)}`);
}

function asObject(value: unknown, keys: readonly string[], what: string): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return fail(`expected ${what}, got ${describe(value)}`);
  }
  const unknown = Object.keys(value).filter((k) => !keys.includes(k));
  if (unknown.length > 0)
    fail(`unknown field(s) ${unknown.join(', ')} in ${what}; allowed: ${keys.join(', ')}`);
  return value as Record<string, unknown>;
}

/**
 * Reduces a website or URL to the host Attio stores (`https://www.Acme.com/about` → `www.acme.com`).
 *
 * @example
 * ```ts
 * normalizeDomain('https://Acme.com/pricing') // 'acme.com'
 * ```
 */
export function normalizeDomain(input: string): string {
  const trimmed = input.trim().toLowerCase();
  const host = trimmed
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '')
    .replace(/\.$/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) fail(`expected a domain such as "acme.com", got "${input}"`);
  return host;
}

/** `"Ada King Lovelace"` → first `Ada`, last `King Lovelace`, full as given. */
function splitName(full: string): { first_name: string; last_name: string; full_name: string } {
  const name = full.trim().replace(/\s+/g, ' ');
  const space = name.indexOf(' ');
  return space < 0
    ? { first_name: name, last_name: '', full_name: name }
    : { first_name: name.slice(0, space), last_name: name.slice(space + 1), full_name: name };
}

type TargetAttributes = (target: string) => AttributeMap | undefined;

/** Builds one Attio input value from one plain value of an attribute of type `info.type`. */
function buildOne(info: AttributeInfo, value: unknown, targetAttributes: TargetAttributes): AttioInputValue {
  switch (info.type) {
    case 'text':
      return { value: asString(value, 'text') };
    case 'number':
      return { value: asNumber(value, 'a number') };
    case 'rating': {
      const n = asNumber(value, 'a rating from 0 to 5');
      if (!Number.isInteger(n) || n < 0 || n > 5) fail(`expected a rating from 0 to 5, got ${n}`);
      return { value: n };
    }
    case 'currency':
      return { currency_value: asNumber(value, 'an amount') };
    case 'checkbox': {
      if (typeof value === 'boolean') return { value };
      if (value === 'true' || value === 'false') return { value: value === 'true' };
      return fail(`expected true or false, got ${describe(value)}`);
    }
    case 'date': {
      const text = asString(value, 'a date (YYYY-MM-DD)').trim();
      if (!/^\d{4}(-\d{2}(-\d{2})?)?([T ].*)?$/.test(text))
        fail(`expected a date (YYYY-MM-DD), got "${text}"`);
      return { value: text };
    }
    case 'timestamp': {
      if (typeof value === 'number') {
        if (!Number.isFinite(value)) fail('expected an ISO 8601 timestamp or epoch milliseconds');
        return { value: new Date(value).toISOString() };
      }
      const text = asString(value, 'an ISO 8601 timestamp').trim();
      if (
        !/^\d{4}(-\d{2}(-\d{2}([T ]\d{2}(:\d{2}(:\d{2}(\.\d+)?)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.test(text)
      ) {
        fail(`expected an ISO 8601 timestamp, got "${text}"`);
      }
      return { value: text };
    }
    case 'select':
      return { option: asString(value, 'an option title') };
    case 'status':
      return { status: asString(value, 'a status title') };
    case 'email-address': {
      const text = asString(value, 'an email address').trim();
      if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(text)) fail(`expected an email address, got "${text}"`);
      return { email_address: text };
    }
    case 'domain':
      return { domain: normalizeDomain(asString(value, 'a domain')) };
    case 'phone-number': {
      if (typeof value === 'string') return { original_phone_number: value.trim() };
      const o = asObject(
        value,
        ['number', 'country_code'],
        'a phone number ("+15558675309" or {number, country_code})',
      );
      const number = asString(o.number, 'a phone number in "number"').trim();
      return o.country_code === undefined
        ? { original_phone_number: number }
        : {
            original_phone_number: number,
            country_code: asString(o.country_code, 'a country code').toUpperCase(),
          };
    }
    case 'personal-name': {
      if (typeof value === 'string') return splitName(value);
      const o = asObject(
        value,
        ['first_name', 'last_name', 'full_name'],
        'a name ("Ada Lovelace" or {first_name, last_name})',
      );
      const first =
        o.first_name === undefined ? undefined : asString(o.first_name, 'text in first_name').trim();
      const last = o.last_name === undefined ? undefined : asString(o.last_name, 'text in last_name').trim();
      const full = o.full_name === undefined ? undefined : asString(o.full_name, 'text in full_name').trim();
      if (first === undefined && last === undefined) {
        if (full === undefined) fail('a name needs first_name, last_name or full_name');
        return splitName(full);
      }
      return {
        first_name: first ?? '',
        last_name: last ?? '',
        full_name: full ?? [first, last].filter(Boolean).join(' '),
      };
    }
    case 'location': {
      const o = asObject(value, LOCATION_FIELDS, 'a location object');
      const out: Record<string, string | null> = {};
      for (const key of LOCATION_FIELDS) {
        const v = o[key];
        out[key] =
          v === undefined || v === null
            ? null
            : key === 'country_code'
              ? asString(v, 'a country code').toUpperCase()
              : asString(v, `text in ${key}`);
      }
      return out;
    }
    case 'record-reference':
      return buildReference(info, value, targetAttributes);
    case 'actor-reference': {
      const text = asString(value, 'a workspace member email or id').trim();
      if (UUID.test(text)) return { referenced_actor_type: 'workspace-member', referenced_actor_id: text };
      if (text.includes('@')) return { workspace_member_email_address: text };
      return fail(`expected a workspace member email or id, got "${text}"`);
    }
    case 'interaction':
      return fail(
        'interaction values are written by Attio itself (email and calendar sync) and cannot be set',
      );
    default:
      return fail(
        `attribute type "${info.type}" is not supported in plain values by this plugin version; send it in raw_values in Attio's own shape`,
      );
  }
}

/**
 * A record reference, from `"<record uuid>"` (when the attribute has one target object),
 * `{ object, record_id }`, or `{ object, <unique attribute>: value }` (Attio's matching form,
 * e.g. `{ "object": "companies", "domains": "acme.com" }`).
 */
function buildReference(
  info: AttributeInfo,
  value: unknown,
  targetAttributes: TargetAttributes,
): AttioInputValue {
  if (typeof value === 'string') {
    const id = value.trim();
    if (!UUID.test(id)) fail(`expected a record id (UUID) or {object, record_id}, got "${value}"`);
    if (!info.target)
      fail('this attribute can point at several objects: give {"object": "<slug>", "record_id": "<uuid>"}');
    return { target_object: info.target, target_record_id: id };
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return fail(`expected a record id or {object, record_id}, got ${describe(value)}`);
  }
  const o = value as Record<string, unknown>;
  if ('target_object' in o) {
    asObject(o, ['target_object', 'target_record_id'], "a reference in Attio's shape");
    return {
      target_object: asString(o.target_object, 'an object'),
      target_record_id: asString(o.target_record_id, 'a record id'),
    };
  }
  const object = o.object === undefined ? info.target : asString(o.object, 'an object slug');
  if (!object) fail('give the referenced object: {"object": "<slug>", ...}');
  const keys = Object.keys(o).filter((k) => k !== 'object');
  if (keys.length === 1 && keys[0] === 'record_id') {
    const id = asString(o.record_id, 'a record id').trim();
    if (!UUID.test(id)) fail(`expected a record id (UUID) in record_id, got "${id}"`);
    return { target_object: object, target_record_id: id };
  }
  if (keys.length !== 1) {
    fail(
      'a reference is {"object", "record_id"} or {"object", "<unique attribute>": value}, with exactly one of them',
    );
  }
  const attribute = keys[0] as string;
  const match = targetAttributes(object)?.[attribute];
  if (!match || !MATCHABLE_TYPES.has(match.type)) {
    fail(
      `cannot reference ${object} records by "${attribute}": use record_id, or a unique email, domain, number, phone or text attribute of a standard object`,
    );
  }
  return { target_object: object, [attribute]: [buildOne(match, o[attribute], targetAttributes)] };
}

/**
 * Builds Attio's value arrays from plain values. Every attribute is sent as an array (Attio's
 * request schema); `null` sends `[]`, which clears the attribute.
 *
 * @param attributes - what each slug is; a slug missing here is an error naming it.
 * @param field - the input field the values came from, for error messages (`values`).
 * @throws ValidationError naming `<field>.<slug>` and what was expected.
 *
 * @example
 * ```ts
 * buildValues({ email_addresses: 'ada@example.com', name: 'Ada Lovelace' }, STANDARD_ATTRIBUTES.people)
 * // { email_addresses: [{ email_address: 'ada@example.com' }],
 * //   name: [{ first_name: 'Ada', last_name: 'Lovelace', full_name: 'Ada Lovelace' }] }
 * ```
 */
export function buildValues(
  values: Record<string, PlainValue>,
  attributes: AttributeMap,
  field = 'values',
  targetAttributes: TargetAttributes = (target) => STANDARD_ATTRIBUTES[target],
): Record<string, AttioInputValue[]> {
  const out: Record<string, AttioInputValue[]> = {};
  for (const [slug, value] of Object.entries(values)) {
    const info = attributes[slug];
    if (!info) {
      throw new ValidationError(`Invalid ${field}: Attio has no attribute "${slug}" here.`, {
        field: `${field}.${slug}`,
        hint: 'List the attribute slugs with `oxygen integrations run attio attribute.list --input \'{"object":"people"}\'`.',
      });
    }
    try {
      const list = value === null ? [] : Array.isArray(value) ? value : [value];
      if (!info.multiselect && list.length > 1) {
        fail(`"${slug}" holds one value, got ${list.length}`);
      }
      out[slug] = list.map((v) => buildOne(info, v, targetAttributes));
    } catch (error) {
      if (!(error instanceof PlainValueError)) throw error;
      throw new ValidationError(`Invalid ${field}: "${slug}" (${info.type}): ${error.message}.`, {
        field: `${field}.${slug}`,
        hint: "Fix the value, or send it in raw_values in Attio's own shape.",
      });
    }
  }
  return out;
}

/**
 * Builds the items of a task's `linked_records` (or any record reference) from plain references.
 *
 * @example
 * ```ts
 * buildReferences([{ object: 'people', email_addresses: 'ada@example.com' }], 'linked_records')
 * // [{ target_object: 'people', email_addresses: [{ email_address: 'ada@example.com' }] }]
 * ```
 */
export function buildReferences(references: unknown[], field: string): AttioInputValue[] {
  return references.map((reference, i) => {
    try {
      return buildReference(
        { type: 'record-reference', multiselect: true },
        reference,
        (t) => STANDARD_ATTRIBUTES[t],
      );
    } catch (error) {
      if (!(error instanceof PlainValueError)) throw error;
      throw new ValidationError(`Invalid ${field}: item ${i}: ${error.message}.`, { field: `${field}.${i}` });
    }
  });
}

// ---------------------------------------------------------------------------------------------
// Attio values out
// ---------------------------------------------------------------------------------------------

/** A plain value as outputs hold it. */
export type FlatValue = unknown;

/** The result of {@link flattenValues}. */
export interface Flattened {
  /** Plain values by slug: one value, a list for multi-value attributes, null when empty. */
  values: Record<string, FlatValue>;
  /** One line per attribute whose type this plugin does not flatten (kept in Attio's shape). */
  notes: string[];
}

const METADATA = new Set(['active_from', 'active_until', 'created_by_actor', 'attribute_type']);

function withoutMetadata(value: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(value).filter(([k]) => !METADATA.has(k)));
}

function titleOf(value: unknown): unknown {
  return value && typeof value === 'object' && 'title' in value ? (value as { title: unknown }).title : value;
}

/**
 * Flattens one Attio value object to its plain value. Returns `flattened: false` (and the value
 * without Attio's bookkeeping fields) for a type this plugin does not know.
 *
 * @example
 * ```ts
 * flattenValue({ attribute_type: 'email-address', email_address: 'ada@example.com', ... })
 * // { value: 'ada@example.com', flattened: true }
 * ```
 */
export function flattenValue(value: unknown): { value: FlatValue; flattened: boolean } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return { value, flattened: false };
  const v = value as Record<string, unknown>;
  switch (v.attribute_type) {
    case 'text':
    case 'number':
    case 'rating':
    case 'checkbox':
    case 'date':
    case 'timestamp':
      return { value: v.value, flattened: true };
    case 'currency':
      return { value: v.currency_value, flattened: true };
    case 'select':
      return { value: titleOf(v.option), flattened: true };
    case 'status':
      return { value: titleOf(v.status), flattened: true };
    case 'email-address':
      return { value: v.email_address, flattened: true };
    case 'domain':
      return { value: v.domain, flattened: true };
    case 'phone-number':
      return { value: v.phone_number ?? v.original_phone_number, flattened: true };
    case 'personal-name':
      return { value: v.full_name, flattened: true };
    case 'record-reference':
      return { value: { object: v.target_object, record_id: v.target_record_id }, flattened: true };
    case 'actor-reference':
      return { value: { type: v.referenced_actor_type, id: v.referenced_actor_id }, flattened: true };
    case 'location':
      return {
        value: Object.fromEntries(LOCATION_FIELDS.map((k) => [k, (v[k] as unknown) ?? null])),
        flattened: true,
      };
    case 'interaction':
      return {
        value: { type: v.interaction_type, at: v.interacted_at, owner: v.owner_actor ?? null },
        flattened: true,
      };
    default:
      return { value: withoutMetadata(v), flattened: false };
  }
}

/**
 * Flattens a record's (or list entry's) `values` to plain values: the same shapes inputs take.
 * Values Attio marks inactive (`active_until` set) are dropped. A multi-value attribute becomes a
 * list; a single-value one its value or null. For an attribute not in `attributes`, one value
 * stays a value and several become a list.
 *
 * @example
 * ```ts
 * flattenValues(record.values, STANDARD_ATTRIBUTES.people).values
 * // { email_addresses: ['ada@example.com'], name: 'Ada Lovelace', job_title: null, ... }
 * ```
 */
export function flattenValues(values: Record<string, unknown>, attributes: AttributeMap = {}): Flattened {
  const out: Record<string, FlatValue> = {};
  const notes: string[] = [];
  for (const [slug, raw] of Object.entries(values)) {
    const list = (Array.isArray(raw) ? raw : [raw]).filter(
      (v) => !(v && typeof v === 'object' && (v as { active_until?: unknown }).active_until),
    );
    const flat = list.map(flattenValue);
    const unknown = flat.find((f) => !f.flattened);
    if (unknown) {
      const type = (list[flat.indexOf(unknown)] as { attribute_type?: unknown } | undefined)?.attribute_type;
      notes.push(
        `values.${slug}: attribute type "${String(type)}" is not flattened by this plugin version; it is kept in Attio's shape (also under raw).`,
      );
    }
    const plain = flat.map((f) => f.value);
    const info = attributes[slug];
    const multi = info ? info.multiselect : plain.length > 1;
    out[slug] = multi ? plain : (plain[0] ?? null);
  }
  return { values: out, notes };
}
