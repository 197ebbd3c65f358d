/**
 * `@oxygen/core`: the contract a provider plugin is written against.
 *
 * @example
 * ```ts
 * import { apiKey, defineAction, defineProvider } from '@oxygen/core';
 * import { z } from 'zod';
 *
 * const ping = defineAction({
 *   slug: 'ping.get', title: 'Ping', description: 'Checks the API answers.',
 *   input: z.object({}), output: z.object({ ok: z.boolean() }),
 *   authModes: ['byok'], credits: 0, effect: 'read',
 *   run: async (_input, ctx) => ctx.http.get('ping').json(),
 * });
 *
 * export default defineProvider({
 *   apiVersion: 1, id: 'acme', name: 'Acme', baseUrl: 'https://api.acme.test',
 *   auth: { byok: [apiKey({ label: 'Acme API key' })] },
 *   verify: async (ctx) => ({ accountLabel: (await ctx.http.get('me').json<{ name: string }>()).name }),
 *   actions: [ping],
 * });
 * ```
 *
 * @packageDocumentation
 */

export * from './auth.js';
export * from './connection.js';
export * from './errors.js';
export * from './http.js';
export * from './provider.js';
export * from './rate-limit.js';
export * from './redact.js';
export * from './schema.js';
export * from './time.js';
export * from './webhook.js';
