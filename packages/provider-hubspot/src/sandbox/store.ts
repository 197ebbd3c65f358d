/**
 * The sandbox's in-memory CRM: one {@link ObjectStore} per object type, holding records the way
 * HubSpot does (string property values, system properties, unique contact emails) and checking
 * writes against the type's property definitions (unknown, read-only and invalid values refused).
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
import { DEFAULT_PIPELINE, type ObjectType, type PropertyDefinition } from './properties.js';

export type { ObjectType } from './properties.js';

/** A stored CRM record. Property values are strings; an unset property is absent. */
export interface SandboxRecord {
  id: string;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
  archived: boolean;
}

interface ObjectConfig {
  /** First id minus one. */
  idBase: number;
  /** Properties HubSpot returns when none are asked for. */
  defaults: string[];
  /** Properties whose values are unique, usable as `idProperty` (custom unique ones are added). */
  unique: string[];
  /** Properties a search `query` looks in. */
  searchable: string[];
  /** The property holding the creation time. */
  created: string;
  /** The property holding the last-modified time. */
  modified: string;
  /** Properties a create must set (HubSpot's notes guide: `hs_timestamp` is required). */
  required: string[];
  /** The singular name HubSpot uses in messages and association type names. */
  singular: string;
}

/** What the sandbox knows of each object type. */
export const OBJECTS: Record<ObjectType, ObjectConfig> = {
  contacts: {
    idBase: 100,
    defaults: ['createdate', 'email', 'firstname', 'hs_object_id', 'lastmodifieddate', 'lastname'],
    unique: ['hs_object_id', 'email'],
    searchable: ['firstname', 'lastname', 'email', 'phone', 'mobilephone', 'company'],
    created: 'createdate',
    modified: 'lastmodifieddate',
    required: [],
    singular: 'contact',
  },
  companies: {
    idBase: 500,
    defaults: ['createdate', 'domain', 'hs_lastmodifieddate', 'hs_object_id', 'name'],
    unique: ['hs_object_id'],
    searchable: ['name', 'domain', 'website', 'phone'],
    created: 'createdate',
    modified: 'hs_lastmodifieddate',
    required: [],
    singular: 'company',
  },
  deals: {
    idBase: 1000,
    defaults: [
      'amount',
      'closedate',
      'createdate',
      'dealname',
      'dealstage',
      'hs_lastmodifieddate',
      'hs_object_id',
      'pipeline',
    ],
    unique: ['hs_object_id'],
    searchable: ['dealname'],
    created: 'createdate',
    modified: 'hs_lastmodifieddate',
    required: [],
    singular: 'deal',
  },
  notes: {
    idBase: 2000,
    defaults: ['hs_createdate', 'hs_lastmodifieddate', 'hs_object_id'],
    unique: ['hs_object_id'],
    searchable: ['hs_note_body'],
    created: 'hs_createdate',
    modified: 'hs_lastmodifieddate',
    required: ['hs_timestamp'],
    singular: 'note',
  },
};

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
const NUMBER = /^-?\d+(\.\d+)?$/;

/** Options a store is built with. */
export interface StoreOptions {
  /** Emails the sandbox refuses as invalid (lower-cased). */
  rejectEmails: ReadonlySet<string>;
  /** Every property of the type: HubSpot's defaults the sandbox models, then custom ones. */
  properties: readonly PropertyDefinition[];
}

/** Records of one object type. */
export class ObjectStore {
  readonly records = new Map<string, SandboxRecord>();
  readonly config: ObjectConfig;
  /** Property definitions by name. */
  readonly definitions: ReadonlyMap<string, PropertyDefinition>;
  private readonly unique: string[];
  private nextId: number;
  private lastTime = 0;

  constructor(
    readonly type: ObjectType,
    private readonly options: StoreOptions,
  ) {
    this.config = OBJECTS[type];
    this.nextId = this.config.idBase;
    this.definitions = new Map(options.properties.map((p) => [p.name, p]));
    this.unique = [
      ...this.config.unique,
      ...options.properties.filter((p) => p.hasUniqueValue && !p.hubspotDefined).map((p) => p.name),
    ];
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
    if (!this.unique.includes(idProperty)) {
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
      const def = this.definitions.get(name);
      if (!def) {
        out.push({ name, error: 'PROPERTY_DOESNT_EXIST', message: `Property "${name}" does not exist` });
      } else if (def.readOnly) {
        out.push({
          name,
          error: 'READ_ONLY_VALUE',
          message: `"${name}" is a read only property; its value cannot be set.`,
        });
      } else if (value === '') {
        // '' clears a value of any type.
      } else if (name === 'email' && this.type === 'contacts' && !this.validEmail(value)) {
        out.push({ name, error: 'INVALID_EMAIL', message: `Email address ${value} is invalid` });
      } else if (def.type === 'number' && !NUMBER.test(value.trim())) {
        out.push({ name, error: 'INVALID_LONG', message: `${value} was not a valid long.` });
      } else if (def.enforceOptions && !def.options?.some((o) => o.value === value)) {
        out.push({
          name,
          error: 'INVALID_OPTION',
          message:
            name === 'dealstage'
              ? `${value} is not a valid pipeline stage ID. Valid options are: pipelineId=${DEFAULT_PIPELINE.id} : [${DEFAULT_PIPELINE.stages.map(([id]) => id).join(', ')}]`
              : `${value} was not one of the allowed options: [${(def.options ?? []).map((o) => o.label).join(', ')}]`,
        });
      }
    }
    return out;
  }

  /** Creates a record; 400 for invalid properties, 409 for a contact email already in use. */
  create(properties: Record<string, string>): SandboxRecord {
    const missing = this.config.required.filter((name) => !properties[name]);
    if (missing.length > 0) {
      // The notes guide marks hs_timestamp "Required"; HubSpot's exact wording is not documented.
      throw validationError(
        `Missing required properties for a ${this.config.singular}: ${missing.join(', ')}`,
        missing.map((name) => ({ message: `${name} is required`, in: `properties.${name}` })),
      );
    }
    const values =
      this.type === 'deals' && !properties.pipeline
        ? { ...properties, pipeline: DEFAULT_PIPELINE.id } // the deals guide: no pipeline = the default one
        : properties;
    this.check(values);
    const id = String(++this.nextId);
    const now = this.now();
    const record: SandboxRecord = { id, properties: {}, createdAt: now, updatedAt: now, archived: false };
    this.assign(record, {
      ...values,
      hs_object_id: id,
      [this.config.created]: now,
      [this.config.modified]: now,
    });
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
      const names = new Set([...requested, 'hs_object_id', this.config.created, this.config.modified]);
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
