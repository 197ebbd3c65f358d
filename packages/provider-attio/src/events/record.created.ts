import { defineEvent } from '@oxygen/core';
import { z } from 'zod';
import { webhookActor as actor } from '../shared.js';

/** The ids of a record event. */
export const recordEventId = z.looseObject({
  workspace_id: z.string(),
  object_id: z.string().describe('The object the record belongs to (an id; object.list maps it to a slug).'),
  record_id: z.string(),
});

/**
 * A record was created in Attio (webhook event `record.created`). The data is Attio's event:
 * ids and actor; read the record with `record.get` for its values.
 *
 * @example
 * ```json
 * { "event_type": "record.created",
 *   "id": { "workspace_id": "14beef7a-...", "object_id": "97052eb9-...", "record_id": "bf071e1f-..." },
 *   "actor": { "type": "workspace-member", "id": "50cf242c-..." } }
 * ```
 */
export const recordCreated = defineEvent({
  type: 'record.created',
  providerType: 'record.created',
  title: 'Record created',
  description: 'A person, company or other record was created in Attio.',
  data: z.looseObject({ event_type: z.literal('record.created'), id: recordEventId, actor }),
});
