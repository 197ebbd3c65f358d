/**
 * Webhooks registered through the sandbox's `/v2/webhooks` endpoints: stored in memory with a
 * random signing secret each, answered in Attio's shapes (the `secret` only when created), and
 * matched against events for `emitWebhook`.
 *
 * Source: `/v2/webhooks` and `/v2/webhooks/{webhook_id}` in Attio's OpenAPI description.
 *
 * @module
 */

import { randomBytes, randomUUID } from 'node:crypto';
import { notFound } from './errors.js';

/** One condition of a subscription filter. */
export interface WebhookCondition {
  /** A field of the event: a top-level key (`parent_object_id`) or a dotted path (`id.list_id`). */
  field: string;
  operator: 'equals' | 'not_equals';
  value: string;
}

/** A subscription filter: all (`$and`) or any (`$or`) of its conditions; `null` always passes. */
export type WebhookFilter = { $and: WebhookCondition[] } | { $or: WebhookCondition[] } | null;

/** One subscription of a webhook. */
export interface WebhookSubscription {
  /** Attio's event type, e.g. `record.created`. */
  event_type: string;
  filter: WebhookFilter;
}

/** A webhook the sandbox stores. */
export interface SandboxWebhook {
  webhook_id: string;
  target_url: string;
  subscriptions: WebhookSubscription[];
  status: 'active' | 'degraded' | 'inactive';
  created_at: string;
  /** The signing secret, returned by the API only when the webhook is created. */
  secret: string;
}

/** The webhooks of one sandbox workspace. */
export class WebhookStore {
  /** Webhooks by id, in creation order. */
  readonly byId = new Map<string, SandboxWebhook>();

  constructor(private readonly workspaceId: string) {}

  /** Registers a webhook with a new random secret (32 random bytes, hex). */
  create(data: { target_url: string; subscriptions: WebhookSubscription[] }): SandboxWebhook {
    const webhook: SandboxWebhook = {
      webhook_id: randomUUID(),
      target_url: data.target_url,
      subscriptions: data.subscriptions.map((s) => ({ ...s })),
      status: 'active',
      // Attio's timestamp format: ISO 8601 with nanoseconds
      created_at: new Date().toISOString().replace(/Z$/, '000000Z'),
      secret: randomBytes(32).toString('hex'),
    };
    this.byId.set(webhook.webhook_id, webhook);
    return webhook;
  }

  /** A webhook by id; Attio's 404 otherwise. */
  get(webhookId: string): SandboxWebhook {
    const webhook = this.byId.get(webhookId);
    if (!webhook) throw notFound(`Webhook with ID "${webhookId}" was not found.`);
    return webhook;
  }

  /** Replaces the target URL and/or the subscriptions given; the secret stays. */
  update(
    webhookId: string,
    data: { target_url?: string; subscriptions?: WebhookSubscription[] },
  ): SandboxWebhook {
    const webhook = this.get(webhookId);
    if (data.target_url !== undefined) webhook.target_url = data.target_url;
    if (data.subscriptions !== undefined) webhook.subscriptions = data.subscriptions.map((s) => ({ ...s }));
    return webhook;
  }

  /** Deletes a webhook; Attio's 404 when there is none. */
  delete(webhookId: string): void {
    this.get(webhookId);
    this.byId.delete(webhookId);
  }

  /** The webhooks that receive `event`: active or degraded, with a subscription to its type whose filter passes. */
  matching(event: Record<string, unknown> & { event_type: string }): SandboxWebhook[] {
    return [...this.byId.values()].filter(
      (w) =>
        w.status !== 'inactive' &&
        w.subscriptions.some((s) => s.event_type === event.event_type && filterPasses(s.filter, event)),
    );
  }

  /** Attio's webhook object (`secret` only with `withSecret`, as on create). */
  json(webhook: SandboxWebhook, withSecret = false): Record<string, unknown> {
    return {
      target_url: webhook.target_url,
      subscriptions: webhook.subscriptions.map((s) => ({ event_type: s.event_type, filter: s.filter })),
      id: { workspace_id: this.workspaceId, webhook_id: webhook.webhook_id },
      status: webhook.status,
      created_at: webhook.created_at,
      ...(withSecret ? { secret: webhook.secret } : {}),
    };
  }
}

/** Whether a subscription filter passes for an event (`null` always does). */
export function filterPasses(filter: WebhookFilter, event: Record<string, unknown>): boolean {
  if (filter === null) return true;
  const holds = (c: WebhookCondition) => {
    const actual = fieldOf(event, c.field);
    const equal = typeof actual === 'string' && actual === c.value;
    return c.operator === 'equals' ? equal : !equal;
  };
  return '$and' in filter ? filter.$and.every(holds) : filter.$or.some(holds);
}

function fieldOf(event: Record<string, unknown>, field: string): unknown {
  if (field in event) return event[field];
  let node: unknown = event;
  for (const key of field.split('.')) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  if (node !== undefined) return node;
  const id = event.id;
  return id && typeof id === 'object' ? (id as Record<string, unknown>)[field] : undefined;
}
