import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { objectIdentifier, uuid } from '../shared.js';
import { parseWire, type WireNoteCreate, wireNoteResponse } from '../wire.js';

/**
 * Adds a note to a record (`POST /v2/notes`), in plain text or Markdown.
 *
 * @example
 * ```sh
 * oxygen integrations run attio note.create \
 *   --input '{"parent_object":"people","parent_record_id":"bf071e1f-6035-429d-b874-d83ea64ea13b","title":"Intro call","content":"Interested in the Pro plan."}' --json
 * ```
 */
export const noteCreate = defineAction({
  slug: 'note.create',
  title: 'Add a note to a record',
  description: 'Creates a note on an Attio record (person, company, deal, ...), in plain text or Markdown.',
  input: z.strictObject({
    parent_object: objectIdentifier.describe(
      'The object of the record the note is on (people, companies, ...).',
    ),
    parent_record_id: uuid.describe('The record the note is on.'),
    title: z.string().min(1).describe('The note title (plain text).'),
    content: z.string().describe('The note body; "\\n" for new lines.'),
    format: z.enum(['plaintext', 'markdown']).default('plaintext').describe('How content is written.'),
    created_at: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}T/, 'must be an ISO 8601 timestamp')
      .optional()
      .describe('Backdate the note (ISO 8601); default now.'),
  }),
  output: z.object({
    id: z.string().describe('The note id (note_id).'),
    parent_object: z.string(),
    parent_record_id: z.string(),
    title: z.string(),
    content_plaintext: z.string(),
    content_markdown: z.string().optional(),
    created_at: z.string(),
    raw: z.record(z.string(), z.unknown()).describe('The note exactly as Attio returned it.'),
  }),
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  idempotent: false,
  scopes: ['note:read-write', 'object_configuration:read', 'record_permission:read'],
  mirror: { recordId: (o) => o.id, label: 'attio_note_id' },
  run: async (input, ctx) => {
    const json: WireNoteCreate = {
      data: {
        parent_object: input.parent_object,
        parent_record_id: input.parent_record_id,
        title: input.title,
        format: input.format,
        content: input.content,
        ...(input.created_at !== undefined ? { created_at: input.created_at } : {}),
      },
    };
    const note = parseWire(
      wireNoteResponse,
      await ctx.http.post('v2/notes', { json }).json(),
      'the note',
    ).data;
    return {
      id: note.id.note_id,
      parent_object: note.parent_object,
      parent_record_id: note.parent_record_id,
      title: note.title,
      content_plaintext: note.content_plaintext,
      ...(note.content_markdown !== undefined ? { content_markdown: note.content_markdown } : {}),
      created_at: note.created_at,
      raw: note as Record<string, unknown>,
    };
  },
});
