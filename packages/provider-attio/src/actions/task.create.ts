import { defineAction, ValidationError } from '@oxygen/core';
import { z } from 'zod';
import { buildReferences } from '../values.js';
import { parseWire, type WireTaskCreate, wireTaskResponse } from '../wire.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Creates a task (`POST /v2/tasks`), optionally linked to records and assigned to workspace
 * members.
 *
 * @example
 * ```sh
 * oxygen integrations run attio task.create \
 *   --input '{"content":"Send the proposal","deadline_at":"2026-12-01T09:00:00Z","linked_records":[{"object":"people","email_addresses":"ada@example.com"}],"assignees":["owner@example.com"]}' --json
 * ```
 */
export const taskCreate = defineAction({
  slug: 'task.create',
  title: 'Create a task',
  description:
    'Creates an Attio task, optionally with a deadline, linked to records (by id or by a unique attribute such as email or domain) and assigned to workspace members (by email or id).',
  input: z.strictObject({
    content: z.string().min(1).max(2000).describe('What the task is (plain text, at most 2000 characters).'),
    deadline_at: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}/, 'must be an ISO 8601 date or timestamp')
      .nullable()
      .default(null)
      .describe('Deadline (ISO 8601), or null for none.'),
    is_completed: z.boolean().default(false),
    linked_records: z
      .array(z.record(z.string(), z.unknown()))
      .default([])
      .describe(
        'Records the task is about: {"object":"people","record_id":"<uuid>"} or {"object":"companies","domains":"acme.com"} or {"object":"people","email_addresses":"ada@example.com"}.',
      ),
    assignees: z
      .array(z.string().trim().min(1))
      .default([])
      .describe('Workspace members to assign, by email address or workspace member id.'),
  }),
  output: z.object({
    id: z.string().describe('The task id (task_id).'),
    content: z.string(),
    deadline_at: z.string().nullable(),
    is_completed: z.boolean(),
    linked_records: z.array(z.object({ object_id: z.string(), record_id: z.string() })),
    assignees: z.array(z.object({ type: z.string(), id: z.string().nullable() })),
    created_at: z.string(),
    raw: z.record(z.string(), z.unknown()).describe('The task exactly as Attio returned it.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: false,
  scopes: ['task:read-write', 'object_configuration:read', 'record_permission:read', 'user_management:read'],
  mirror: { recordId: (o) => o.id, label: 'attio_task_id' },
  run: async (input, ctx) => {
    const assignees = input.assignees.map((a, i) => {
      if (UUID.test(a)) return { referenced_actor_type: 'workspace-member', referenced_actor_id: a };
      if (a.includes('@')) return { workspace_member_email_address: a };
      throw new ValidationError(
        `Invalid input: "assignees.${i}" must be a workspace member email or id, got "${a}".`,
        {
          field: `assignees.${i}`,
        },
      );
    });
    const json: WireTaskCreate = {
      data: {
        content: input.content,
        format: 'plaintext',
        deadline_at: input.deadline_at,
        is_completed: input.is_completed,
        linked_records: buildReferences(input.linked_records, 'linked_records'),
        assignees,
      },
    };
    const task = parseWire(
      wireTaskResponse,
      await ctx.http.post('v2/tasks', { json }).json(),
      'the task',
    ).data;
    return {
      id: task.id.task_id,
      content: task.content_plaintext,
      deadline_at: task.deadline_at,
      is_completed: task.is_completed,
      linked_records: task.linked_records.map((l) => ({
        object_id: l.target_object_id,
        record_id: l.target_record_id,
      })),
      assignees: task.assignees.map((a) => ({ type: a.referenced_actor_type, id: a.referenced_actor_id })),
      created_at: task.created_at,
      raw: task as Record<string, unknown>,
    };
  },
});
