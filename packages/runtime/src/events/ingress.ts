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
  isoTime,
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
import type { EventsHost } from './host.js';
import { newDeliveryRow } from './records.js';
import type { IngressOutcome } from './types.js';
import type { WriteItem } from './writer.js';

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

/** The organization's enabled events and triggers for one provider, as the ingress routes by them. */
interface Routes {
  enabled: Set<string>;
  triggers: Map<string, { id: string; url: string }[]>;
}

async function loadRoutes(host: EventsHost, organizationId: string, provider: string): Promise<Routes> {
  const [subs, triggers] = await Promise.all([
    host.store.db
      .selectFrom('event_subscriptions')
      .select('event_type')
      .where('organization_id', '=', organizationId)
      .where('provider', '=', provider)
      .execute(),
    host.store.db
      .selectFrom('event_triggers')
      .select(['id', 'url', 'event_type'])
      .where('organization_id', '=', organizationId)
      .where('provider', '=', provider)
      .orderBy('id')
      .execute(),
  ]);
  const byType = new Map<string, { id: string; url: string }[]>();
  for (const t of triggers)
    byType.set(t.event_type, [...(byType.get(t.event_type) ?? []), { id: t.id, url: t.url }]);
  return { enabled: new Set(subs.map((r) => r.event_type)), triggers: byType };
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
  // Cached look-ups come back as values once loaded: awaited only while loading (an await is a
  // turn of the microtask queue per delivery, even on a value).
  const cachedEndpoint = host.cache.get(`endpoint\u0000${provider.id}\u0000${endpointId}`, () =>
    findEndpoint(host, provider, endpointId),
  );
  const endpoint = cachedEndpoint instanceof Promise ? await cachedEndpoint : cachedEndpoint;
  if (!endpoint) throw unknown();
  const orgId = endpoint.organizationId;
  const at = isoTime();
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
  const log = (fields: Partial<EventDeliveriesTable> & Pick<EventDeliveriesTable, 'status'>) =>
    newDeliveryRow({
      id: newId('dlv'),
      organization_id: orgId,
      provider: provider.id,
      created_at: at,
      ...fields,
    });
  const refuse = async (status: 400 | 401, reason: string, detail: string) => {
    const [written] = await host.writer.write([{ rows: [log({ status: 'rejected', reason, detail })] }]);
    return { ...outcome, status, rejected: 1, reason, detail, deliveries: written!.rows.map((r) => r.id) };
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

  const cachedRoutes = host.cache.get(`routes\u0000${orgId}\u0000${provider.id}`, () =>
    loadRoutes(host, orgId, provider.id),
  );
  const routes = cachedRoutes instanceof Promise ? await cachedRoutes : cachedRoutes;
  const items: WriteItem[] = [];
  const kinds: ('accepted' | 'ignored' | 'rejected')[] = [];
  const normalizedOf: (NormalizedEvent | undefined)[] = [];
  for (const item of parsed) {
    const declared = matchEvent(provider, item);
    const eventType = declared?.type ?? item.providerType;
    const providerEventId = item.providerEventId;
    let normalized: NormalizedEvent | undefined;
    if (declared) {
      try {
        normalized = normalizeEvent(provider, item, {
          organizationId: orgId,
          connectionId: endpoint.connectionId,
        });
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        items.push({
          rows: [
            log({
              provider_event_id: providerEventId,
              event_type: eventType,
              status: 'rejected',
              reason: 'invalid_data',
              detail,
            }),
          ],
        });
        kinds.push('rejected');
        normalizedOf.push(undefined);
        continue;
      }
    }
    // Undeclared events are stored too, so a retry of one is still recognised as a duplicate.
    const eventId = normalized?.id ?? newId('evt');
    const event = {
      id: eventId,
      organization_id: orgId,
      connection_id: endpoint.connectionId,
      provider: provider.id,
      event_type: eventType,
      provider_event_id: providerEventId,
      occurred_at: normalized?.occurred_at ?? at,
      received_at: at,
      payload: JSON.stringify(normalized ?? { provider_type: item.providerType, data: item.data }),
    };
    const duplicate = (first: { id: string; received_at: string }) =>
      log({
        provider_event_id: providerEventId,
        event_type: eventType,
        event_id: first.id,
        status: 'duplicate',
        reason: 'duplicate',
        detail: `${provider.name} sent event ${providerEventId} again; first received ${first.received_at} as ${first.id}, delivered from there.`,
      });
    const ignored = (reason: string, detail: string) => [
      log({
        provider_event_id: providerEventId,
        event_type: eventType,
        event_id: eventId,
        status: 'ignored',
        reason,
        detail,
      }),
    ];
    let rows: EventDeliveriesTable[];
    let kind: 'accepted' | 'ignored' = 'ignored';
    if (!declared || !normalized) {
      rows = ignored(
        'undeclared_event',
        `${provider.name} sent a "${item.providerType}" event, which the ${provider.id} plugin does not declare.`,
      );
    } else if (!routes.enabled.has(declared.type)) {
      rows = ignored(
        'not_enabled',
        `${provider.id} ${declared.type} is not enabled for organization ${orgId}; enable it with \`oxygen integrations events enable --source ${provider.id} --event ${declared.type}\`.`,
      );
    } else {
      kind = 'accepted';
      const triggers = routes.triggers.get(declared.type) ?? [];
      if (triggers.length === 0) {
        rows = ignored(
          'no_trigger',
          `No trigger matches ${provider.id} ${declared.type}; add one with \`oxygen workflows triggers add --source ${provider.id} --event ${declared.type} --url <url>\`.`,
        );
      } else {
        rows = [];
        for (const trigger of triggers) {
          rows.push(
            log({
              provider_event_id: providerEventId,
              event_type: eventType,
              event_id: eventId,
              status: 'pending',
              trigger_id: trigger.id,
              url: trigger.url,
              max_attempts: host.delivery.maxAttempts,
              next_attempt_at: at,
            }),
          );
        }
      }
    }
    items.push({ event, rows, duplicate });
    kinds.push(kind);
    normalizedOf.push(kind === 'accepted' ? normalized : undefined);
  }

  const results = await host.writer.write(items);
  const accepted: NormalizedEvent[] = [];
  results.forEach((result, i) => {
    outcome.deliveries.push(...result.rows.map((r) => r.id));
    if (result.duplicate) outcome.duplicate++;
    else outcome[kinds[i]!]++;
    const normalized = normalizedOf[i];
    if (!result.duplicate && normalized) accepted.push(normalized);
  });
  if (accepted.length > 0) {
    for (const event of accepted) host.bus.publish(event);
    // Skipped at the cost of one cached look-up when the connection has no mirrored cells.
    const hasCells = host.cache.get(`cells\u0000${orgId}\u0000${endpoint.connectionId}`, async () =>
      Boolean(
        await host.store.db
          .selectFrom('table_cells')
          .select('row_id')
          .where('organization_id', '=', orgId)
          .where('connection_id', '=', endpoint.connectionId)
          .limit(1)
          .executeTakeFirst(),
      ),
    );
    if (hasCells !== false) void mirrorToTables(host, accepted, hasCells);
  }
  return outcome;
}

/**
 * Records accepted events in the provenance of the table cells that mirror their records (after
 * the provider has its answer: a cell's audit trail is not worth a slower 2xx), once the look-up
 * of whether the connection has mirrored cells says it has.
 */
async function mirrorToTables(
  host: EventsHost,
  events: NormalizedEvent[],
  hasCells: true | Promise<boolean>,
): Promise<void> {
  try {
    if (!(await hasCells)) return;
    const { mirrorEventToCells } = await import('../tables/mirror.js');
    for (const event of events) await mirrorEventToCells(host.store, event);
  } catch (error) {
    process.stderr.write(
      `oxygen: recording provider events on table cells failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  }
}
