/**
 * What the events code needs from the runtime, as one interface: the store, plugins, the vault,
 * provider calls with a connection's credential, and the delivery queue.
 *
 * @module
 */

import type { ActionContext, ProviderDefinition } from '@oxygen/core';
import type { AuthHost } from '../auth/host.js';
import type { StoredConnection } from '../store/types.js';
import type { EventBus } from './bus.js';
import type { TtlCache } from './cache.js';
import type { DeliveryQueue } from './queue.js';
import type { DeliverySettings } from './types.js';
import type { IngressWriter } from './writer.js';

/** The runtime as the events code sees it. */
export interface EventsHost extends AuthHost {
  /** Every loaded provider. */
  listProviders(): Promise<ProviderDefinition[]>;
  /** The organization's connection by id or provider id (see `OrgRuntime.resolve`). */
  resolveConnection(organizationId: string, ref: string): Promise<StoredConnection>;
  /** Runs `fn` against the provider with the connection's credential (refreshed when needed). */
  callProvider<T>(
    row: StoredConnection,
    provider: ProviderDefinition,
    where: string,
    fn: (ctx: ActionContext) => Promise<T>,
    /** Secrets the call carries besides the credential, redacted from errors. */
    secrets?: readonly string[],
  ): Promise<T>;
  /** The public base URL providers reach the ingress at (`OXYGEN_PUBLIC_URL`), when set. */
  publicUrl(): string | undefined;
  /** In-process subscribers to accepted events. */
  readonly bus: EventBus;
  /** Where delivery attempts are queued. */
  queue(): Promise<DeliveryQueue>;
  /** How trigger deliveries are retried. */
  readonly delivery: DeliverySettings;
  /**
   * Short-lived lookups of the ingress; cleared on every change to subscriptions or triggers.
   *
   * @internal
   */
  readonly cache: TtlCache;
  /**
   * Group-commit writer of the ingress.
   *
   * @internal
   */
  readonly writer: IngressWriter;
}
