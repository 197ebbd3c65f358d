/**
 * The HubSpot endpoints the sandbox serves. Each route names its method, path, the scopes a token
 * needs, and the zod schemas its query and body must match; the server does auth, scopes, parsing
 * and error bodies.
 *
 * Where each shape comes from (HubSpot's developer docs, developers.hubspot.com):
 * - `/account-info/v3/details`, `/crm/v3/objects/{contacts|companies}...`: the published OpenAPI
 *   files (`account-info-v3.json`, `crm-contacts-v3.json`, `crm-companies-v3.json`).
 * - `/crm/v3/objects/deals...` and `/crm/v3/objects/notes...`: the same generic CRM objects v3 API
 *   (docs/api-reference/latest/crm/objects/deals/guide and .../crm/activities/notes/guide): identical
 *   request and response shapes, deals' `pipeline`/`dealstage`, notes' required `hs_timestamp`.
 * - `/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}`
 *   (PUT, no body, answers `BatchResponsePublicDefaultAssociation`) and
 *   `/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}` (GET, answers
 *   `CollectionResponseMultiAssociatedObjectWithLabelForwardPaging`): the associations v4 guide
 *   and reference (docs/api-reference/latest/crm/associations/guide, "Associate records (default)",
 *   "List associations of an object by type").
 * - `/crm/v3/owners`: the owners v3 guide (docs/api-reference/latest/crm/owners/guide).
 * - `/crm/v3/properties/{objectType}`: the properties v3 reference ("Read all properties",
 *   docs/api-reference/latest/crm/properties/get-properties), answer `{ results: Property[] }`.
 *
 * @module
 */

import type { z } from 'zod';
import {
  type AssociationStore,
  associationType,
  defaultAssociationType,
  reverseType,
} from './associations.js';
import { HubSpotError, propertyIssuesMessage, unknownObjectType, validationError } from './errors.js';
import { ownerView, type SandboxOwner } from './owners.js';
import { type ObjectType, wireProperty } from './properties.js';
import {
  associationsListQuery,
  batchUpsertBody,
  createBody,
  ownersQuery,
  propertiesQuery,
  readQuery,
  searchBody,
  updateBody,
  updateQuery,
} from './schemas.js';
import { search } from './search.js';
import type { ObjectStore, SandboxRecord } from './store.js';

/** What the routes read and change. */
export interface SandboxState {
  stores: Record<ObjectType, ObjectStore>;
  associations: AssociationStore;
  owners: SandboxOwner[];
  portalId: number;
  /** Status of a batch upsert whose every input failed: 207 (errors listed) or 400. */
  batchErrorStatus: 207 | 400;
}

/** A request as a route sees it. */
export interface RouteRequest {
  /** Path captures, in order. */
  params: string[];
  /** The parsed query (repeated parameters joined with commas). */
  query: Record<string, string>;
  body: unknown;
}

/** A route's answer. */
export interface RouteAnswer {
  status: number;
  body: unknown;
}

/** One endpoint. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH' | 'PUT';
  pattern: RegExp;
  /** The query schema; anything it refuses is a 400. Default: no parameters. */
  query?: z.ZodType;
  /** The body schema; a body that fails it is a 400 before `handle` runs. */
  body?: z.ZodType;
  /**
   * The scopes that allow the call (any one of them), as HubSpot's reference lists them; an
   * OAuth token granted none of them gets a 403 `MISSING_SCOPES`.
   */
  scopes: (params: string[]) => string[];
  handle: (req: RouteRequest, state: SandboxState) => RouteAnswer;
}

const OBJECT = '(contacts|companies|deals|notes)';

/** v4 paths take an object type's name (plural or singular) or its id (`0-1`). */
const TYPE_ALIASES: Record<string, ObjectType> = {
  contacts: 'contacts',
  contact: 'contacts',
  '0-1': 'contacts',
  companies: 'companies',
  company: 'companies',
  '0-2': 'companies',
  deals: 'deals',
  deal: 'deals',
  '0-3': 'deals',
  notes: 'notes',
  note: 'notes',
  '0-46': 'notes',
};

function objectType(name: string | undefined): ObjectType {
  const type = TYPE_ALIASES[decodeURIComponent(name ?? '').toLowerCase()];
  if (!type) throw unknownObjectType(name ?? '');
  return type;
}

/** The scopes of an object type's records: notes are engagements, covered by the contacts scopes (notes guide). */
function objectScope(type: ObjectType, access: 'read' | 'write'): string {
  return `crm.objects.${type === 'notes' ? 'contacts' : type}.${access}`;
}

function store(req: RouteRequest, state: SandboxState): ObjectStore {
  return state.stores[req.params[0] as ObjectType];
}

/** `properties=a,b` and `properties=a&properties=b` both work, as in HubSpot. */
function list(value: string | undefined): string[] | undefined {
  const names = (value ?? '').split(',').filter(Boolean);
  return names.length > 0 ? names : undefined;
}

function recordFor(req: RouteRequest, state: SandboxState): SandboxRecord {
  const id = decodeURIComponent(req.params[1] ?? '');
  if (req.query.archived === 'true') throw new HubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.');
  return store(req, state).get(id, req.query.idProperty);
}

/** A 404 naming the record an association refers to. */
function missingRecord(type: ObjectType, id: string, state: SandboxState): HubSpotError {
  const singular = state.stores[type].config.singular;
  return new HubSpotError(404, 'OBJECT_NOT_FOUND', `No ${singular} with ID ${id} exists.`, {
    context: { id: [id], objectType: [type] },
  });
}

/** `associations` of a v3 read: for each asked type, the associated ids with their type names. */
function associationsOf(
  type: ObjectType,
  id: string,
  asked: string[] | undefined,
  state: SandboxState,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const name of asked ?? []) {
    const toType = TYPE_ALIASES[name.toLowerCase()];
    if (!toType) continue; // "If any of the specified associations do not exist, they will be ignored."
    const edges = state.associations.from(type, id, toType);
    if (edges.length > 0) out[name] = { results: edges.map((e) => ({ id: e.toId, type: e.type.name })) };
  }
  return Object.keys(out).length > 0 ? { associations: out } : {};
}

type CreateInput = z.infer<typeof createBody>;

/** Checks the associations of a create before anything is written; returns what to link. */
function createAssociations(type: ObjectType, body: CreateInput, state: SandboxState) {
  return (body.associations ?? []).flatMap((a) =>
    a.types.map((spec) => {
      const assoc =
        spec.associationCategory === 'HUBSPOT_DEFINED'
          ? associationType(type, spec.associationTypeId)
          : undefined;
      if (!assoc) {
        throw validationError(
          `${spec.associationCategory} association type ${spec.associationTypeId} is not valid from ${type}.`,
          [{ message: 'unknown association type', in: 'associations.types' }],
        );
      }
      if (!state.stores[assoc.to].find(a.to.id)) {
        throw validationError(
          `Associated ${state.stores[assoc.to].config.singular} ${a.to.id} does not exist.`,
          [{ message: `${assoc.to} ${a.to.id} does not exist`, in: 'associations.to.id' }],
        );
      }
      return { toId: a.to.id, assoc };
    }),
  );
}

type UpsertInput = z.infer<typeof batchUpsertBody>['inputs'][number];

/** Batch upsert: each input updates the record its id matches, or creates one. */
function batchUpsert(inputs: UpsertInput[], objects: ObjectStore, state: SandboxState): RouteAnswer {
  const keys = inputs.map((i) => `${i.idProperty ?? 'hs_object_id'}:${i.id.toLowerCase()}`);
  const duplicates = keys.filter((k, n) => keys.indexOf(k) !== n);
  if (duplicates.length > 0) {
    throw validationError(
      `Duplicate IDs found in batch input: [${duplicates.map((k) => k.split(':')[1]).join(', ')}]`,
    );
  }
  const startedAt = new Date().toISOString();
  const results: Record<string, unknown>[] = [];
  const errors: Record<string, unknown>[] = [];
  for (const input of inputs) {
    const idProperty = input.idProperty ?? 'hs_object_id';
    const properties =
      idProperty === 'hs_object_id' ? input.properties : { [idProperty]: input.id, ...input.properties };
    // Batch errors name the inputs they are about in `context.ids`, as HubSpot's batch answers do.
    const ids = [input.id];
    try {
      const issues = objects.issues(properties);
      if (issues.length > 0) {
        errors.push(
          batchError(
            propertyIssuesMessage(issues),
            'VALIDATION_ERROR',
            ids,
            issues[0]?.name,
            issues[0]?.error,
          ),
        );
        continue;
      }
      const existing = objects.find(input.id, idProperty);
      if (!existing && idProperty === 'hs_object_id') {
        errors.push(batchError(`Object not found: ${input.id}`, 'OBJECT_NOT_FOUND', ids));
        continue;
      }
      const record = existing ? objects.update(existing, properties) : objects.create(properties);
      const trace = input.objectWriteTraceId ? { objectWriteTraceId: input.objectWriteTraceId } : {};
      results.push({ ...objects.view(record), new: !existing, ...trace });
    } catch (error) {
      if (!(error instanceof HubSpotError)) throw error;
      errors.push(
        batchError(
          error.message,
          error.category,
          ids,
          error.extra.errors?.[0]?.in,
          error.extra.errors?.[0]?.code,
        ),
      );
    }
  }
  const done = { startedAt, completedAt: new Date().toISOString() };
  if (errors.length === 0) return { status: 200, body: { status: 'COMPLETE', results, ...done } };
  const first = errors[0] as { message: string; category: string; errors: { message: string }[] };
  if (results.length === 0 && state.batchErrorStatus === 400) {
    throw new HubSpotError(400, first.category, first.message, { errors: first.errors });
  }
  return { status: 207, body: { status: 'COMPLETE', results, numErrors: errors.length, errors, ...done } };
}

/** One failed input in a batch answer (`StandardError`). */
function batchError(
  message: string,
  category: string,
  ids: string[],
  field?: string,
  code?: string,
): Record<string, unknown> {
  const detail = { message, ...(field ? { in: field } : {}), ...(code ? { code } : {}) };
  return { status: 'error', category, message, context: { ids }, errors: [detail], links: {} };
}

/** Offset paging for list endpoints: the cursor is the index of the next item. */
function page<T>(items: T[], after: string | undefined, limit: number, path: string) {
  const start = Number(after ?? '0');
  const end = Math.min(start + limit, items.length);
  return {
    results: items.slice(start, end),
    ...(end < items.length ? { paging: { next: { after: String(end), link: `${path}?after=${end}` } } } : {}),
  };
}

/** Every endpoint the sandbox serves; any other method and path is a 404. */
export const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/account-info\/v3\/details$/,
    scopes: () => ['oauth'],
    handle: (_req, state) => ({
      status: 200,
      body: {
        portalId: state.portalId,
        accountType: 'STANDARD',
        timeZone: 'US/Eastern',
        companyCurrency: 'USD',
        additionalCurrencies: [],
        utcOffset: '-05:00',
        utcOffsetMilliseconds: -18_000_000,
        uiDomain: 'app.hubspot.com',
        dataHostingLocation: 'na1',
      },
    }),
  },
  {
    method: 'POST',
    pattern: /^\/crm\/v3\/objects\/contacts\/batch\/upsert$/,
    body: batchUpsertBody,
    scopes: () => [objectScope('contacts', 'write')],
    handle: (req, state) =>
      batchUpsert((req.body as z.infer<typeof batchUpsertBody>).inputs, state.stores.contacts, state),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}/search$`),
    body: searchBody,
    scopes: ([type]) => [objectScope(type as ObjectType, 'read')],
    handle: (req, state) => {
      const objects = store(req, state);
      const body = req.body as z.infer<typeof searchBody>;
      const found = search(objects.records.values(), body, objects.config.searchable);
      const names = body.properties?.length ? body.properties : objects.config.defaults;
      return {
        status: 200,
        body: {
          total: found.total,
          results: found.results.map((r) => objects.view(r, names)),
          ...(found.nextAfter
            ? { paging: { next: { after: found.nextAfter, link: `?after=${found.nextAfter}` } } }
            : {}),
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}$`),
    body: createBody,
    scopes: ([type]) => [objectScope(type as ObjectType, 'write')],
    handle: (req, state) => {
      const type = req.params[0] as ObjectType;
      const objects = store(req, state);
      const body = req.body as CreateInput;
      const links = createAssociations(type, body, state);
      const record = objects.create(body.properties);
      for (const link of links) state.associations.add(record.id, link.toId, link.assoc);
      return { status: 201, body: objects.view(record) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}/([^/]+)$`),
    query: readQuery,
    scopes: ([type]) => [objectScope(type as ObjectType, 'read')],
    handle: (req, state) => {
      const objects = store(req, state);
      const record = recordFor(req, state);
      const names = list(req.query.properties) ?? objects.config.defaults;
      const associations = associationsOf(objects.type, record.id, list(req.query.associations), state);
      return { status: 200, body: { ...objects.view(record, names), ...associations } };
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}/([^/]+)$`),
    query: updateQuery,
    body: updateBody,
    scopes: ([type]) => [objectScope(type as ObjectType, 'write')],
    handle: (req, state) => {
      const objects = store(req, state);
      const record = objects.update(
        recordFor(req, state),
        (req.body as z.infer<typeof updateBody>).properties,
      );
      return { status: 200, body: objects.view(record) };
    },
  },
  {
    method: 'PUT',
    pattern: /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/default\/([^/]+)\/([^/]+)$/,
    scopes: ([from]) => [objectScope(objectType(from), 'write')],
    handle: (req, state) => {
      const from = objectType(req.params[0]);
      const to = objectType(req.params[2]);
      const fromId = decodeURIComponent(req.params[1] ?? '');
      const toId = decodeURIComponent(req.params[3] ?? '');
      const type = defaultAssociationType(from, to);
      if (!type) {
        throw validationError(`There is no default association type from ${from} to ${to}.`, [
          { message: `no default ${from} to ${to} association`, in: 'toObjectType' },
        ]);
      }
      if (!state.stores[from].find(fromId)) throw missingRecord(from, fromId, state);
      if (!state.stores[to].find(toId)) throw missingRecord(to, toId, state);
      const startedAt = new Date().toISOString();
      state.associations.add(fromId, toId, type);
      const spec = (t: typeof type) => ({
        associationCategory: 'HUBSPOT_DEFINED',
        associationTypeId: t.typeId,
      });
      return {
        status: 200,
        body: {
          status: 'COMPLETE',
          results: [
            { from: { id: fromId }, to: { id: toId }, associationSpec: spec(type) },
            { from: { id: toId }, to: { id: fromId }, associationSpec: spec(reverseType(type)) },
          ],
          startedAt,
          completedAt: new Date().toISOString(),
        },
      };
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v4\/objects\/([^/]+)\/([^/]+)\/associations\/([^/]+)$/,
    query: associationsListQuery,
    scopes: ([from]) => [objectScope(objectType(from), 'read')],
    handle: (req, state) => {
      const from = objectType(req.params[0]);
      const to = objectType(req.params[2]);
      const id = decodeURIComponent(req.params[1] ?? '');
      if (!state.stores[from].find(id)) throw missingRecord(from, id, state);
      const byTarget = new Map<string, { category: string; typeId: number; label: string | null }[]>();
      for (const edge of state.associations.from(from, id, to)) {
        const types = byTarget.get(edge.toId) ?? [];
        types.push({ category: 'HUBSPOT_DEFINED', typeId: edge.type.typeId, label: edge.type.label ?? null });
        byTarget.set(edge.toId, types);
      }
      const items = [...byTarget.entries()]
        .sort(([a], [b]) => Number(a) - Number(b))
        .map(([toObjectId, associationTypes]) => ({ toObjectId: Number(toObjectId), associationTypes }));
      const path = `/crm/v4/objects/${req.params[0]}/${req.params[1]}/associations/${req.params[2]}`;
      return { status: 200, body: page(items, req.query.after, Number(req.query.limit ?? 500), path) };
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/owners\/?$/,
    query: ownersQuery,
    scopes: () => ['crm.objects.owners.read'],
    handle: (req, state) => {
      const archived = req.query.archived === 'true';
      const email = req.query.email?.toLowerCase();
      const owners = state.owners.filter(
        (o) => (o.archived ?? false) === archived && (email === undefined || o.email.toLowerCase() === email),
      );
      return {
        status: 200,
        body: page(owners.map(ownerView), req.query.after, Number(req.query.limit ?? 100), '/crm/v3/owners/'),
      };
    },
  },
  {
    method: 'GET',
    pattern: /^\/crm\/v3\/properties\/([^/]+)$/,
    query: propertiesQuery,
    scopes: ([type]) => {
      const t = objectType(type);
      return [t === 'notes' ? objectScope('notes', 'read') : `crm.schemas.${t}.read`];
    },
    handle: (req, state) => {
      const type = objectType(req.params[0]);
      // No property is ever archived in the sandbox, so `archived=true` lists none.
      const definitions = req.query.archived === 'true' ? [] : [...state.stores[type].definitions.values()];
      const wanted = list(req.query.properties);
      return {
        status: 200,
        body: {
          results: definitions
            .map((d, n) => wireProperty(d, n))
            .filter((p) => !wanted || wanted.includes(String(p.name))),
        },
      };
    },
  },
];
