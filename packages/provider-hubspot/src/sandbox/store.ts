/**
 * The sandbox's in-memory CRM: one {@link ObjectStore} per object type, holding records the way
 * HubSpot does (string property values, system properties, unique contact emails).
 *
 * @module
 */

import {
  HubSpotError,
  objectNotFound,
  type PropertyIssue,
  propertyValuesError,
  validationError,
} from './errors.js';

/** A stored CRM record. Property values are strings; an unset property is absent. */
export interface SandboxRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

/** The object types the sandbox serves. */
export type ObjectType = 'contacts' | 'companies';

interface ObjectConfig {
  /** First id minus one. */
  idBase: number;
  /** Properties HubSpot returns when none are asked for. */
  defaults: string[];
  /** Properties a caller may set (besides custom ones configured at start). */
  writable: string[];
  /** System properties: readable, never writable. */
  readOnly: string[];
  /** Properties whose values are unique, usable as `idProperty`. */
  unique: string[];
  /** Properties a search `query` looks in. */
  searchable: string[];
  /** The property holding the last-modified time. */
  modified: string;
}

const ADDRESS = ['address', 'city', 'state', 'zip', 'country'];

/** What the sandbox knows of each object type (a subset of HubSpot's default properties). */
export const OBJECTS: Record<ObjectType, ObjectConfig> = {
  contacts: {
    idBase: 100,
    defaults: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    writable: [
      'email',
      'firstname',
      'lastname',
      'phone',
      'mobilephone',
      'company',
      'jobtitle',
      'website',
      'lifecyclestage',
      'hs_lead_status',
      'hubspot_owner_id',
      ...ADDRESS,
    ],
    readOnly: ['hs_object_id', 'createdate', 'lastmodifieddate'],
    unique: ['hs_object_id', 'email'],
    searchable: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'],
    modified: 'lastmodifieddate',
  },
  companies: {
    idBase: 500,
    defaults: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    writable: [
      'name',
      'domain',
      'website',
      'phone',
      'industry',
      'description',
      'numberofemployees',
      'annualrevenue',
      'lifecyclestage',
      'hubspot_owner_id',
      ...ADDRESS,
    ],
    readOnly: ['hs_object_id', 'createdate', 'hs_lastmodifieddate'],
    unique: ['hs_object_id'],
    searchable: ['name', 'domain', 'website', 'phone'],
    modified: 'hs_lastmodifieddate',
  },
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** Options a store is built with. */
export interface StoreOptions {
  /** Emails the sandbox refuses as invalid (lower-cased). */
  rejectEmails: ReadonlySet<string>;
  /** Custom properties accepted besides the built-in ones. */
  customProperties: readonly string[];
}

/** Records of one object type. */
export class ObjectStore {
  readonly records = new Map<string, SandboxRecord>();
  readonly config: ObjectConfig;
  private nextId: number;
  private lastTime = 0;

  constructor(
    readonly type: ObjectType,
    private readonly options: StoreOptions,
  ) {
    this.config = OBJECTS[type];
    this.nextId = this.config.idBase;
  }

  /** Forgets every record and restarts ids. */
  reset(): void {
    this.records.clear();
    this.nextId = this.config.idBase;
  }

  /** The record with this id, or with this value of a unique `idProperty`; a 404 otherwise. */
  get(key: string, idProperty?: string): SandboxRecord {
    const found = this.find(key, idProperty);
    if (!found) throw objectNotFound(key);
    return found;
  }

  /** Like {@link get}, but `undefined` when nothing matches. */
  find(key: string, idProperty = 'hs_object_id'): SandboxRecord | undefined {
    if (!this.config.unique.includes(idProperty)) {
      throw validationError(`Property "${idProperty}" is not a unique identifier for ${this.type}.`, [
        { message: `${idProperty} is not a unique property`, in: 'idProperty' },
      ]);
    }
    if (idProperty === 'hs_object_id') {
      const record = this.records.get(key);
      return record && !record.archived ? record : undefined;
    }
    const wanted = key.toLowerCase();
    return [...this.records.values()].find(
      (r) => !r.archived && r.properties[idProperty]?.toLowerCase() === wanted,
    );
  }

  /** The reasons `properties` cannot be written, empty when they can. */
  issues(properties: Record<string, string>): PropertyIssue[] {
    const out: PropertyIssue[] = [];
    for (const [name, value] of Object.entries(properties)) {
      if (this.config.readOnly.includes(name)) {
        out.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
      } else if (!this.config.writable.includes(name) && !this.options.customProperties.includes(name)) {
        out.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      } else if (name === 'email' && value !== '' && !this.validEmail(value)) {
        out.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
      }
    }
    return out;
  }

  /** Creates a record; 400 for invalid properties, 409 for a contact email already in use. */
  create(properties: Record<string, string>): SandboxRecord {
    this.check(properties);
    const id = String(++this.nextId);
    const now = this.now();
    const record: SandboxRecord = { id, properties: {}, createdAt: now, updatedAt: now, archived: false };
    this.assign(record, { ...properties, hs_object_id: id, createdate: now, [this.config.modified]: now });
    this.records.set(id, record);
    return record;
  }

  /** Updates a record's properties (`''` clears one); same errors as {@link create}. */
  update(record: SandboxRecord, properties: Record<string, string>): SandboxRecord {
    this.check(properties, record.id);
    const now = this.now();
    record.updatedAt = now;
    this.assign(record, { ...properties, [this.config.modified]: now });
    return record;
  }

  /** The record as HubSpot answers it: all set properties, or `requested` ones (null when unset). */
  view(record: SandboxRecord, requested?: readonly string[]): Record<string, unknown> {
    let properties: Record<string, string | null> = { ...record.properties };
    if (requested) {
      const names = new Set([...requested, 'hs_object_id', 'createdate', this.config.modified]);
      properties = Object.fromEntries([...names].sort().map((n) => [n, record.properties[n] ?? null]));
    }
    return {
      id: record.id,
      properties,
      createdAt: record.createdAt,
      updatedAt: record.updatedAt,
      archived: record.archived,
    };
  }

  private check(properties: Record<string, string>, selfId?: string): void {
    const issues = this.issues(properties);
    if (issues.length > 0) throw propertyValuesError(issues);
    const email = properties.email;
    if (this.type === 'contacts' && email) {
      const existing = this.find(email, 'email');
      if (existing && existing.id !== selfId) {
        throw new HubSpotError(409, 'CONFLICT', `Contact already exists. Existing ID: ${existing.id}`);
      }
    }
  }

  private assign(record: SandboxRecord, properties: Record<string, string>): void {
    for (const [name, value] of Object.entries(properties)) {
      if (value === '') delete record.properties[name];
      else
        record.properties[name] = name === 'email' || name === 'domain' ? value.trim().toLowerCase() : value;
    }
  }

  private validEmail(value: string): boolean {
    return EMAIL.test(value) && !this.options.rejectEmails.has(value.trim().toLowerCase());
  }

  /** ISO time, strictly increasing so an update is always later than the create. */
  private now(): string {
    this.lastTime = Math.max(Date.now(), this.lastTime + 1);
    return new Date(this.lastTime).toISOString();
  }
}
