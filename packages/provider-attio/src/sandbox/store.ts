/**
 * The sandbox's in-memory Attio workspace: objects with their attributes (the standard `people`
 * and `companies` ones plus any custom ones), records, lists and their entries, notes, tasks and
 * workspace members. Writes follow Attio's documented semantics: unique attributes, assert by a
 * matching attribute, append versus overwrite of multi-value attributes, relationship inverses.
 *
 * @module
 */

import { randomUUID } from 'node:crypto';
import { AttioError, fieldError, notFound, validationError, valueNotFound } from './errors.js';
import { WebhookStore } from './hooks.js';
import { mainField, normalizeTimestamp, parseValue, type StoredCore, valueKey } from './values.js';

/** A custom attribute to add to an object or list. */
export interface AttributeSpec {
  api_slug: string;
  /** Attio attribute type: text, number, checkbox, currency, date, timestamp, rating, status, select, ... */
  type: string;
  title?: string;
  description?: string;
  is_multiselect?: boolean;
  is_unique?: boolean;
  is_required?: boolean;
  is_writable?: boolean;
  /** Titles of the options (select) or statuses (status). */
  options?: string[];
  /** For record references: the object slugs it may point at (default: any). */
  targets?: string[];
  /** For currency: the stored currency code (default USD). */
  currency_code?: string;
}

/** A list to create in the workspace. */
export interface ListSpec {
  api_slug: string;
  name?: string;
  /** The object (slug) whose records the list holds. */
  parent_object: string;
  attributes?: AttributeSpec[];
}

/** A select option or status of an attribute. */
export interface SandboxOption {
  id: string;
  title: string;
  is_archived: boolean;
}

/** An attribute of an object or list. */
export interface SandboxAttribute {
  attribute_id: string;
  /** The object or list the attribute belongs to. */
  parent_id: string;
  api_slug: string;
  title: string;
  description: string | null;
  type: string;
  is_system_attribute: boolean;
  is_writable: boolean;
  is_required: boolean;
  is_unique: boolean;
  is_multiselect: boolean;
  is_archived: boolean;
  created_at: string;
  /** Record references: object slugs it may point at (empty: any). */
  targets: string[];
  /** Select options or statuses. */
  options: SandboxOption[];
  currency_code?: string | undefined;
  /** Relationship: the attribute on the target object kept in step with this one. */
  inverse?: { object: string; attribute: string } | undefined;
}

/** An object (`people`, `companies`). */
export interface SandboxObject {
  object_id: string;
  api_slug: string;
  singular_noun: string;
  plural_noun: string;
  created_at: string;
  attributes: SandboxAttribute[];
}

/** A list. */
export interface SandboxList {
  list_id: string;
  api_slug: string;
  name: string;
  parent_object: string;
  created_at: string;
  attributes: SandboxAttribute[];
}

/** A stored value: the answered shape, bookkeeping fields included. */
export type StoredValue = StoredCore & {
  active_from: string;
  active_until: null;
  created_by_actor: { type: string; id: string | null };
  attribute_type: string;
};

/** A record. Tests may read and change these. */
export interface SandboxRecord {
  record_id: string;
  /** Object slug. */
  object: string;
  created_at: string;
  values: Record<string, StoredValue[]>;
}

/** A list entry. */
export interface SandboxEntry {
  entry_id: string;
  /** List slug. */
  list: string;
  parent_object: string;
  parent_record_id: string;
  created_at: string;
  values: Record<string, StoredValue[]>;
}

/** A note. */
export interface SandboxNote {
  note_id: string;
  parent_object: string;
  parent_record_id: string;
  title: string;
  format: 'plaintext' | 'markdown';
  content: string;
  created_at: string;
}

/** A task. */
export interface SandboxTask {
  task_id: string;
  content: string;
  deadline_at: string | null;
  is_completed: boolean;
  linked_records: { target_object_id: string; target_record_id: string }[];
  assignees: { referenced_actor_type: string; referenced_actor_id: string }[];
  created_at: string;
}

/** A workspace member (assignable to tasks, writable into actor references). */
export interface SandboxMember {
  id: string;
  email: string;
  first_name: string;
  last_name: string;
  created_at: string;
}

/** Attio's timestamp format: ISO 8601 with nanoseconds. */
export function now(): string {
  return new Date().toISOString().replace(/Z$/, '000000Z');
}

type Parent = { attributes: SandboxAttribute[] };

interface AttributeDraft extends AttributeSpec {
  is_system_attribute?: boolean;
  inverse?: { object: string; attribute: string };
}

const SOCIAL = ['angellist', 'facebook', 'instagram', 'linkedin', 'twitter'].map(
  (slug): AttributeDraft => ({ api_slug: slug, type: 'text', title: slug[0]?.toUpperCase() + slug.slice(1) }),
);
const SYSTEM: AttributeDraft[] = [
  {
    api_slug: 'record_id',
    type: 'text',
    title: 'Record ID',
    is_unique: true,
    is_writable: false,
    is_system_attribute: true,
  },
  {
    api_slug: 'created_at',
    type: 'timestamp',
    title: 'Created at',
    is_writable: false,
    is_system_attribute: true,
  },
  {
    api_slug: 'created_by',
    type: 'actor-reference',
    title: 'Created by',
    is_writable: false,
    is_system_attribute: true,
  },
];
const INTERACTIONS: AttributeDraft[] = ['first_interaction', 'last_interaction'].map((slug) => ({
  api_slug: slug,
  type: 'interaction',
  title: slug.replace('_', ' '),
  is_writable: false,
  is_system_attribute: true,
}));
const STRENGTH = ['Very weak', 'Weak', 'Good', 'Strong', 'Very strong'];

/** Standard attributes, from docs.attio.com "Standard objects" (people, companies). */
const STANDARD: Record<'people' | 'companies', AttributeDraft[]> = {
  people: [
    ...SYSTEM,
    { api_slug: 'name', type: 'personal-name', title: 'Name' },
    {
      api_slug: 'email_addresses',
      type: 'email-address',
      title: 'Email addresses',
      is_multiselect: true,
      is_unique: true,
    },
    { api_slug: 'description', type: 'text', title: 'Description' },
    {
      api_slug: 'company',
      type: 'record-reference',
      title: 'Company',
      targets: ['companies'],
      inverse: { object: 'companies', attribute: 'team' },
    },
    { api_slug: 'job_title', type: 'text', title: 'Job title' },
    { api_slug: 'phone_numbers', type: 'phone-number', title: 'Phone numbers', is_multiselect: true },
    { api_slug: 'primary_location', type: 'location', title: 'Primary location' },
    { api_slug: 'avatar_url', type: 'text', title: 'Avatar URL', is_writable: false },
    ...SOCIAL,
    {
      api_slug: 'twitter_follower_count',
      type: 'number',
      title: 'Twitter follower count',
      is_writable: false,
    },
    ...INTERACTIONS,
    {
      api_slug: 'strongest_connection_strength',
      type: 'select',
      title: 'Connection strength',
      options: STRENGTH,
      is_writable: false,
    },
  ],
  companies: [
    ...SYSTEM,
    { api_slug: 'domains', type: 'domain', title: 'Domains', is_multiselect: true, is_unique: true },
    { api_slug: 'name', type: 'text', title: 'Name' },
    { api_slug: 'description', type: 'text', title: 'Description' },
    {
      api_slug: 'team',
      type: 'record-reference',
      title: 'Team',
      is_multiselect: true,
      targets: ['people'],
      inverse: { object: 'people', attribute: 'company' },
    },
    {
      api_slug: 'categories',
      type: 'select',
      title: 'Categories',
      is_multiselect: true,
      options: ['B2B', 'B2C', 'SaaS', 'E-commerce', 'Fintech', 'Marketplace', 'Hardware'],
    },
    { api_slug: 'primary_location', type: 'location', title: 'Primary location' },
    { api_slug: 'logo_url', type: 'text', title: 'Logo URL', is_writable: false },
    ...SOCIAL,
    {
      api_slug: 'estimated_arr_usd',
      type: 'select',
      title: 'Estimated ARR',
      options: ['$0-$1M', '$1M-$10M', '$10M-$50M', '$50M-$100M', '$100M+'],
      is_writable: false,
    },
    { api_slug: 'funding_raised_usd', type: 'currency', title: 'Funding raised', is_writable: false },
    { api_slug: 'foundation_date', type: 'date', title: 'Foundation date', is_writable: false },
    {
      api_slug: 'employee_range',
      type: 'select',
      title: 'Employee range',
      options: ['1-10', '11-50', '51-250', '251-1K', '1K-5K', '5K-10K', '10K-50K', '50K-100K', '100K+'],
      is_writable: false,
    },
    ...INTERACTIONS,
    {
      api_slug: 'strongest_connection_strength',
      type: 'select',
      title: 'Connection strength',
      options: STRENGTH,
      is_writable: false,
    },
  ],
};

/** The default list: a sales pipeline of companies. */
export const DEFAULT_LISTS: ListSpec[] = [
  {
    api_slug: 'sales_pipeline',
    name: 'Sales pipeline',
    parent_object: 'companies',
    attributes: [
      { api_slug: 'stage', type: 'status', title: 'Stage', options: ['Lead', 'In progress', 'Won', 'Lost'] },
      { api_slug: 'priority', type: 'select', title: 'Priority', options: ['Low', 'Medium', 'High'] },
      { api_slug: 'owner', type: 'actor-reference', title: 'Owner' },
      { api_slug: 'next_step', type: 'text', title: 'Next step' },
      { api_slug: 'deal_value', type: 'currency', title: 'Deal value' },
    ],
  },
];

/** Options of a {@link Workspace}. */
export interface WorkspaceOptions {
  workspaceName: string;
  workspaceSlug: string;
  /** Custom attributes added to `people` and `companies`. */
  attributes?: { people?: AttributeSpec[]; companies?: AttributeSpec[] };
  lists?: ListSpec[];
  /** Workspace member emails; the first one authorised the token. */
  members?: string[];
}

function attributeOf(parent_id: string, draft: AttributeDraft): SandboxAttribute {
  return {
    attribute_id: randomUUID(),
    parent_id,
    api_slug: draft.api_slug,
    title: draft.title ?? draft.api_slug,
    description: draft.description ?? null,
    type: draft.type,
    is_system_attribute: draft.is_system_attribute ?? false,
    is_writable: draft.is_writable ?? true,
    is_required: draft.is_required ?? false,
    is_unique: draft.is_unique ?? false,
    is_multiselect: draft.is_multiselect ?? false,
    is_archived: false,
    created_at: now(),
    targets: draft.targets ?? [],
    options: (draft.options ?? []).map((title) => ({ id: randomUUID(), title, is_archived: false })),
    currency_code: draft.type === 'currency' ? (draft.currency_code ?? 'USD') : undefined,
    inverse: draft.inverse,
  };
}

/** The whole fake workspace. */
export class Workspace {
  readonly workspace_id = randomUUID();
  readonly name: string;
  readonly slug: string;
  /** The API token's actor id, written into `created_by_actor`. */
  readonly tokenActorId = randomUUID();
  readonly objects = new Map<string, SandboxObject>();
  readonly lists = new Map<string, SandboxList>();
  readonly members: SandboxMember[];
  readonly records = new Map<string, SandboxRecord>();
  readonly entries = new Map<string, SandboxEntry>();
  readonly notes = new Map<string, SandboxNote>();
  readonly tasks = new Map<string, SandboxTask>();
  /** Webhooks registered through `/v2/webhooks`. */
  readonly webhooks = new WebhookStore(this.workspace_id);

  constructor(options: WorkspaceOptions) {
    this.name = options.workspaceName;
    this.slug = options.workspaceSlug;
    for (const [slug, singular, plural] of [
      ['people', 'Person', 'People'],
      ['companies', 'Company', 'Companies'],
    ] as const) {
      const object_id = randomUUID();
      const drafts = [...STANDARD[slug], ...(options.attributes?.[slug] ?? [])];
      this.objects.set(slug, {
        object_id,
        api_slug: slug,
        singular_noun: singular,
        plural_noun: plural,
        created_at: now(),
        attributes: drafts.map((d) => attributeOf(object_id, d)),
      });
    }
    for (const spec of options.lists ?? DEFAULT_LISTS) {
      const list_id = randomUUID();
      this.object(spec.parent_object);
      this.lists.set(spec.api_slug, {
        list_id,
        api_slug: spec.api_slug,
        name: spec.name ?? spec.api_slug,
        parent_object: spec.parent_object,
        created_at: now(),
        attributes: (spec.attributes ?? []).map((d) => attributeOf(list_id, d)),
      });
    }
    this.members = (options.members ?? ['owner@example.com']).map((email) => {
      const [local = 'member'] = email.split('@');
      return {
        id: randomUUID(),
        email,
        first_name: local[0]?.toUpperCase() + local.slice(1),
        last_name: 'Sandbox',
        created_at: now(),
      };
    });
  }

  /** Forgets records, entries, notes, tasks and webhooks; keeps objects, attributes, lists and members. */
  reset(): void {
    this.webhooks.byId.clear();
    this.records.clear();
    this.entries.clear();
    this.notes.clear();
    this.tasks.clear();
  }

  // -- lookups ---------------------------------------------------------------------------------

  /** An object by slug or id; 404 otherwise. */
  object(slugOrId: string): SandboxObject {
    const found =
      this.objects.get(slugOrId) ?? [...this.objects.values()].find((o) => o.object_id === slugOrId);
    if (!found) throw notFound(`Object with slug/ID "${slugOrId}" not found.`);
    return found;
  }

  /** A list by slug or id; 404 otherwise. */
  list(slugOrId: string): SandboxList {
    const found = this.lists.get(slugOrId) ?? [...this.lists.values()].find((l) => l.list_id === slugOrId);
    if (!found) throw notFound(`List with slug/ID "${slugOrId}" not found.`);
    return found;
  }

  /** An attribute of an object or list by slug or id, or undefined. */
  findAttribute(parent: Parent, slugOrId: string): SandboxAttribute | undefined {
    return parent.attributes.find((a) => a.api_slug === slugOrId || a.attribute_id === slugOrId);
  }

  /** A record of an object; 404 otherwise. */
  record(object: SandboxObject, recordId: string): SandboxRecord {
    const found = this.records.get(recordId);
    if (!found || found.object !== object.api_slug) throw notFound(`Record with ID "${recordId}" not found.`);
    return found;
  }

  /** A member by email; 400 `value_not_found` otherwise. */
  memberByEmail(email: string): SandboxMember {
    const found = this.members.find((m) => m.email.toLowerCase() === email.trim().toLowerCase());
    if (!found) throw valueNotFound(`Workspace member with email address "${email}" not found.`);
    return found;
  }

  /** A member by id; 400 `value_not_found` otherwise. */
  memberById(id: string): SandboxMember {
    const found = this.members.find((m) => m.id === id);
    if (!found) throw valueNotFound(`Workspace member with ID "${id}" not found.`);
    return found;
  }

  /** The records of an object holding `key` (see `valueKey`) in `attribute`. */
  recordsWith(object: SandboxObject, attribute: SandboxAttribute, key: string): SandboxRecord[] {
    return [...this.records.values()].filter(
      (r) =>
        r.object === object.api_slug &&
        (r.values[attribute.api_slug] ?? []).some((v) => valueKey(attribute.type, v) === key),
    );
  }

  // -- values ----------------------------------------------------------------------------------

  /** An option or status in the answered shape. */
  optionJson(
    attribute: SandboxAttribute,
    option: SandboxOption,
    idName: 'option_id' | 'status_id',
  ): StoredCore {
    return {
      id: {
        workspace_id: this.workspace_id,
        object_id: attribute.parent_id,
        attribute_id: attribute.attribute_id,
        [idName]: option.id,
      },
      title: option.title,
      is_archived: option.is_archived,
    };
  }

  /**
   * A record reference: `{ target_object, target_record_id }`, or `{ target_object, <unique
   * attribute>: [value] }` to find the record by that attribute.
   */
  parseReference(value: unknown, path: (string | number)[], targets: string[]): StoredCore {
    if (!value || typeof value !== 'object' || Array.isArray(value)) {
      throw fieldError(
        path,
        'Expected {target_object, target_record_id} or {target_object, <matching attribute>: [value]}',
      );
    }
    const o = value as Record<string, unknown>;
    if (typeof o.target_object !== 'string') throw fieldError([...path, 'target_object'], 'Required');
    const target =
      this.objects.get(o.target_object) ??
      [...this.objects.values()].find((x) => x.object_id === o.target_object);
    if (!target) throw valueNotFound(`Object with slug/ID "${o.target_object}" not found.`);
    if (targets.length > 0 && !targets.includes(target.api_slug)) {
      throw fieldError(
        [...path, 'target_object'],
        `This attribute cannot reference records of "${target.api_slug}"`,
      );
    }
    const keys = Object.keys(o).filter((k) => k !== 'target_object');
    if (keys.length === 1 && keys[0] === 'target_record_id') {
      const id = o.target_record_id;
      const record = typeof id === 'string' ? this.records.get(id) : undefined;
      if (!record || record.object !== target.api_slug) {
        throw valueNotFound(`Record with ID "${String(id)}" not found in object "${target.api_slug}".`);
      }
      return { target_object: target.api_slug, target_record_id: record.record_id };
    }
    if (keys.length !== 1) {
      throw fieldError(path, 'Give target_record_id, or exactly one matching attribute with one value');
    }
    const slug = keys[0] as string;
    const attribute = this.findAttribute(target, slug);
    if (!attribute?.is_unique) {
      throw valueNotFound(
        `No unique attribute "${slug}" on object "${target.api_slug}" to match the reference on.`,
      );
    }
    const raw = o[slug];
    const list = Array.isArray(raw) ? raw : [raw];
    if (list.length !== 1) throw fieldError([...path, slug], 'Matching on exactly one value is supported');
    const parsed = parseValue(this, attribute, list[0], [...path, slug, 0]);
    const found = this.recordsWith(target, attribute, valueKey(attribute.type, parsed));
    if (found.length === 0) {
      throw valueNotFound(
        `No ${target.api_slug} record has "${String(mainField(attribute.type, parsed))}" in "${slug}".`,
      );
    }
    if (found.length > 1) {
      throw new AttioError(
        400,
        'invalid_request_error',
        'multiple_match_results',
        `Several ${target.api_slug} records match "${slug}".`,
      );
    }
    return { target_object: target.api_slug, target_record_id: (found[0] as SandboxRecord).record_id };
  }

  /** Reads the `values` (or `entry_values`) of a write body into stored values, by attribute. */
  parseValues(
    parent: Parent,
    values: Record<string, unknown>,
    path: (string | number)[],
  ): Map<SandboxAttribute, StoredValue[]> {
    const out = new Map<SandboxAttribute, StoredValue[]>();
    for (const [slug, raw] of Object.entries(values)) {
      const attribute = this.findAttribute(parent, slug);
      if (!attribute || attribute.is_archived)
        throw valueNotFound(`Cannot find attribute with slug/ID "${slug}".`);
      if (!attribute.is_writable)
        throw fieldError([...path, slug], `Attribute "${attribute.api_slug}" is not writable`);
      const list = raw === null ? [] : Array.isArray(raw) ? raw : [raw];
      if (!attribute.is_multiselect && list.length > 1) {
        throw fieldError(
          [...path, slug],
          `Multiple values supplied for single-value attribute "${attribute.api_slug}"`,
        );
      }
      const stamp = now();
      out.set(
        attribute,
        list.map((v, i) => ({
          active_from: stamp,
          active_until: null,
          created_by_actor: { type: 'api-token', id: this.tokenActorId },
          ...parseValue(this, attribute, v, [...path, slug, i]),
          attribute_type: attribute.type,
        })),
      );
    }
    return out;
  }

  private systemValues(record: SandboxRecord): void {
    const actor = { type: 'api-token', id: this.tokenActorId };
    const meta = { active_from: record.created_at, active_until: null, created_by_actor: actor };
    record.values.record_id = [{ ...meta, value: record.record_id, attribute_type: 'text' }];
    record.values.created_at = [{ ...meta, value: record.created_at, attribute_type: 'timestamp' }];
    record.values.created_by = [
      {
        ...meta,
        referenced_actor_type: 'api-token',
        referenced_actor_id: this.tokenActorId,
        attribute_type: 'actor-reference',
      },
    ];
  }

  /** 409 when another record of the object already holds a value of a unique attribute. */
  private checkUnique(
    object: SandboxObject,
    values: Map<SandboxAttribute, StoredValue[]>,
    self?: SandboxRecord,
  ): void {
    for (const [attribute, list] of values) {
      if (!attribute.is_unique) continue;
      for (const value of list) {
        const key = valueKey(attribute.type, value);
        const other = this.recordsWith(object, attribute, key).find((r) => r !== self);
        if (other) {
          throw new AttioError(
            409,
            'invalid_request_error',
            'uniqueness_conflict',
            `A record with the value "${String(mainField(attribute.type, value))}" for unique attribute "${attribute.api_slug}" already exists (record ID "${other.record_id}").`,
          );
        }
      }
    }
  }

  private checkRequired(parent: Parent, present: Set<string>): void {
    const missing = parent.attributes.find(
      (a) => a.is_required && !a.is_archived && !present.has(a.api_slug),
    );
    if (missing) {
      throw new AttioError(
        400,
        'invalid_request_error',
        'missing_value',
        `Required value for attribute with ID "${missing.attribute_id}" was not provided.`,
      );
    }
  }

  /**
   * Writes `values` into a record. `mode`: `replace` overwrites each attribute given; `append`
   * adds new values to multi-value attributes (prepended, duplicates skipped) and overwrites the
   * others; `assert` appends to `matching` and overwrites the rest.
   */
  private apply(
    object: SandboxObject,
    record: SandboxRecord,
    values: Map<SandboxAttribute, StoredValue[]>,
    mode: 'replace' | 'append' | 'assert',
    matching?: SandboxAttribute,
  ): void {
    for (const [attribute, list] of values) {
      const before = record.values[attribute.api_slug] ?? [];
      const appendIt =
        attribute.is_multiselect && (mode === 'append' || (mode === 'assert' && attribute === matching));
      let after = list;
      if (appendIt) {
        const have = new Set(before.map((v) => valueKey(attribute.type, v)));
        const fresh = list.filter((v) => !have.has(valueKey(attribute.type, v)));
        after = mode === 'append' ? [...fresh, ...before] : [...before, ...fresh];
      } else if (attribute.is_multiselect) {
        // keep values that did not change (their active_from stays), in the order given
        after = list.map(
          (v) => before.find((b) => valueKey(attribute.type, b) === valueKey(attribute.type, v)) ?? v,
        );
      }
      record.values[attribute.api_slug] = after;
      if (attribute.inverse) this.syncInverse(object, record, attribute, before, after);
    }
  }

  /** Keeps a relationship's other side in step (person.company ↔ company.team). */
  private syncInverse(
    object: SandboxObject,
    record: SandboxRecord,
    attribute: SandboxAttribute,
    before: StoredValue[],
    after: StoredValue[],
  ): void {
    const inverse = attribute.inverse;
    if (!inverse) return;
    const targetObject = this.object(inverse.object);
    const back = this.findAttribute(targetObject, inverse.attribute);
    if (!back) return;
    const ids = (list: StoredValue[]) => new Set(list.map((v) => String(v.target_record_id)));
    const was = ids(before);
    const is = ids(after);
    const self = (v: StoredValue) => v.target_record_id === record.record_id;
    for (const id of was) {
      const target = this.records.get(id);
      if (target && !is.has(id))
        target.values[back.api_slug] = (target.values[back.api_slug] ?? []).filter((v) => !self(v));
    }
    for (const id of is) {
      const target = this.records.get(id);
      if (!target || (target.values[back.api_slug] ?? []).some(self)) continue;
      const value: StoredValue = {
        active_from: now(),
        active_until: null,
        created_by_actor: { type: 'system', id: null },
        target_object: object.api_slug,
        target_record_id: record.record_id,
        attribute_type: 'record-reference',
      };
      if (back.is_multiselect) {
        target.values[back.api_slug] = [...(target.values[back.api_slug] ?? []), value];
      } else {
        const old = target.values[back.api_slug] ?? [];
        target.values[back.api_slug] = [value];
        // the record that held the single-value side before loses its link back
        for (const o of old) {
          const previous = this.records.get(String(o.target_record_id));
          if (previous)
            previous.values[attribute.api_slug] = (previous.values[attribute.api_slug] ?? []).filter(
              (v) => v.target_record_id !== id,
            );
        }
      }
    }
  }

  // -- records ---------------------------------------------------------------------------------

  /** Creates a record (`POST .../records`): 409 on a unique value another record holds. */
  createRecord(
    objectId: string,
    body: Record<string, unknown>,
    options: { record_id?: string } = {},
  ): SandboxRecord {
    const object = this.object(objectId);
    const values = this.parseValues(object, body, ['data', 'values']);
    this.checkUnique(object, values);
    this.checkRequired(object, new Set([...values.keys()].map((a) => a.api_slug)));
    const record: SandboxRecord = {
      record_id: options.record_id ?? randomUUID(),
      object: object.api_slug,
      created_at: now(),
      values: {},
    };
    if (this.records.has(record.record_id))
      throw validationError(`Record ID "${record.record_id}" is taken.`);
    this.systemValues(record);
    this.records.set(record.record_id, record);
    try {
      this.apply(object, record, values, 'replace');
    } catch (error) {
      this.records.delete(record.record_id);
      throw error;
    }
    return record;
  }

  /**
   * Asserts a record (`PUT .../records?matching_attribute=`): updates the one record holding a
   * value of the matching attribute, creates one when none does, refuses when several do.
   */
  assertRecord(objectId: string, matchingId: string, body: Record<string, unknown>): SandboxRecord {
    const object = this.object(objectId);
    const matching = this.findAttribute(object, matchingId);
    if (!matching)
      throw valueNotFound(`No attribute was found for matching_attribute slug/ID "${matchingId}".`);
    if (!matching.is_unique) {
      throw validationError(`The matching_attribute "${matching.api_slug}" must be a unique attribute.`);
    }
    const values = this.parseValues(object, body, ['data', 'values']);
    const given = values.get(matching);
    if (!given || given.length === 0) {
      throw new AttioError(
        400,
        'invalid_request_error',
        'missing_value',
        `A value for the matching attribute "${matching.api_slug}" must be provided.`,
      );
    }
    const found = new Set<SandboxRecord>();
    for (const value of given) {
      for (const r of this.recordsWith(object, matching, valueKey(matching.type, value))) found.add(r);
    }
    if (found.size > 1) {
      throw new AttioError(
        400,
        'invalid_request_error',
        'multiple_match_results',
        `Multiple records were found for the given matching attribute "${matching.api_slug}". Please remove duplicates or use the update or create record endpoints instead.`,
      );
    }
    const [existing] = [...found];
    if (!existing) return this.createRecord(object.api_slug, body);
    this.checkUnique(object, values, existing);
    this.apply(object, existing, values, 'assert', matching);
    return existing;
  }

  /** Updates a record by id: `append` (PATCH) or `replace` (PUT) multi-value attributes. */
  updateRecord(
    objectId: string,
    recordId: string,
    body: Record<string, unknown>,
    mode: 'append' | 'replace',
  ): SandboxRecord {
    const object = this.object(objectId);
    const record = this.record(object, recordId);
    const values = this.parseValues(object, body, ['data', 'values']);
    this.checkUnique(object, values, record);
    this.apply(object, record, values, mode);
    return record;
  }

  /** Deletes a record and whatever hangs off it (entries, notes, references to it). */
  deleteRecord(objectId: string, recordId: string): void {
    const object = this.object(objectId);
    const record = this.record(object, recordId);
    this.records.delete(record.record_id);
    for (const [id, e] of this.entries) if (e.parent_record_id === record.record_id) this.entries.delete(id);
    for (const [id, n] of this.notes) if (n.parent_record_id === record.record_id) this.notes.delete(id);
    for (const other of this.records.values()) {
      for (const [slug, list] of Object.entries(other.values)) {
        other.values[slug] = list.filter((v) => v.target_record_id !== record.record_id);
      }
    }
  }

  /** A record in Attio's answer shape: every attribute of the object, `[]` when empty. */
  recordJson(record: SandboxRecord): Record<string, unknown> {
    const object = this.object(record.object);
    const values: Record<string, StoredValue[]> = {};
    for (const a of object.attributes)
      if (!a.is_archived) values[a.api_slug] = record.values[a.api_slug] ?? [];
    return {
      id: { workspace_id: this.workspace_id, object_id: object.object_id, record_id: record.record_id },
      created_at: record.created_at,
      web_url: `https://app.attio.com/${this.slug}/${object.singular_noun.toLowerCase()}/${record.record_id}`,
      values,
    };
  }

  // -- lists -----------------------------------------------------------------------------------

  /** Adds a record to a list: `assert` updates its one entry if there is one; `create` always adds. */
  writeEntry(
    listId: string,
    data: { parent_record_id: string; parent_object: string; entry_values: Record<string, unknown> },
    mode: 'create' | 'assert',
  ): SandboxEntry {
    const list = this.list(listId);
    const parentObject =
      this.objects.get(data.parent_object) ??
      [...this.objects.values()].find((o) => o.object_id === data.parent_object);
    const parent = this.records.get(data.parent_record_id);
    if (!parentObject || !parent || parent.object !== parentObject.api_slug) {
      throw valueNotFound(`Parent record with slug/ID "${data.parent_record_id}" not found.`);
    }
    if (parentObject.api_slug !== list.parent_object) {
      throw validationError(
        `List "${list.api_slug}" holds ${list.parent_object} records, not ${parentObject.api_slug}.`,
      );
    }
    const values = this.parseValues(list, data.entry_values, ['data', 'entry_values']);
    const existing = [...this.entries.values()].filter(
      (e) => e.list === list.api_slug && e.parent_record_id === parent.record_id,
    );
    if (mode === 'assert' && existing.length > 1) {
      throw new AttioError(
        400,
        'invalid_request_error',
        'multiple_match_results',
        'Multiple entries were founds for the given parent record. Please remove duplicates or use the update or create entry endpoints instead.',
      );
    }
    let entry = mode === 'assert' ? existing[0] : undefined;
    if (!entry) {
      this.checkRequired(list, new Set([...values.keys()].map((a) => a.api_slug)));
      entry = {
        entry_id: randomUUID(),
        list: list.api_slug,
        parent_object: parentObject.api_slug,
        parent_record_id: parent.record_id,
        created_at: now(),
        values: {},
      };
      this.entries.set(entry.entry_id, entry);
    }
    for (const [attribute, list_] of values) entry.values[attribute.api_slug] = list_;
    return entry;
  }

  /** A list entry in Attio's answer shape. */
  entryJson(entry: SandboxEntry): Record<string, unknown> {
    const list = this.list(entry.list);
    const entry_values: Record<string, StoredValue[]> = {};
    for (const a of list.attributes)
      if (!a.is_archived) entry_values[a.api_slug] = entry.values[a.api_slug] ?? [];
    return {
      id: { workspace_id: this.workspace_id, list_id: list.list_id, entry_id: entry.entry_id },
      parent_record_id: entry.parent_record_id,
      parent_object: entry.parent_object,
      created_at: entry.created_at,
      entry_values,
    };
  }

  // -- notes and tasks -------------------------------------------------------------------------

  /** Creates a note on an existing record. */
  createNote(data: {
    parent_object: string;
    parent_record_id: string;
    title: string;
    format: 'plaintext' | 'markdown';
    content: string;
    created_at?: string | undefined;
  }): SandboxNote {
    const object = this.object(data.parent_object);
    this.record(object, data.parent_record_id);
    let created_at = now();
    if (data.created_at !== undefined) {
      const t = normalizeTimestamp(data.created_at);
      if (!t) throw fieldError(['data', 'created_at'], 'Invalid timestamp');
      created_at = t;
    }
    const note: SandboxNote = {
      note_id: randomUUID(),
      parent_object: object.api_slug,
      parent_record_id: data.parent_record_id,
      title: data.title,
      format: data.format,
      content: data.content,
      created_at,
    };
    this.notes.set(note.note_id, note);
    return note;
  }

  /** A note in Attio's answer shape. */
  noteJson(note: SandboxNote): Record<string, unknown> {
    const plaintext =
      note.format === 'markdown'
        ? note.content
            .replace(/^#{1,3}\s+/gm, '')
            .replace(/(\*\*|__|~~|==|`)/g, '')
            .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
        : note.content;
    return {
      id: { workspace_id: this.workspace_id, note_id: note.note_id },
      parent_object: note.parent_object,
      parent_record_id: note.parent_record_id,
      title: note.title,
      meeting_id: null,
      content_plaintext: plaintext,
      content_markdown: note.content,
      tags: [],
      created_by_actor: { type: 'api-token', id: this.tokenActorId },
      created_at: note.created_at,
    };
  }

  /** Creates a task: linked records and assignees must exist. */
  createTask(data: {
    content: string;
    deadline_at: string | null;
    is_completed: boolean;
    linked_records: Record<string, unknown>[];
    assignees: (
      | { referenced_actor_type: string; referenced_actor_id: string }
      | { workspace_member_email_address: string }
    )[];
  }): SandboxTask {
    let deadline: string | null = null;
    if (data.deadline_at !== null) {
      deadline = normalizeTimestamp(data.deadline_at) ?? null;
      if (!deadline) throw fieldError(['data', 'deadline_at'], 'Invalid timestamp');
    }
    const linked = data.linked_records.map((l, i) => {
      const ref = this.parseReference(l, ['data', 'linked_records', i], []);
      return {
        target_object_id: this.object(String(ref.target_object)).object_id,
        target_record_id: String(ref.target_record_id),
      };
    });
    const assignees = data.assignees.map((a) => ({
      referenced_actor_type: 'workspace-member',
      referenced_actor_id: ('workspace_member_email_address' in a
        ? this.memberByEmail(a.workspace_member_email_address)
        : this.memberById(a.referenced_actor_id)
      ).id,
    }));
    const task: SandboxTask = {
      task_id: randomUUID(),
      content: data.content,
      deadline_at: deadline,
      is_completed: data.is_completed,
      linked_records: linked,
      assignees,
      created_at: now(),
    };
    this.tasks.set(task.task_id, task);
    return task;
  }

  /** A task in Attio's answer shape. */
  taskJson(task: SandboxTask): Record<string, unknown> {
    return {
      id: { workspace_id: this.workspace_id, task_id: task.task_id },
      content_plaintext: task.content,
      deadline_at: task.deadline_at,
      is_completed: task.is_completed,
      linked_records: task.linked_records,
      assignees: task.assignees,
      created_by_actor: { type: 'api-token', id: this.tokenActorId },
      created_at: task.created_at,
    };
  }

  // -- configuration ---------------------------------------------------------------------------

  /** An object in Attio's answer shape. */
  objectJson(object: SandboxObject): Record<string, unknown> {
    return {
      id: { workspace_id: this.workspace_id, object_id: object.object_id },
      api_slug: object.api_slug,
      singular_noun: object.singular_noun,
      plural_noun: object.plural_noun,
      created_at: object.created_at,
    };
  }

  /** A list in Attio's answer shape. */
  listJson(list: SandboxList): Record<string, unknown> {
    return {
      id: { workspace_id: this.workspace_id, list_id: list.list_id },
      api_slug: list.api_slug,
      name: list.name,
      parent_object: [list.parent_object],
      workspace_access: 'full-access',
      workspace_member_access: [],
      created_by_actor: { type: 'workspace-member', id: this.members[0]?.id ?? null },
      created_at: list.created_at,
    };
  }

  /** An attribute in Attio's answer shape. */
  attributeJson(attribute: SandboxAttribute): Record<string, unknown> {
    const targets = attribute.targets.map((slug) => this.object(slug).object_id);
    return {
      id: {
        workspace_id: this.workspace_id,
        object_id: attribute.parent_id,
        attribute_id: attribute.attribute_id,
      },
      title: attribute.title,
      description: attribute.description,
      api_slug: attribute.api_slug,
      type: attribute.type,
      is_system_attribute: attribute.is_system_attribute,
      is_writable: attribute.is_writable,
      is_required: attribute.is_required,
      is_unique: attribute.is_unique,
      is_multiselect: attribute.is_multiselect,
      is_default_value_enabled: false,
      is_archived: attribute.is_archived,
      default_value: null,
      relationship: attribute.inverse
        ? {
            id: {
              workspace_id: this.workspace_id,
              object_id: this.object(attribute.inverse.object).object_id,
              attribute_id: this.findAttribute(
                this.object(attribute.inverse.object),
                attribute.inverse.attribute,
              )?.attribute_id,
            },
          }
        : null,
      created_at: attribute.created_at,
      config: {
        currency: {
          default_currency_code: attribute.type === 'currency' ? (attribute.currency_code ?? 'USD') : null,
          display_type: attribute.type === 'currency' ? 'symbol' : null,
        },
        record_reference: {
          allowed_object_ids:
            attribute.type === 'record-reference' ? (targets.length > 0 ? targets : null) : null,
        },
      },
    };
  }

  /** A workspace member in Attio's answer shape. */
  memberJson(member: SandboxMember): Record<string, unknown> {
    return {
      id: { workspace_id: this.workspace_id, workspace_member_id: member.id },
      first_name: member.first_name,
      last_name: member.last_name,
      avatar_url: null,
      email_address: member.email,
      created_at: member.created_at,
      access_level: 'admin',
    };
  }
}
