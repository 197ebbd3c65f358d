/**
 * The HubSpot endpoints the sandbox serves. Each route names its method, path and (for writes)
 * the zod schema its body must match; the server does auth, body parsing and error bodies.
 *
 * @module
 */

import type { z } from 'zod';
import { HubSpotError, propertyIssuesMessage, validationError } from './errors.js';
import { batchUpsertBody, createBody, searchBody, updateBody } from './schemas.js';
import { search } from './search.js';
import type { ObjectStore, ObjectType, SandboxRecord } from './store.js';

/** What the routes read and change. */
export interface SandboxState {
  stores: Record<ObjectType, ObjectStore>;
  portalId: number;
  /** Status of a batch upsert whose every input failed: 207 (errors listed) or 400. */
  batchErrorStatus: 207 | 400;
}

/** A request as a route sees it. */
export interface RouteRequest {
  /** Path captures: the object type, then the record id where the path has one. */
  params: string[];
  query: URLSearchParams;
  body: unknown;
}

/** A route's answer. */
export interface RouteAnswer {
  status: number;
  body: unknown;
}

/** One endpoint. */
export interface Route {
  method: 'GET' | 'POST' | 'PATCH';
  pattern: RegExp;
  /** The body schema; a body that fails it is a 400 before `handle` runs. */
  body?: z.ZodType;
  handle: (req: RouteRequest, state: SandboxState) => RouteAnswer;
}

const OBJECT = '(contacts|companies)';

function store(req: RouteRequest, state: SandboxState): ObjectStore {
  return state.stores[req.params[0] as ObjectType];
}

/** `properties=a,b` and `properties=a&properties=b` both work, as in HubSpot. */
function requested(query: URLSearchParams): string[] | undefined {
  const names = query.getAll('properties').flatMap((v) => v.split(',').filter(Boolean));
  return names.length > 0 ? names : undefined;
}

function recordFor(req: RouteRequest, state: SandboxState): SandboxRecord {
  const id = decodeURIComponent(req.params[1] ?? '');
  if (req.query.get('archived') === 'true')
    throw new HubSpotError(404, 'OBJECT_NOT_FOUND', 'Object not found.');
  return store(req, state).get(id, req.query.get('idProperty') ?? undefined);
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
    try {
      const issues = objects.issues(properties);
      if (issues.length > 0) {
        errors.push(
          batchError(propertyIssuesMessage(issues), 'VALIDATION_ERROR', issues[0]?.name, issues[0]?.error),
        );
        continue;
      }
      const existing = objects.find(input.id, idProperty);
      if (!existing && idProperty === 'hs_object_id') {
        errors.push(batchError(`Object not found: ${input.id}`, 'OBJECT_NOT_FOUND'));
        continue;
      }
      const record = existing ? objects.update(existing, properties) : objects.create(properties);
      const trace = input.objectWriteTraceId ? { objectWriteTraceId: input.objectWriteTraceId } : {};
      results.push({ ...objects.view(record), new: !existing, ...trace });
    } catch (error) {
      if (!(error instanceof HubSpotError)) throw error;
      errors.push(
        batchError(error.message, error.category, error.extra.errors?.[0]?.in, error.extra.errors?.[0]?.code),
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
  field?: string,
  code?: string,
): Record<string, unknown> {
  const detail = { message, ...(field ? { in: field } : {}), ...(code ? { code } : {}) };
  return { status: 'error', category, message, context: {}, errors: [detail], links: {} };
}

/** Every endpoint the sandbox serves; any other method and path is a 404. */
export const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: /^\/account-info\/v3\/details$/,
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
    handle: (req, state) =>
      batchUpsert((req.body as z.infer<typeof batchUpsertBody>).inputs, state.stores.contacts, state),
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}/search$`),
    body: searchBody,
    handle: (req, state) => {
      const objects = store(req, state);
      const body = req.body as z.infer<typeof searchBody>;
      const page = search(objects.records.values(), body, objects.config.searchable);
      const names = body.properties?.length ? body.properties : objects.config.defaults;
      return {
        status: 200,
        body: {
          total: page.total,
          results: page.results.map((r) => objects.view(r, names)),
          ...(page.nextAfter
            ? { paging: { next: { after: page.nextAfter, link: `?after=${page.nextAfter}` } } }
            : {}),
        },
      };
    },
  },
  {
    method: 'POST',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}$`),
    body: createBody,
    handle: (req, state) => {
      const objects = store(req, state);
      const record = objects.create((req.body as z.infer<typeof createBody>).properties);
      return { status: 201, body: objects.view(record) };
    },
  },
  {
    method: 'GET',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}/([^/]+)$`),
    handle: (req, state) => {
      const objects = store(req, state);
      const names = requested(req.query) ?? objects.config.defaults;
      return { status: 200, body: objects.view(recordFor(req, state), names) };
    },
  },
  {
    method: 'PATCH',
    pattern: new RegExp(`^/crm/v3/objects/${OBJECT}/([^/]+)$`),
    body: updateBody,
    handle: (req, state) => {
      const objects = store(req, state);
      const record = objects.update(
        recordFor(req, state),
        (req.body as z.infer<typeof updateBody>).properties,
      );
      return { status: 200, body: objects.view(record) };
    },
  },
];
