/**
 * Row ↔ public record conversions and the small queries the events code shares.
 *
 * @module
 */

import type { Selectable } from 'kysely';
import type {
  EventDeliveriesTable,
  EventSubscriptionsTable,
  EventTriggersTable,
  Store,
} from '../store/types.js';
import type { DeliveryRecord, EventSubscriptionInfo, TriggerInfo } from './types.js';

/** The ingress URL of a subscription. */
export function ingressUrl(publicUrl: string, provider: string, endpoint: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/webhooks/${provider}/${endpoint}`;
}

/** A subscription row as the API shows it (no secret). */
export function subscriptionInfo(
  row: Selectable<EventSubscriptionsTable>,
  publicUrl: string | undefined,
): EventSubscriptionInfo {
  return {
    id: row.id,
    organization_id: row.organization_id,
    source: row.provider,
    event: row.event_type,
    connection_id: row.connection_id,
    provider_subscription_id: row.provider_subscription_id,
    url: ingressUrl(publicUrl ?? '', row.provider, row.endpoint),
    registration: row.provider_subscription_id ? 'registered' : 'manual',
    setup: row.setup ? (JSON.parse(row.setup) as string[]) : null,
    created_at: row.created_at,
  };
}

/** A trigger row as the API shows it (no secret). */
export function triggerInfo(row: Selectable<EventTriggersTable>): TriggerInfo {
  return {
    id: row.id,
    organization_id: row.organization_id,
    source: row.provider,
    event: row.event_type,
    url: row.url,
    created_at: row.created_at,
  };
}

/** A deliveries-log row as the API shows it. */
export function deliveryRecord(row: Selectable<EventDeliveriesTable>): DeliveryRecord {
  return {
    id: row.id,
    event_id: row.event_id,
    source: row.provider,
    event: row.event_type,
    provider_event_id: row.provider_event_id,
    status: row.status,
    reason: row.reason,
    detail: row.detail,
    trigger_id: row.trigger_id,
    url: row.url,
    attempts: Number(row.attempts),
    max_attempts: Number(row.max_attempts),
    status_code: row.status_code === null ? null : Number(row.status_code),
    duration_ms: row.duration_ms === null ? null : Number(row.duration_ms),
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at,
    replay_of: row.replay_of,
    created_at: row.created_at,
    updated_at: row.updated_at,
    delivered_at: row.delivered_at,
  };
}

/**
 * A new deliveries-log row with every optional column empty. One literal with every column in a
 * fixed order, not defaults spread under the fields: the ingress builds one per event, and rows of
 * one shape are cheaper to build and to serialize than objects of many.
 */
export function newDeliveryRow(
  fields: Pick<EventDeliveriesTable, 'id' | 'organization_id' | 'provider' | 'status' | 'created_at'> &
    Partial<EventDeliveriesTable>,
): EventDeliveriesTable {
  return {
    id: fields.id,
    organization_id: fields.organization_id,
    event_id: fields.event_id ?? null,
    provider: fields.provider,
    event_type: fields.event_type ?? null,
    provider_event_id: fields.provider_event_id ?? null,
    trigger_id: fields.trigger_id ?? null,
    url: fields.url ?? null,
    status: fields.status,
    reason: fields.reason ?? null,
    detail: fields.detail ?? null,
    attempts: fields.attempts ?? 0,
    max_attempts: fields.max_attempts ?? 0,
    status_code: fields.status_code ?? null,
    duration_ms: fields.duration_ms ?? null,
    last_error: fields.last_error ?? null,
    next_attempt_at: fields.next_attempt_at ?? null,
    locked_until: fields.locked_until ?? null,
    replay_of: fields.replay_of ?? null,
    created_at: fields.created_at,
    updated_at: fields.updated_at ?? fields.created_at,
    delivered_at: fields.delivered_at ?? null,
  };
}

/** The organization's triggers for one event. */
export function triggersFor(store: Store, organizationId: string, provider: string, eventType: string) {
  return store.db
    .selectFrom('event_triggers')
    .selectAll()
    .where('organization_id', '=', organizationId)
    .where('provider', '=', provider)
    .where('event_type', '=', eventType)
    .orderBy('id')
    .execute();
}
