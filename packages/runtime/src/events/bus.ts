/**
 * The in-process subscription API: internal apps composing plugins receive accepted events as
 * they are stored, without an HTTP hop. Only events accepted by this process's ingress reach
 * its subscribers; durable, at-least-once delivery is what triggers are for.
 *
 * @module
 */

import type { NormalizedEvent } from '../engine/webhooks.js';

/** Which events a subscriber wants; an absent field matches everything. */
export interface EventFilter {
  /** Only events from this provider (`hubspot`). */
  source?: string | undefined;
  /** Only events of this type (`contact.created`). */
  event?: string | undefined;
}

/** A subscriber: may be async; what it throws is reported to `onError`, never to the provider. */
export type EventHandler = (event: NormalizedEvent) => void | Promise<void>;

interface Subscriber {
  organizationId: string;
  filter: EventFilter;
  handler: EventHandler;
}

/** Subscribers by organization; one per runtime. */
export class EventBus {
  private readonly subscribers = new Set<Subscriber>();

  /** @param onError - Told when a handler throws (default: a line on stderr). */
  constructor(
    private readonly onError: (error: unknown, event: NormalizedEvent) => void = (error, event) => {
      process.stderr.write(
        `oxygen: an event subscriber failed on ${event.id} (${event.source} ${event.type}): ${
          error instanceof Error ? error.message : String(error)
        }\n`,
      );
    },
  ) {}

  /** Adds a subscriber for one organization; returns the function that removes it. */
  subscribe(organizationId: string, filter: EventFilter, handler: EventHandler): () => void {
    const subscriber = { organizationId, filter, handler };
    this.subscribers.add(subscriber);
    return () => {
      this.subscribers.delete(subscriber);
    };
  }

  /** Hands an accepted event to the subscribers of its organization that match it. */
  publish(event: NormalizedEvent): void {
    for (const s of this.subscribers) {
      if (s.organizationId !== event.organization_id) continue;
      if (s.filter.source && s.filter.source !== event.source) continue;
      if (s.filter.event && s.filter.event !== event.type) continue;
      Promise.resolve()
        .then(() => s.handler(event))
        .catch((error) => this.onError(error, event));
    }
  }
}
