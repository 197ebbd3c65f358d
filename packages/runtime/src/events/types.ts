/**
 * Public shapes of provider events: the catalog, subscriptions, triggers and the deliveries log.
 *
 * @module
 */

import type { JsonSchema, WebhookSigning } from '@oxygen/core';
import type { DeliveryStatus } from '../store/types.js';

export { DELIVERY_STATUSES } from '../store/types.js';
export type { DeliveryStatus };

/** One event a provider declares, and whether the organization enabled it (`events list`). */
export interface EventCatalogEntry {
  /** Provider id (`instantly`). */
  source: string;
  /** Event name as the product spells it (`email.reply_received`). */
  event: string;
  /** Short human name. */
  title: string;
  /** When it happens. */
  description: string;
  /** JSON Schema of the normalized event's `data`. */
  schema: JsonSchema;
  /** How the provider signs deliveries; `null` when the plugin has no webhook support. */
  signing: WebhookSigning | null;
  /** Whether the organization enabled it. */
  enabled: boolean;
  /** The connection whose account delivers it, when enabled. */
  connection_id: string | null;
  /** The subscription, when enabled. */
  subscription_id: string | null;
  /** The ingress URL the provider delivers to, when enabled. */
  url: string | null;
  /** Steps a person must take in the provider's settings, when the provider has no API for it. */
  setup: string[] | null;
}

/** An enabled event, as `events enable` and `events disable` print it. Never the secret. */
export interface EventSubscriptionInfo {
  /** Subscription id (`sub_...`). */
  id: string;
  /** The organization that enabled it. */
  organization_id: string;
  /** Provider id (`instantly`). */
  source: string;
  /** Event name (`email.reply_received`). */
  event: string;
  /** The connection whose account delivers it. */
  connection_id: string;
  /** The provider's id for the webhook Oxygen registered; `null` when it is set up by hand. */
  provider_subscription_id: string | null;
  /** Where the provider delivers. */
  url: string;
  /** `registered` through the provider's API, or `manual` (see `setup`). */
  registration: 'registered' | 'manual';
  /** What to configure by hand in the provider's settings, when `registration` is `manual`. */
  setup: string[] | null;
  /** When it was enabled (ISO 8601, UTC). */
  created_at: string;
}

/** What `events enable` did. */
export interface EnableResult {
  /** The subscription, new or existing. */
  subscription: EventSubscriptionInfo;
  /** False when it was already enabled (nothing changed). */
  created: boolean;
}

/** What `events disable` did. */
export interface DisableResult {
  /** Provider id. */
  source: string;
  /** Event name. */
  event: string;
  /** The subscription removed; `null` when the event was not enabled (nothing changed). */
  subscription: EventSubscriptionInfo | null;
  /** Whether the webhook was deleted at the provider (`false` for manual set-ups: remove it there). */
  removed_at_provider: boolean;
  /** Anything the person should still do (a manual set-up to remove, a provider that was unreachable). */
  warnings: string[];
}

/** A workflow trigger: matching events are POSTed to `url`, signed (Standard Webhooks). */
export interface TriggerInfo {
  /** Trigger id (`trg_...`). */
  id: string;
  /** The organization it belongs to. */
  organization_id: string;
  /** Provider id whose events it matches. */
  source: string;
  /** Event name it matches. */
  event: string;
  /** Where matching events are POSTed. */
  url: string;
  /** When it was added (ISO 8601, UTC). */
  created_at: string;
}

/** What `triggers add` returns: the trigger and, when it was created, its signing secret (once). */
export interface TriggerAddResult {
  /** The trigger, new or existing. */
  trigger: TriggerInfo;
  /** False when the same source, event and URL already had a trigger. */
  created: boolean;
  /**
   * The Standard Webhooks secret (`whsec_...`) to verify deliveries with; shown only when the
   * trigger is created, never again (it is stored encrypted).
   */
  secret: string | null;
}

/** One row of the deliveries log: an event and a target, or a refused delivery. */
export interface DeliveryRecord {
  /** Delivery id (`dlv_...`). */
  id: string;
  /** The accepted event; `null` for a rejected delivery. */
  event_id: string | null;
  /** Provider id the delivery came from. */
  source: string;
  /** The declared event type (or the provider's name for an undeclared one); `null` when rejected before parsing. */
  event: string | null;
  /** The provider's id for the event; `null` when rejected before parsing. */
  provider_event_id: string | null;
  /** What became of it. */
  status: DeliveryStatus;
  /**
   * Why it was ignored (`not_enabled`, `no_trigger`, `undeclared_event`), rejected
   * (`missing_signature`, `bad_signature`, `stale_timestamp`, `malformed`, `invalid_data`,
   * `no_secret`) or a `duplicate`; why it failed (`max_attempts`, `trigger_removed`).
   */
  reason: string | null;
  /** One line for people: what happened and what to do. */
  detail: string | null;
  /** The trigger it goes to; `null` for ignored, rejected and duplicate rows. */
  trigger_id: string | null;
  /** The trigger's URL when the delivery was created; `null` without a trigger. */
  url: string | null;
  /** Attempts made so far. */
  attempts: number;
  /** Attempts allowed before it is `failed`. */
  max_attempts: number;
  /** The target's last HTTP status. */
  status_code: number | null;
  /** The last attempt's duration, in milliseconds. */
  duration_ms: number | null;
  /** What went wrong at the last attempt, one line; `null` once delivered. */
  last_error: string | null;
  /** When the next attempt is due (ISO 8601, UTC), while `pending` or `retrying`. */
  next_attempt_at: string | null;
  /** The delivery this one sends again (`events replay`). */
  replay_of: string | null;
  /** When the delivery was received (or the replay requested). */
  created_at: string;
  /** When the row last changed. */
  updated_at: string;
  /** When the target accepted it. */
  delivered_at: string | null;
}

/** Filters of `events deliveries`. */
export interface DeliveryFilter {
  /** Only deliveries from this provider. */
  source?: string | undefined;
  /** Only deliveries of this event. */
  event?: string | undefined;
  /** Only deliveries in this status. */
  status?: DeliveryStatus | undefined;
  /** ISO 8601 time, or a duration back from now (`30m`, `2h`, `7d`). */
  since?: string | undefined;
  /** Newest first, at most this many (default 50, at most 1000). */
  limit?: number | undefined;
}

/** What the ingress did with one provider delivery (one HTTP request). */
export interface IngressOutcome {
  /** The HTTP status to answer the provider with: 200, or 400/401 when refused. */
  status: 200 | 400 | 401;
  /** The organization the endpoint belongs to. */
  organization_id: string;
  /** Events in the delivery, by what became of them. */
  accepted: number;
  /** Events already received (same provider event id). */
  duplicate: number;
  /** Events the plugin does not declare or the organization has not enabled. */
  ignored: number;
  /** Events whose data failed the declared schema; 1 when the whole delivery was refused. */
  rejected: number;
  /** Why the whole delivery was refused (status 400/401). */
  reason: string | null;
  /** One line for people about `reason`. */
  detail: string | null;
  /** The deliveries log rows written. */
  deliveries: string[];
}

/** How trigger deliveries are retried. */
export interface DeliverySettings {
  /** Attempts before a delivery is `failed` (default 8; `OXYGEN_DELIVERY_MAX_ATTEMPTS`). */
  maxAttempts: number;
  /** First retry delay; each next one is 4 times longer (default 5 s; `OXYGEN_DELIVERY_BACKOFF_MS`). */
  backoffMs: number;
  /** Longest delay between attempts (default 6 h). */
  maxBackoffMs: number;
  /** How long one POST may take (default 10 s; `OXYGEN_DELIVERY_TIMEOUT_MS`). */
  timeoutMs: number;
}
