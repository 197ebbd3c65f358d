/**
 * The webhook ingress: one provider delivery (an HTTP request to `/webhooks/<provider>/<endpoint>`)
 * is verified exactly as the provider documents, parsed, de-duplicated by the provider's event id,
 * normalized, stored, and its trigger deliveries queued, all in one transaction, before the
 * provider gets its 2xx. What could not be accepted is still written to the deliveries log with
 * the reason (`rejected`, `ignored`, `duplicate`).
 *
 * @module
 */

import {
  envName,
  NotFoundError,
  type ProviderDefinition,
  type WebhookRequest,
  type WebhookVerifyOptions,
} from '@oxygen/core';
import { platformOAuthClient } from '../auth/endpoints.js';
import type { OAuthCredential } from '../auth/token.js';
import { matchEvent, type NormalizedEvent, normalizeEvent } from '../engine/webhooks.js';
import { newId } from '../store/ids.js';
import type { EventDeliveriesTable, StoredConnection } from '../store/types.js';
import { eventSecretAad } from '../vault/rotate.js';
import { queueDeliveries } from './deliver.js';
import type { EventsHost } from './host.js';
import { newDeliveryRow, triggersFor } from './records.js';
import type { IngressOutcome } from './types.js';

/** Where a delivery goes once its endpoint is known: the organization, connection and secret. */
interface Endpoint {
  organizationId: string;
  connectionId: string;
  /** The secret to verify with, or why there is none. */
  secret: { ok: true; value: string } | { ok: false; detail: string };
}

async function findEndpoint(
  host: EventsHost,
  provider: ProviderDefinition,
  endpoint: string,
): Promise<Endpoint | undefined> {
  const webhooks = provider.webhooks!;
  if (webhooks.secretSource === 'subscription') {
    const sub = await host.store.db
      .selectFrom('event_subscriptions')
      .selectAll()
      .where('id', '=', endpoint)
      .where('provider', '=', provider.id)
      .executeTakeFirst();
    if (!sub) return undefined;
    if (!sub.secret) {
      return {
        organizationId: sub.organization_id,
        connectionId: sub.connection_id,
        secret: { ok: false, detail: `subscription ${sub.id} has no secret; disable and enable it again` },
      };
    }
    return {
      organizationId: sub.organization_id,
      connectionId: sub.connection_id,
      secret: {
        ok: true,
        value: host.openSecret(sub.secret, eventSecretAad('event_subscription', sub.organization_id, sub.id)),
      },
    };
  }
  // Signed with the OAuth app's client secret: the endpoint is the connection (one target URL per
  // app, every event type of the account).
  const row = (await host.store.db
    .selectFrom('connections')
    .selectAll()
    .where('id', '=', endpoint)
    .where('provider', '=', provider.id)
    .executeTakeFirst()) as unknown as (StoredConnection & { scopes: unknown }) | undefined;
  if (!row) return undefined;
  return {
    organizationId: row.organization_id,
    connectionId: row.id,
    secret: appSecret(host, provider, row),
  };
}

function appSecret(
  host: EventsHost,
  provider: ProviderDefinition,
  row: StoredConnection,
): Endpoint['secret'] {
  if (row.credential) {
    try {
      const credential = host.open({ ...row, scopes: [] }) as OAuthCredential;
      if (credential.type === 'oauth2' && credential.client?.client_secret) {
        return { ok: true, value: credential.client.client_secret };
      }
    } catch {
      // fall through to the platform app
    }
  }
  try {
    return { ok: true, value: platformOAuthClient(provider, host.env).clientSecret };
  } catch {
    return {
      ok: false,
      detail: `no OAuth app client secret to verify with: set OXYGEN_${envName(provider.id)}_CLIENT_SECRET (the app whose webhooks these are)`,
    };
  }
}

/**
 * Receives one provider delivery.
 *
 * @throws NotFoundError when the provider has no webhook support or the endpoint is unknown
 * (nothing is stored: there is no organization to attribute it to).
 */
export async function receiveWebhook(
  host: EventsHost,
  providerId: string,
  endpointId: string,
  request: WebhookRequest,
  options: WebhookVerifyOptions = {},
): Promise<IngressOutcome> {
  const provider = await host.getProvider(providerId).catch(() => undefined);
  const unknown = () =>
    new NotFoundError(`No webhook endpoint ${providerId}/${endpointId}.`, {
      hint: 'Deliveries go to the URL `oxygen integrations events list` shows for an enabled event.',
    });
  if (!provider?.webhooks) throw unknown();
  const endpoint = await findEndpoint(host, provider, endpointId);
  if (!endpoint) throw unknown();
  const orgId = endpoint.organizationId;
  const at = new Date().toISOString();
  const outcome: IngressOutcome = {
    status: 200,
    organization_id: orgId,
    accepted: 0,
    duplicate: 0,
    ignored: 0,
    rejected: 0,
    reason: null,
    detail: null,
    deliveries: [],
  };
  const log = (fields: Partial<EventDeliveriesTable> & Pick<EventDeliveriesTable, 'status'>) => {
    const id = newId('dlv');
    outcome.deliveries.push(id);
    return newDeliveryRow({ id, organization_id: orgId, provider: provider.id, created_at: at, ...fields });
  };
  const refuse = async (status: 400 | 401, reason: string, detail: string) => {
    await host.store.db
      .insertInto('event_deliveries')
      .values(log({ status: 'rejected', reason, detail }))
      .execute();
    return { ...outcome, status, rejected: 1, reason, detail };
  };

  if (!endpoint.secret.ok) return refuse(401, 'no_secret', endpoint.secret.detail);
  const verdict = provider.webhooks.verify(request, endpoint.secret.value, options);
  if (!verdict.ok) return refuse(verdict.reason === 'malformed' ? 400 : 401, verdict.reason, verdict.detail);
  let parsed: ReturnType<typeof provider.webhooks.parse>;
  try {
    parsed = provider.webhooks.parse(request);
  } catch (error) {
    return refuse(400, 'malformed', error instanceof Error ? error.message : String(error));
  }

  const enabled = new Set(
    (
      await host.store.db
        .selectFrom('event_subscriptions')
        .select('event_type')
        .where('organization_id', '=', orgId)
        .where('provider', '=', provider.id)
        .execute()
    ).map((r) => r.event_type),
  );
  const accepted: NormalizedEvent[] = [];
  await host.store.transaction(async (trx) => {
    for (const item of parsed) {
      const declared = matchEvent(provider, item);
      const base = {
        provider_event_id: item.providerEventId,
        event_type: declared?.type ?? item.providerType,
      };
      let normalized: NormalizedEvent | undefined;
      let invalid: string | undefined;
      if (declared) {
        try {
          normalized = normalizeEvent(provider, item, {
            organizationId: orgId,
            connectionId: endpoint.connectionId,
          });
        } catch (error) {
          invalid = error instanceof Error ? error.message : String(error);
        }
      }
      if (invalid !== undefined) {
        outcome.rejected++;
        await trx.db
          .insertInto('event_deliveries')
          .values(log({ ...base, status: 'rejected', reason: 'invalid_data', detail: invalid }))
          .execute();
        continue;
      }
      // Store the event (undeclared ones too, so a retry of it is still recognised as one).
      const eventId = normalized?.id ?? newId('evt');
      const inserted = await trx.db
        .insertInto('events')
        .values({
          id: eventId,
          organization_id: orgId,
          connection_id: endpoint.connectionId,
          provider: provider.id,
          event_type: base.event_type,
          provider_event_id: item.providerEventId,
          occurred_at: normalized?.occurred_at ?? at,
          received_at: at,
          payload: JSON.stringify(normalized ?? { provider_type: item.providerType, data: item.data }),
        })
        .onConflict((oc) => oc.columns(['organization_id', 'provider', 'provider_event_id']).doNothing())
        .returning('id')
        .executeTakeFirst();
      if (!inserted) {
        const first = await trx.db
          .selectFrom('events')
          .select(['id', 'received_at'])
          .where('organization_id', '=', orgId)
          .where('provider', '=', provider.id)
          .where('provider_event_id', '=', item.providerEventId)
          .executeTakeFirst();
        outcome.duplicate++;
        await trx.db
          .insertInto('event_deliveries')
          .values(
            log({
              ...base,
              event_id: first?.id ?? null,
              status: 'duplicate',
              reason: 'duplicate',
              detail: `${provider.name} sent event ${item.providerEventId} again; first received ${first?.received_at ?? 'earlier'} as ${first?.id ?? 'an event'}, delivered from there.`,
            }),
          )
          .execute();
        continue;
      }
      if (!declared || !normalized) {
        outcome.ignored++;
        await trx.db
          .insertInto('event_deliveries')
          .values(
            log({
              ...base,
              event_id: eventId,
              status: 'ignored',
              reason: 'undeclared_event',
              detail: `${provider.name} sent a "${item.providerType}" event, which the ${provider.id} plugin does not declare.`,
            }),
          )
          .execute();
        continue;
      }
      const event = { id: eventId, organization_id: orgId, provider: provider.id, ...base };
      if (!enabled.has(declared.type)) {
        outcome.ignored++;
        await trx.db
          .insertInto('event_deliveries')
          .values(
            log({
              ...base,
              event_id: eventId,
              status: 'ignored',
              reason: 'not_enabled',
              detail: `${provider.id} ${declared.type} is not enabled for organization ${orgId}; enable it with \`oxygen integrations events enable --source ${provider.id} --event ${declared.type}\`.`,
            }),
          )
          .execute();
        continue;
      }
      accepted.push(normalized);
      outcome.accepted++;
      const triggers = await triggersFor(trx, orgId, provider.id, declared.type);
      if (triggers.length === 0) {
        await trx.db
          .insertInto('event_deliveries')
          .values(
            log({
              ...base,
              event_id: eventId,
              status: 'ignored',
              reason: 'no_trigger',
              detail: `No trigger matches ${provider.id} ${declared.type}; add one with \`oxygen workflows triggers add --source ${provider.id} --event ${declared.type} --url <url>\`.`,
            }),
          )
          .execute();
        continue;
      }
      outcome.deliveries.push(...(await queueDeliveries(host, trx, event, triggers)));
    }
  });
  if (accepted.length > 0) {
    (await host.queue()).wake();
    for (const event of accepted) host.bus.publish(event);
  }
  return outcome;
}
