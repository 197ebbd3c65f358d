/**
 * `@oxygen/runtime`: the engine behind the `oxygen` CLI and server, usable as a library by
 * internal apps composing plugins.
 *
 * @example
 * ```ts
 * import { createRuntime } from '@oxygen/runtime';
 *
 * const runtime = await createRuntime();            // SQLite under ~/.oxygen, or DATABASE_URL
 * const org = runtime.org('default');
 * console.log(await org.list());                     // connections, never secrets
 * const dry = await org.run('hubspot', 'contact.upsert', { email: 'ada@example.com' }, { dryRun: true });
 * console.log(dry.requests);                         // the exact requests, redacted
 * await runtime.close();
 * ```
 *
 * @packageDocumentation
 */

export * from './auth/index.js';
export * from './catalog.js';
export * from './config.js';
export * from './credits/index.js';
export * from './engine/execute.js';
export * from './engine/paginate.js';
export * from './engine/webhooks.js';
export * from './events/index.js';
export * from './orgs/index.js';
export * from './plugins/contract.js';
export * from './plugins/loader.js';
export * from './runtime.js';
export * from './store/index.js';
export * from './tables/index.js';
export * from './vault/index.js';
export * from './vault/rotate.js';
