/**
 * Provider events: subscriptions, the webhook ingress, triggers, the deliveries log and the
 * delivery worker.
 *
 * @module
 */

export type { EventFilter, EventHandler } from './bus.js';
export { EventBus } from './bus.js';
export type { EventsHost } from './host.js';
export { receiveWebhook } from './ingress.js';
export { type EventRef, OrgEvents, parseSince } from './org-events.js';
export {
  DELIVERY_QUEUE,
  type DeliveryJob,
  type DeliveryQueue,
  EmbeddedQueue,
  PgBossQueue,
  type PgBossQueueOptions,
} from './queue.js';
export { backoffDelay, DEFAULT_DELIVERY_SETTINGS, deliverySettingsFromEnv } from './settings.js';
export { OrgTriggers } from './triggers.js';
export * from './types.js';
export { type DeliveryWorker, type DeliveryWorkerOptions, startDeliveryWorker } from './worker.js';
