import { defineEvent } from '@oxygen/core';
import { z } from 'zod';
import { webhookActor as actor } from '../shared.js';

/**
 * A note was added to a record in Attio (webhook event `note.created`).
 *
 * @example
 * ```json
 * { "event_type": "note.created",
 *   "id": { "workspace_id": "14beef7a-...", "note_id": "ff3f3bd4-..." },
 *   "parent_object_id": "97052eb9-...", "parent_record_id": "bf071e1f-...",
 *   "actor": { "type": "workspace-member", "id": "50cf242c-..." } }
 * ```
 */
export const noteCreated = defineEvent({
  type: 'note.created',
  providerType: 'note.created',
  title: 'Note created',
  description: 'A note was added to an Attio record.',
  data: z.looseObject({
    event_type: z.literal('note.created'),
    id: z.looseObject({ workspace_id: z.string(), note_id: z.string() }),
    parent_object_id: z.string().describe('The object of the record the note is on.'),
    parent_record_id: z.string().describe('The record the note is on.'),
    actor,
  }),
});
