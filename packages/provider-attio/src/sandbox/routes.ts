/**
 * The Attio endpoints the sandbox serves. Each route names its method, path, the query string and
 * body it accepts (zod schemas from `schemas.ts`); the server does auth, parsing, validation and
 * error bodies.
 *
 * @module
 */

import type { z } from 'zod';
import { notFound } from './errors.js';
import { queryRecords, type Sort } from './filter.js';
import {
  assertQuery,
  attributeListQuery,
  entryWriteBody,
  noQuery,
  noteCreateBody,
  noteListQuery,
  recordQueryBody,
  recordWriteBody,
  taskCreateBody,
  taskListQuery,
  webhookCreateBody,
  webhookListQuery,
  webhookUpdateBody,
} from './schemas.js';
import type { Workspace } from './store.js';

/** What the self endpoint reports about the token that called it. */
export interface TokenInfo {
  token: string;
  scope: string;
  client_id: string;
  issued_at: number;
}

/** A request as a route sees it. */
export interface RouteRequest {
  /** Path captures, in order (a route only reads the ones its pattern has). */
  params: [string, string, string];
  // biome-ignore lint/suspicious/noExplicitAny: each route's own schema types it
  query: any;
  // biome-ignore lint/suspicious/noExplicitAny: each route's own schema types it
  body: any;
  token: TokenInfo;
}

/** One endpoint. */
export interface Route {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  pattern: RegExp;
  query: z.ZodType;
  body?: z.ZodType;
  /** Counted against the write limit (25/s) rather than the read limit (100/s). */
  write: boolean;
  handle: (req: RouteRequest, workspace: Workspace) => { status: number; body: unknown };
}

const SEGMENT = '([^/]+)';
const ok = (body: unknown) => ({ status: 200, body });
const page = <T>(items: T[], query: { limit?: number; offset?: number }) =>
  items.slice(query.offset ?? 0, (query.offset ?? 0) + (query.limit ?? items.length));
const p = (path: string) => new RegExp(`^${path.replace(/\{\w+\}/g, SEGMENT)}$`);

/** Every route, matched in order. */
export const ROUTES: Route[] = [
  {
    method: 'GET',
    pattern: p('/v2/self'),
    query: noQuery,
    write: false,
    handle: ({ token }, ws) =>
      ok({
        active: true,
        scope: token.scope,
        client_id: token.client_id,
        token_type: 'Bearer',
        exp: null,
        iat: token.issued_at,
        sub: ws.workspace_id,
        aud: token.client_id,
        iss: 'attio.com',
        authorized_by_workspace_member_id: ws.members[0]?.id,
        workspace_id: ws.workspace_id,
        workspace_name: ws.name,
        workspace_slug: ws.slug,
        workspace_logo_url: null,
      }),
  },
  {
    method: 'GET',
    pattern: p('/v2/objects'),
    query: noQuery,
    write: false,
    handle: (_req, ws) => ok({ data: [...ws.objects.values()].map((o) => ws.objectJson(o)) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/objects/{object}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => ok({ data: ws.objectJson(ws.object(params[0])) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/(objects|lists)/{identifier}/attributes'),
    query: attributeListQuery,
    write: false,
    handle: ({ params, query }, ws) => {
      const parent = params[0] === 'objects' ? ws.object(params[1]) : ws.list(params[1]);
      const attributes = parent.attributes.filter((a) => query.show_archived || !a.is_archived);
      return ok({ data: page(attributes, query).map((a) => ws.attributeJson(a)) });
    },
  },
  {
    method: 'POST',
    pattern: p('/v2/objects/{object}/records/query'),
    query: noQuery,
    body: recordQueryBody,
    write: false,
    handle: ({ params, body }, ws) =>
      ok({ data: queryRecords(ws, params[0], body as { sorts?: Sort[] }).map((r) => ws.recordJson(r)) }),
  },
  {
    method: 'POST',
    pattern: p('/v2/objects/{object}/records'),
    query: noQuery,
    body: recordWriteBody,
    write: true,
    handle: ({ params, body }, ws) =>
      ok({ data: ws.recordJson(ws.createRecord(params[0], body.data.values)) }),
  },
  {
    method: 'PUT',
    pattern: p('/v2/objects/{object}/records'),
    query: assertQuery,
    body: recordWriteBody,
    write: true,
    handle: ({ params, query, body }, ws) =>
      ok({ data: ws.recordJson(ws.assertRecord(params[0], query.matching_attribute, body.data.values)) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/objects/{object}/records/{record_id}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => ok({ data: ws.recordJson(ws.record(ws.object(params[0]), params[1])) }),
  },
  {
    method: 'PATCH',
    pattern: p('/v2/objects/{object}/records/{record_id}'),
    query: noQuery,
    body: recordWriteBody,
    write: true,
    handle: ({ params, body }, ws) =>
      ok({ data: ws.recordJson(ws.updateRecord(params[0], params[1], body.data.values, 'append')) }),
  },
  {
    method: 'PUT',
    pattern: p('/v2/objects/{object}/records/{record_id}'),
    query: noQuery,
    body: recordWriteBody,
    write: true,
    handle: ({ params, body }, ws) =>
      ok({ data: ws.recordJson(ws.updateRecord(params[0], params[1], body.data.values, 'replace')) }),
  },
  {
    method: 'DELETE',
    pattern: p('/v2/objects/{object}/records/{record_id}'),
    query: noQuery,
    write: true,
    handle: ({ params }, ws) => {
      ws.deleteRecord(params[0], params[1]);
      return ok({});
    },
  },
  {
    method: 'GET',
    pattern: p('/v2/lists'),
    query: noQuery,
    write: false,
    handle: (_req, ws) => ok({ data: [...ws.lists.values()].map((l) => ws.listJson(l)) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/lists/{list}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => ok({ data: ws.listJson(ws.list(params[0])) }),
  },
  {
    method: 'POST',
    pattern: p('/v2/lists/{list}/entries'),
    query: noQuery,
    body: entryWriteBody,
    write: true,
    handle: ({ params, body }, ws) =>
      ok({ data: ws.entryJson(ws.writeEntry(params[0], body.data, 'create')) }),
  },
  {
    method: 'PUT',
    pattern: p('/v2/lists/{list}/entries'),
    query: noQuery,
    body: entryWriteBody,
    write: true,
    handle: ({ params, body }, ws) =>
      ok({ data: ws.entryJson(ws.writeEntry(params[0], body.data, 'assert')) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/lists/{list}/entries/{entry_id}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => {
      const list = ws.list(params[0]);
      const entry = ws.entries.get(params[1]);
      if (!entry || entry.list !== list.api_slug)
        throw notFound(`List entry with ID "${params[1]}" not found.`);
      return ok({ data: ws.entryJson(entry) });
    },
  },
  {
    method: 'GET',
    pattern: p('/v2/workspace_members'),
    query: noQuery,
    write: false,
    handle: (_req, ws) => ok({ data: ws.members.map((m) => ws.memberJson(m)) }),
  },
  {
    method: 'POST',
    pattern: p('/v2/notes'),
    query: noQuery,
    body: noteCreateBody,
    write: true,
    handle: ({ body }, ws) => ok({ data: ws.noteJson(ws.createNote(body.data)) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/notes'),
    query: noteListQuery,
    write: false,
    handle: ({ query }, ws) => {
      const parent = query.parent_object ? ws.object(query.parent_object).api_slug : undefined;
      const notes = [...ws.notes.values()].filter(
        (n) =>
          (!parent || n.parent_object === parent) &&
          (!query.parent_record_id || n.parent_record_id === query.parent_record_id),
      );
      return ok({
        data: page(notes, { limit: query.limit ?? 10, offset: query.offset }).map((n) => ws.noteJson(n)),
      });
    },
  },
  {
    method: 'GET',
    pattern: p('/v2/notes/{note_id}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => {
      const note = ws.notes.get(params[0]);
      if (!note) throw notFound(`Note with ID "${params[0]}" was not found.`);
      return ok({ data: ws.noteJson(note) });
    },
  },
  {
    method: 'POST',
    pattern: p('/v2/tasks'),
    query: noQuery,
    body: taskCreateBody,
    write: true,
    handle: ({ body }, ws) => ok({ data: ws.taskJson(ws.createTask(body.data)) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/tasks'),
    query: taskListQuery,
    write: false,
    handle: ({ query }, ws) => {
      let tasks = [...ws.tasks.values()].filter(
        (t) =>
          (query.is_completed === undefined || t.is_completed === query.is_completed) &&
          (!query.linked_record_id ||
            t.linked_records.some((l) => l.target_record_id === query.linked_record_id)),
      );
      if (query.sort === 'created_at:desc') tasks = tasks.reverse();
      return ok({
        data: page(tasks, { limit: query.limit ?? 500, offset: query.offset }).map((t) => ws.taskJson(t)),
      });
    },
  },
  {
    method: 'GET',
    pattern: p('/v2/tasks/{task_id}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => {
      const task = ws.tasks.get(params[0]);
      if (!task) throw notFound(`Could not find Task with ID "${params[0]}".`);
      return ok({ data: ws.taskJson(task) });
    },
  },
  {
    method: 'POST',
    pattern: p('/v2/webhooks'),
    query: noQuery,
    body: webhookCreateBody,
    write: true,
    handle: ({ body }, ws) => ok({ data: ws.webhooks.json(ws.webhooks.create(body.data), true) }),
  },
  {
    method: 'GET',
    pattern: p('/v2/webhooks'),
    query: webhookListQuery,
    write: false,
    handle: ({ query }, ws) =>
      ok({
        data: page([...ws.webhooks.byId.values()], { limit: query.limit ?? 10, offset: query.offset }).map(
          (w) => ws.webhooks.json(w),
        ),
      }),
  },
  {
    method: 'GET',
    pattern: p('/v2/webhooks/{webhook_id}'),
    query: noQuery,
    write: false,
    handle: ({ params }, ws) => ok({ data: ws.webhooks.json(ws.webhooks.get(params[0])) }),
  },
  {
    method: 'PATCH',
    pattern: p('/v2/webhooks/{webhook_id}'),
    query: noQuery,
    body: webhookUpdateBody,
    write: true,
    handle: ({ params, body }, ws) =>
      ok({ data: ws.webhooks.json(ws.webhooks.update(params[0], body.data)) }),
  },
  {
    method: 'DELETE',
    pattern: p('/v2/webhooks/{webhook_id}'),
    query: noQuery,
    write: true,
    handle: ({ params }, ws) => {
      ws.webhooks.delete(params[0]);
      return ok({});
    },
  },
];
