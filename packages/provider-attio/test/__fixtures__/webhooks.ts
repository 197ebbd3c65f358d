/**
 * Attio webhook events as Attio's webhook reference documents them (docs.attio.com,
 * "Webhook reference"; payload `{ webhook_id, events: [event] }`, one event per delivery).
 * Ids are the reference's example ids.
 */

const workspace_id = '14beef7a-99f7-4534-a87e-70b564330a4c';
const object_id = '97052eb9-e65e-443f-a297-f2d9a4a7f795';
const record_id = 'bf071e1f-6035-429d-b874-d83ea64ea13b';
const actor = { type: 'workspace-member', id: '50cf242c-7fa3-4cad-87d0-75b1af71c57b' };

/** One documented event per event type the plugin declares, keyed by Attio's event type. */
export const events: Record<string, Record<string, unknown>> = {
  'record.created': { event_type: 'record.created', id: { workspace_id, object_id, record_id }, actor },
  'record.updated': {
    event_type: 'record.updated',
    id: { workspace_id, object_id, record_id, attribute_id: '41252299-f8c7-4b5e-99c9-4ff8321d2f96' },
    actor,
  },
  'record.deleted': { event_type: 'record.deleted', id: { workspace_id, object_id, record_id }, actor },
  'list-entry.created': {
    event_type: 'list-entry.created',
    id: {
      workspace_id,
      list_id: '33ebdbe9-e529-47c9-b894-0ba25e9c15c0',
      entry_id: '2e6e29ea-c4e0-4f44-842d-78a891f8c156',
    },
    parent_object_id: object_id,
    parent_record_id: record_id,
    actor,
  },
  'note.created': {
    event_type: 'note.created',
    id: { workspace_id, note_id: 'ff3f3bd4-40f4-4f80-8187-cd02385af424' },
    parent_object_id: object_id,
    parent_record_id: record_id,
    actor,
  },
};
