import { defineEvent } from '@oxygen/core';
import { z } from 'zod';
import { webhookActor as actor } from '../shared.js';
import { recordEventId } from './record.created.js';

/**
 * An attribute of a record changed in Attio (webhook event `record.updated`, one event per
 * changed attribute). The data is Attio's event; read the record for the new values.
 *
 * @example
 * ```json
 * { "event_type": "record.updated",
 *   "id": { "workspace_id": "14beef7a-...", "object_id": "97052eb9-...", "record_id": "bf071e1f-...",
 *           "attribute_id": "41252299-..." },
 *   "actor": { "type": "api-token", "id": "..." } }
 * ```
 */
export const recordUpdated = defineEvent({
  type: 'record.updated',
  providerType: 'record.updated',
  title: 'Record updated',
  description: 'An attribute value of an Attio record changed.',
  data: z.looseObject({
    event_type: z.literal('record.updated'),
    id: recordEventId.extend({ attribute_id: z.string().describe('The attribute that changed.') }),
    actor,
  }),
});
