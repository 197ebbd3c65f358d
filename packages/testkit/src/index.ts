/**
 * `@oxygen/testkit`: what a provider author tests a plugin with.
 *
 * - {@link describeConformance}: the behavioural contract every plugin must meet, run through real
 *   HTTP against the plugin's sandbox.
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
