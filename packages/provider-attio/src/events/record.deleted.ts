import { defineEvent } from '@oxygen/core';
import { z } from 'zod';
import { webhookActor as actor } from '../shared.js';
import { recordEventId } from './record.created.js';

/**
 * A record was deleted in Attio (webhook event `record.deleted`). The record can no longer be
 * read; the data is Attio's event with its ids.
 *
 * @example
 * ```json
 * { "event_type": "record.deleted",
 *   "id": { "workspace_id": "14beef7a-...", "object_id": "97052eb9-...", "record_id": "bf071e1f-..." },
 *   "actor": { "type": "workspace-member", "id": "50cf242c-..." } }
 * ```
 */
export const recordDeleted = defineEvent({
  type: 'record.deleted',
  providerType: 'record.deleted',
  title: 'Record deleted',
  description: 'A person, company or other record was deleted in Attio.',
  data: z.looseObject({ event_type: z.literal('record.deleted'), id: recordEventId, actor }),
});
