import { defineEvent } from '@oxygen/core';
import { z } from 'zod';
import { webhookActor as actor } from '../shared.js';

/**
 * A record was added to a list in Attio (webhook event `list-entry.created`).
 *
 * @example
 * ```json
 * { "event_type": "list-entry.created",
 *   "id": { "workspace_id": "14beef7a-...", "list_id": "33ebdbe9-...", "entry_id": "2e6e29ea-..." },
 *   "parent_object_id": "97052eb9-...", "parent_record_id": "bf071e1f-...",
 *   "actor": { "type": "workspace-member", "id": "50cf242c-..." } }
 * ```
 */
export const listEntryCreated = defineEvent({
  type: 'list_entry.created',
  providerType: 'list-entry.created',
  title: 'List entry created',
  description: 'A record was added to an Attio list.',
  data: z.looseObject({
    event_type: z.literal('list-entry.created'),
    id: z.looseObject({ workspace_id: z.string(), list_id: z.string(), entry_id: z.string() }),
    parent_object_id: z.string().describe('The object of the record added.'),
    parent_record_id: z.string().describe('The record added.'),
    actor,
  }),
});
