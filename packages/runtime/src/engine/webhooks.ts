/**
 * From a provider's parsed webhook event to the normalised event workflows see: which declared
 * event it is, and `{ id, source, type, occurred_at, organization_id, connection_id, data }`
 * validated against that event's `data` schema. Verification and parsing are the plugin's
 * (`provider.webhooks`); this module adds nothing provider-specific.
 *
 * @module
 */

import {
  type EventDefinition,
  isoTime,
  type ParsedWebhookEvent,
  type ProviderDefinition,
  parseOrThrow,
  ValidationError,
} from '@oxygen/core';
import { newId } from '../store/ids.js';

/** An event as workflows and trigger targets receive it. */
export interface NormalizedEvent {
  /** Our id for the event (`evt_` + a time-sortable ULID). */
  id: string;
  /** The provider id (`hubspot`). */
  source: string;
  /** The declared event type (`contact.created`, `email.reply_received`). */
  type: string;
  /** When it happened on the provider's side, ISO 8601. */
  occurred_at: string;
  /** The organization whose connection received it. */
  organization_id: string;
  /** The connection the delivery was addressed to. */
  connection_id: string;
  /** The event's data, parsed by its declared schema. */
  data: Record<string, unknown>;
}

/**
 * The declared event a parsed delivery is, matched on the event's `payloadType ?? providerType ??
 * type`; undefined when the provider declares none by that name (the delivery is then ignored).
 *
 * @example
 * ```ts
 * matchEvent(instantly, { providerType: 'link_clicked', ... })?.type; // 'email.link_clicked'
 * ```
 */
export function matchEvent(
  provider: ProviderDefinition,
  parsed: Pick<ParsedWebhookEvent, 'providerType'>,
  // biome-ignore lint/suspicious/noExplicitAny: events have heterogeneous schemas
): EventDefinition<any> | undefined {
  return (provider.events ?? []).find(
    (e) => (e.payloadType ?? e.providerType ?? e.type) === parsed.providerType,
  );
}

/**
 * Normalises a parsed delivery for an organization and connection. The data is parsed by the
 * matching event's `data` schema (its output, so defaults and transforms apply).
 *
 * @throws ValidationError when no declared event matches, or the data does not match the event's
 * schema (naming the field).
 *
 * @example
 * ```ts
 * normalizeEvent(hubspot, parsed, { organizationId: 'default', connectionId: 'conn_01J...' });
 * // { id: 'evt_01J...', source: 'hubspot', type: 'contact.created', occurred_at: '2019-07-26T04:00:00.000Z',
 * //   organization_id: 'default', connection_id: 'conn_01J...', data: { object_id: '123', ... } }
 * ```
 */
export function normalizeEvent(
  provider: ProviderDefinition,
  parsed: ParsedWebhookEvent,
  target: { organizationId: string; connectionId: string },
): NormalizedEvent {
  const event = matchEvent(provider, parsed);
  if (!event) {
    const known = (provider.events ?? []).map((e) => e.payloadType ?? e.providerType ?? e.type);
    throw new ValidationError(
      `${provider.id} delivered a "${parsed.providerType}" event, which the plugin does not declare; known: ${known.join(', ') || 'none'}.`,
      { field: 'providerType' },
    );
  }
  const occurred = Date.parse(parsed.occurredAt);
  if (Number.isNaN(occurred)) {
    throw new ValidationError(
      `${provider.id} ${event.type} event ${parsed.providerEventId} has no valid occurredAt ("${parsed.occurredAt}").`,
      { field: 'occurredAt' },
    );
  }
  let data: Record<string, unknown>;
  try {
    data = parseOrThrow(event.data, parsed.data, `data of ${provider.id} ${event.type} event`);
  } catch (error) {
    if (!(error instanceof ValidationError)) throw error;
    throw new ValidationError(error.message, {
      field: error.field,
      data: error.data,
      hint: `The provider sent data the ${provider.id} plugin's ${event.type} schema does not accept; report it to the plugin author.`,
    });
  }
  return {
    id: newId('evt'),
    source: provider.id,
    type: event.type,
    occurred_at: isoTime(occurred),
    organization_id: target.organizationId,
    connection_id: target.connectionId,
    data,
  };
}
