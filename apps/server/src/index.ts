/**
 * `@oxygen/server`: the Oxygen Integrations HTTP API. Every `/v1` route is one CLI operation,
 * authenticated with an organization API token and answering exactly what the CLI prints with
 * `--json`; `GET /openapi.json` is generated from the same zod schemas that validate requests.
 * It also serves the OAuth callback and the hosted API-key connect page.
 *
 * @example
 * ```ts
 * import { startServer } from '@oxygen/server';
 *
 * const server = await startServer({ port: 8080 });   // embedded store, or DATABASE_URL
 * const org = await server.runtime.orgs.create('Acme');
 * const { token } = await server.runtime.tokens.create(org.id);
 * const res = await fetch(`${server.url}/v1/integrations`, { headers: { authorization: `Bearer ${token}` } });
 * console.log(await res.json());                       // []
 * await server.close();
 * ```
 *
 * @packageDocumentation
 */

export { FORBIDDEN, forbidden, HTTP_STATUS, statusOf } from './errors.js';
export { PAGE_CSP } from './html.js';
export {
  createServer,
  normalisePublicUrl,
  REDACTED_LOG_PATHS,
  redactUrl,
  type ServerLoggerOptions,
  type ServerOptions,
} from './server.js';
export { type RunningServer, type StartServerOptions, startServer } from './start.js';
