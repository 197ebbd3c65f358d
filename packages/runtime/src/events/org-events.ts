/**
 * One organization's provider events (`runtime.org(id).events`): the catalog, enabling and
 * disabling subscriptions at the provider, the deliveries log, replays and in-process subscribers.
 *
 * @module
 */

import { randomBytes } from 'node:crypto';
import {
  AuthError,
  ConfigError,
  type EventDefinition,
  NotFoundError,
  type ProviderDefinition,
  ValidationError,
} from '@oxygen/core';
import { newId } from '../store/ids.js';
import { DELIVERY_STATUSES } from '../store/types.js';
import { eventSecretAad } from '../vault/rotate.js';
import type { EventFilter, EventHandler } from './bus.js';
import { attemptDeliveries, queueDeliveries } from './deliver.js';
import type { EventsHost } from './host.js';
import { deliveryRecord, ingressUrl, subscriptionInfo, triggersFor } from './records.js';
import type {
  DeliveryFilter,
  DeliveryRecord,
  DisableResult,
  EnableResult,
  EventCatalogEntry,
} from './types.js';

/** Which event of which provider. */
export interface EventRef {
  /** Provider id (`instantly`). */
  source: string;
  /** Event name (`email.reply_received`). */
  event: string;
}

/**
 * Finds a declared event, or throws a `ValidationError` listing the valid sources or events.
 * @internal
 */
export async function findEvent(
  host: EventsHost,
  ref: EventRef,
  // biome-ignore lint/suspicious/noExplicitAny: events have heterogeneous schemas
): Promise<{ provider: ProviderDefinition; event: EventDefinition<any> }> {
  const providers = (await host.listProviders()).filter((p) => (p.events ?? []).length > 0);
  const provider = providers.find((p) => p.id === ref.source);
  if (!provider) {
    throw new ValidationError(`Unknown event source "${ref.source}".`, {
      field: 'source',
      hint: `Sources with events: ${providers.map((p) => p.id).join(', ') || 'none'}.`,
    });
  }
  const event = provider.events!.find((e) => e.type === ref.event);
  if (!event) {
    throw new ValidationError(`${provider.name} has no event "${ref.event}".`, {
      field: 'event',
      hint: `${provider.id} events: ${provider.events!.map((e) => e.type).join(', ')}.`,
    });
  }
  return { provider, event };
}

/** Parses `--since`: an ISO 8601 time or a duration back from now (`30s`, `15m`, `2h`, `7d`). */
export function parseSince(since: string, now = Date.now()): string {
  const relative = /^(\d+)\s*(s|m|h|d)$/.exec(since.trim());
  if (relative) {
    const unit = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now - Number(relative[1]) * unit).toISOString();
  }
  const time = Date.parse(since);
  if (Number.isNaN(time)) {
    throw new ValidationError(`--since "${since}" is neither a time nor a duration.`, {
      field: 'since',
      hint: 'Use an ISO 8601 time (2026-11-25T10:00:00Z) or a duration back from now (30m, 2h, 7d).',
    });
  }
  return new Date(time).toISOString();
}

/** One organization's events. Get it with `runtime.org(id).events`. */
export class OrgEvents {
  /** @internal */
  constructor(
    private readonly host: EventsHost,
    /** The organization every call is scoped to. */
    readonly organizationId: string,
  ) {}

  private subscriptions() {
    return this.host.store.db
      .selectFrom('event_subscriptions')
      .selectAll()
      .where('organization_id', '=', this.organizationId);
  }

  /**
   * Every event each loaded provider declares, with whether the organization enabled it, on
   * which connection, and the URL the provider delivers to.
   *
   * @example
   * ```ts
   * const events = await runtime.org('default').events.list();
   * events.filter((e) => e.enabled).map((e) => `${e.source} ${e.event}`);
   * ```
   */
  async list(): Promise<EventCatalogEntry[]> {
    // JSON Schema derivation loads zod: only here, not when the runtime starts.
    const { describeEvent } = await import('../catalog.js');
    const rows = await this.subscriptions().execute();
    const publicUrl = this.host.publicUrl();
    const out: EventCatalogEntry[] = [];
    for (const provider of await this.host.listProviders()) {
      for (const event of provider.events ?? []) {
        const row = rows.find((r) => r.provider === provider.id && r.event_type === event.type);
        const info = row ? subscriptionInfo(row, publicUrl) : undefined;
        out.push({
          source: provider.id,
          event: event.type,
          title: event.title,
          description: event.description,
          schema: describeEvent(event).data_schema,
          signing: provider.webhooks?.signing ?? null,
          enabled: !!row,
          connection_id: info?.connection_id ?? null,
          subscription_id: info?.id ?? null,
          url: info?.url ?? null,
          setup: info?.setup ?? null,
        });
      }
    }
    return out;
  }

  /**
   * Enables an event: registers a webhook with the provider through its API where it has one
   * (Instantly, Attio), with a signing secret stored encrypted, or records the steps to take in
   * the provider's settings where it has none (HubSpot). Enabling an enabled event changes
   * nothing (`created: false`).
   *
   * @throws ValidationError for an unknown source or event (listing the valid ones), a provider
   * without webhooks, or a managed connection; ConfigError without `OXYGEN_PUBLIC_URL`.
   *
   * @example
   * ```ts
   * const { subscription } = await org.events.enable({ source: 'instantly', event: 'email.reply_received' });
   * console.log(subscription.url); // https://oxygen.example.com/webhooks/instantly/sub_01J...
   * ```
   */
  async enable(ref: EventRef & { connection?: string | undefined }): Promise<EnableResult> {
    const { provider, event } = await findEvent(this.host, ref);
    const webhooks = provider.webhooks;
    if (!webhooks) {
      throw new ValidationError(`${provider.name} declares events but no way to receive them.`, {
        hint: 'Report it to the plugin author.',
      });
    }
    const publicUrl = this.host.publicUrl();
    const existing = await this.subscriptions()
      .where('provider', '=', provider.id)
      .where('event_type', '=', event.type)
      .executeTakeFirst();
    if (existing) return { subscription: subscriptionInfo(existing, publicUrl), created: false };
    if (!publicUrl) {
      throw new ConfigError('Events need the public URL providers can reach the Oxygen server at.', {
        hint: 'Set OXYGEN_PUBLIC_URL (https://oxygen.example.com), or run `oxygen serve --public-url <url>` and point the CLI at it.',
      });
    }
    const connection = await this.host.resolveConnection(this.organizationId, ref.connection ?? provider.id);
    if (connection.provider !== provider.id) {
      throw new ValidationError(
        `Integration ${connection.id} is ${connection.provider}, not ${provider.id}.`,
        {
          field: 'connection',
        },
      );
    }
    if (connection.auth_mode === 'managed') {
      throw new ValidationError(
        `Integration ${connection.id} is managed (the platform's key); events need the organization's own ${provider.name} account.`,
        { hint: `Connect one with \`oxygen integrations connect ${provider.id}\` and pass --connection.` },
      );
    }
    if (connection.status === 'disconnected' || connection.status === 'expired') {
      throw new AuthError(`Integration ${connection.id} (${provider.id}) is ${connection.status}.`, {
        hint: `Reconnect with \`oxygen integrations connect ${provider.id}\`.`,
      });
    }
    const id = newId('sub');
    const endpoint = webhooks.secretSource === 'subscription' ? id : connection.id;
    const url = ingressUrl(publicUrl, provider.id, endpoint);
    const providerTypes = [event.providerType ?? event.type];
    let providerSubscriptionId: string | null = null;
    let secret: string | null = null;
    let setup: string[] | null = null;
    if (webhooks.subscriptions) {
      const generated = randomBytes(32).toString('base64url');
      const created = await this.host.callProvider(
        connection,
        provider,
        'webhooks.subscriptions.create',
        (ctx) => webhooks.subscriptions!.create(ctx, { url, providerTypes, secret: generated }),
        [generated],
      );
      providerSubscriptionId = created.id;
      secret = created.secret ?? generated;
    } else {
      setup = webhooks.setup?.({ url, providerTypes }) ?? [
        `In ${provider.name}'s settings, send ${providerTypes.join(', ')} webhooks to ${url}.`,
      ];
    }
    const row = {
      id,
      organization_id: this.organizationId,
      connection_id: connection.id,
      provider: provider.id,
      event_type: event.type,
      provider_subscription_id: providerSubscriptionId,
      secret: secret
        ? this.host.sealSecret(secret, eventSecretAad('event_subscription', this.organizationId, id))
        : null,
      endpoint,
      setup: setup ? JSON.stringify(setup) : null,
      created_at: new Date().toISOString(),
    };
    try {
      await this.host.store.db.insertInto('event_subscriptions').values(row).execute();
      this.host.cache.clear();
    } catch (error) {
      // Enabled concurrently: keep theirs, remove ours at the provider.
      const winner = await this.subscriptions()
        .where('provider', '=', provider.id)
        .where('event_type', '=', event.type)
        .executeTakeFirst();
      if (!winner) throw error;
      if (providerSubscriptionId) {
        await this.host
          .callProvider(connection, provider, 'webhooks.subscriptions.delete', (ctx) =>
            webhooks.subscriptions!.delete(ctx, providerSubscriptionId!),
          )
          .catch(() => {});
      }
      return { subscription: subscriptionInfo(winner, publicUrl), created: false };
    }
    return { subscription: subscriptionInfo(row, publicUrl), created: true };
  }

  /**
   * Disables an event: deletes the webhook at the provider (when Oxygen registered it), then the
   * subscription; later deliveries of it are `ignored`. Disabling a disabled event changes nothing.
   *
   * @throws ValidationError for an unknown source or event; the provider's typed error when it
   * refuses the deletion (the subscription is kept, so it can be retried).
   */
  async disable(ref: EventRef): Promise<DisableResult> {
    const { provider, event } = await findEvent(this.host, ref);
    const row = await this.subscriptions()
      .where('provider', '=', provider.id)
      .where('event_type', '=', event.type)
      .executeTakeFirst();
    const result: DisableResult = {
      source: provider.id,
      event: event.type,
      subscription: null,
      removed_at_provider: false,
      warnings: [],
    };
    if (!row) return result;
    const info = subscriptionInfo(row, this.host.publicUrl());
    if (row.provider_subscription_id && provider.webhooks?.subscriptions) {
      const connection = await this.host.store.connections.get(this.organizationId, row.connection_id);
      if (connection?.credential && connection.status !== 'disconnected') {
        await this.host.callProvider(connection, provider, 'webhooks.subscriptions.delete', (ctx) =>
          provider.webhooks!.subscriptions!.delete(ctx, row.provider_subscription_id!),
        );
        result.removed_at_provider = true;
      } else {
        result.warnings.push(
          `Integration ${row.connection_id} is disconnected, so webhook ${row.provider_subscription_id} could not be deleted at ${provider.name}; delete it there (deliveries to it are now refused).`,
        );
      }
    } else {
      result.warnings.push(
        `Remove the ${provider.name} webhook subscription for ${event.providerType ?? event.type} that points at ${info.url} in ${provider.name}'s settings; until then its deliveries are recorded as ignored.`,
      );
    }
    await this.host.store.db
      .deleteFrom('event_subscriptions')
      .where('id', '=', row.id)
      .where('organization_id', '=', this.organizationId)
      .execute();
    this.host.cache.clear();
    return { ...result, subscription: info };
  }

  /**
   * The deliveries log, newest first: every event received and what became of it, one row per
   * event and trigger, plus refused deliveries.
   *
   * @throws ValidationError for an unknown status or a bad `since`.
   */
  async deliveries(filter: DeliveryFilter = {}): Promise<DeliveryRecord[]> {
    if (filter.status && !DELIVERY_STATUSES.includes(filter.status)) {
      throw new ValidationError(`Unknown delivery status "${filter.status}".`, {
        field: 'status',
        hint: `One of: ${DELIVERY_STATUSES.join(', ')}.`,
      });
    }
    const limit = filter.limit ?? 50;
    if (!Number.isInteger(limit) || limit < 1 || limit > 1000) {
      throw new ValidationError(`--limit must be a whole number from 1 to 1000, not ${filter.limit}.`, {
        field: 'limit',
      });
    }
    let query = this.host.store.db
      .selectFrom('event_deliveries')
      .selectAll()
      .where('organization_id', '=', this.organizationId);
    if (filter.source) query = query.where('provider', '=', filter.source);
    if (filter.event) query = query.where('event_type', '=', filter.event);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.since) query = query.where('created_at', '>=', parseSince(filter.since));
    const rows = await query.orderBy('created_at', 'desc').orderBy('id', 'desc').limit(limit).execute();
    return rows.map(deliveryRecord);
  }

  /** One delivery of the organization's log. @throws NotFoundError */
  async delivery(id: string): Promise<DeliveryRecord> {
    const row = await this.host.store.db
      .selectFrom('event_deliveries')
      .selectAll()
      .where('id', '=', id)
      .where('organization_id', '=', this.organizationId)
      .executeTakeFirst();
    if (!row) {
      throw new NotFoundError(`No delivery ${id} in organization ${this.organizationId}.`, {
        hint: 'Run `oxygen integrations events deliveries` to see the ids.',
      });
    }
    return deliveryRecord(row);
  }

  /**
   * Sends a delivery's event again: to its trigger for a trigger delivery, or to every trigger
   * matching the event now for an ignored or duplicate one. Each new delivery (`replay_of` the
   * original) is attempted once right away (unless `attempt: false`) and retried like any other.
   *
   * @throws NotFoundError for an unknown delivery; ValidationError for a rejected one (no event was
   * accepted) or when no trigger matches.
   */
  async replay(id: string, options: { attempt?: boolean } = {}): Promise<DeliveryRecord[]> {
    const original = await this.delivery(id);
    if (!original.event_id || original.status === 'rejected') {
      throw new ValidationError(
        `Delivery ${id} was rejected (${original.reason}); no event was accepted to send again.`,
        {
          hint: 'Have the provider send it again once the cause is fixed.',
        },
      );
    }
    const event = await this.host.store.db
      .selectFrom('events')
      .selectAll()
      .where('id', '=', original.event_id)
      .where('organization_id', '=', this.organizationId)
      .executeTakeFirst();
    if (!event) throw new NotFoundError(`The event of delivery ${id} is no longer stored.`);
    let triggers: { id: string; url: string }[];
    if (original.trigger_id) {
      const trigger = await this.host.store.db
        .selectFrom('event_triggers')
        .select(['id', 'url'])
        .where('id', '=', original.trigger_id)
        .where('organization_id', '=', this.organizationId)
        .executeTakeFirst();
      if (!trigger) {
        throw new ValidationError(`Trigger ${original.trigger_id} of delivery ${id} was removed.`, {
          hint: 'Add a trigger for the event, then replay again.',
        });
      }
      triggers = [trigger];
    } else {
      triggers = await triggersFor(this.host.store, this.organizationId, event.provider, event.event_type);
      if (triggers.length === 0) {
        throw new ValidationError(
          `No trigger matches ${event.provider} ${event.event_type}, so there is nothing to send.`,
          {
            hint: `Add one with \`oxygen workflows triggers add --source ${event.provider} --event ${event.event_type} --url <url>\`.`,
          },
        );
      }
    }
    const ids = await this.host.store.transaction((trx) =>
      queueDeliveries(this.host, trx, event, triggers, original.id),
    );
    if (options.attempt !== false) {
      await attemptDeliveries(
        this.host,
        ids.map((dlv) => ({ id: dlv, attempt: 0 })),
      );
    } else {
      (await this.host.queue()).wake();
    }
    return Promise.all(ids.map((dlv) => this.delivery(dlv)));
  }

  /**
   * Calls `handler` with each event this process's ingress accepts for the organization that
   * matches `filter`. In process and best effort; use triggers for durable delivery.
   *
   * @returns A function that unsubscribes.
   *
   * @example
   * ```ts
   * const stop = runtime.org('default').events.subscribe({ source: 'instantly' }, (event) => {
   *   console.log(event.type, event.data);
   * });
   * ```
   */
  subscribe(filter: EventFilter, handler: EventHandler): () => void {
    return this.host.bus.subscribe(this.organizationId, filter, handler);
  }
}
