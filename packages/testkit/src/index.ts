/**
 * `@oxygen/testkit`: what a provider author tests a plugin with.
 *
 * - {@link describeConformance}: the behavioural contract every plugin must meet, run through real
 *   HTTP against the plugin's sandbox.
 * - {@link describeSkill}: the plugin's `SKILL.md` is in Agent Skills format, documents every action,
 *   and every example in it is an input the action accepts.
 * - {@link createRequestValidator} (with {@link findProviderSpecs} and {@link loadOpenApiSpec}):
 *   every request the plugin sends matches the provider's published OpenAPI description.
 * - {@link startReceiver}: a local webhook receiver that records deliveries as an ingress sees them
 *   and answers the statuses a test sets, for testing a sandbox's webhooks and their retries.
 *
 * @example
 * ```ts
 * import { describeConformance } from '@oxygen/testkit';
 * describeConformance({ plugin, sandbox: startMySandbox, samples: { 'contact.get': { id: '1' } } });
 * ```
 *
 * @packageDocumentation
 */

export * from './conformance.js';
export * from './failure.js';
export * from './openapi.js';
export * from './receiver.js';
export * from './skill.js';
