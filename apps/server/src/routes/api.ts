/**
 * The `/v1` routes: one per CLI operation, each answering exactly what the CLI prints with
 * `--json`. Every route is authenticated with an organization API token and acts for that
 * organization only: another organization's connection is "not found", never "forbidden".
 *
 * @module
 */

import { AuthError } from '@oxygen/core';
import type { OrgRuntime, Runtime } from '@oxygen/runtime';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { forbidden } from '../errors.js';
import {
  ActionInfoSchema,
  ConnectBody,
  ConnectionSchema,
  ConnectLinkBody,
  ConnectLinkSchema,
  CreditBalanceSchema,
  CreditEntrySchema,
  CreditGrantSchema,
  DryRunReportSchema,
  ErrorSchema,
  GrantBody,
  HistoryQuery,
  IdentitySchema,
  ListQuery,
  OAuthStartBody,
  OAuthStartResponse,
  ProviderInfoSchema,
  ProviderParams,
  RefParams,
  RunBody,
  RunResponse,
} from '../schemas.js';
import { eventRoutes } from './events.js';
import { oauthFlowRoutes } from './oauth.js';

/** What the route plugins need. */
export interface RouteOptions {
  runtime: Runtime;
  /** The server's public URL, without a trailing slash. */
  publicUrl: () => string;
}

/** A JSON value as a header value: URI-encoded, so any message fits in ASCII. */
function headerJson(value: unknown): string {
  return encodeURIComponent(JSON.stringify(value));
}

/** Error responses every authenticated route documents. */
const ERRORS = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;
const security = [{ bearer: [] }];

/**
 * Reads `Authorization: Bearer <token>` and checks it. Every authenticated answer names the
 * token's organization in an `oxygen-organization` header.
 */
async function authenticate(runtime: Runtime, request: FastifyRequest, reply: FastifyReply): Promise<void> {
  const header = request.headers.authorization;
  const token = typeof header === 'string' ? /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header)?.[1] : undefined;
  if (!token) {
    throw new AuthError('This route needs an organization API token.', {
      hint: 'Send `Authorization: Bearer <token>`; create a token with `oxygen tokens create --org <id>`.',
    });
  }
  request.identity = await runtime.tokens.authenticate(token);
  reply.header('oxygen-organization', request.identity.organization_id);
}

/** The `/v1` routes, registered under the `/v1` prefix. */
export const apiRoutes: FastifyPluginAsyncZod<RouteOptions> = async (app, { runtime, publicUrl }) => {
  app.addHook('onRequest', (request, reply) => authenticate(runtime, request, reply));

  const orgOf = (request: FastifyRequest): OrgRuntime => runtime.org(request.identity!.organization_id);

  app.get(
    '/me',
    {
      schema: {
        operationId: 'whoAmI',
        tags: ['organizations'],
        summary: "The token's organization (what `oxygen login` checks).",
        security,
        response: { 200: IdentitySchema, ...ERRORS },
      },
    },
    async (request) => {
      const identity = request.identity!;
      const organization = await runtime.orgs.get(identity.organization_id);
      return {
        organization_id: organization.id,
        organization_name: organization.name,
        token_id: identity.token_id,
        admin: identity.admin,
      };
    },
  );

  app.get(
    '/integrations',
    {
      schema: {
        operationId: 'listIntegrations',
        tags: ['integrations'],
        summary: "The organization's connections (`oxygen integrations list`).",
        security,
        querystring: ListQuery,
        response: { 200: z.array(ConnectionSchema), ...ERRORS },
      },
    },
    async (request) =>
      await orgOf(request).list(request.query.provider ? { provider: request.query.provider } : {}),
  );

  app.post(
    '/integrations/connect',
    {
      schema: {
        operationId: 'connectIntegration',
        tags: ['integrations'],
        summary: 'Connect a provider account (`oxygen integrations connect`).',
        description:
          'With `api_key` (byok API-key providers) the key is verified with the provider, then stored encrypted; it is never returned. With `auth_mode: managed` no credential is needed. For OAuth providers use `/v1/integrations/oauth/start`; to keep a key out of the API client entirely, mint a connect link (`/v1/connect-links`).',
        security,
        body: ConnectBody,
        response: { 201: ConnectionSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { provider, auth_mode, api_key } = request.body;
      const connection = await orgOf(request).connect(provider, {
        ...(auth_mode ? { authMode: auth_mode } : {}),
        ...(api_key !== undefined ? { apiKey: api_key } : {}),
      });
      return reply.code(201).send(connection);
    },
  );

  app.post(
    '/integrations/oauth/start',
    {
      schema: {
        operationId: 'startOAuth',
        tags: ['integrations'],
        summary:
          'Start an OAuth connection: open the returned URL in a browser (`oxygen integrations connect` for OAuth providers).',
        description:
          "Authorization code flow with PKCE (S256) and a single-use state valid for ten minutes. The provider sends the browser back to `redirect_uri` (default `<public url>/oauth/callback`), which completes the connection for this token's organization. Wait for the outcome with `GET /v1/integrations/oauth/{id}`.",
        security,
        body: OAuthStartBody,
        response: { 201: OAuthStartResponse, ...ERRORS },
      },
    },
    async (request, reply) => {
      const { provider, redirect_uri, client } = request.body;
      const redirectUri = redirect_uri ?? `${publicUrl()}/oauth/callback`;
      const started = await orgOf(request).startOAuth(provider, {
        redirectUri,
        ...(client ? { client: { clientId: client.client_id, clientSecret: client.client_secret } } : {}),
      });
      return reply.code(201).send({
        id: started.id,
        url: started.url,
        expires_at: started.expires_at,
        redirect_uri: redirectUri,
      });
    },
  );

  await app.register(oauthFlowRoutes, { runtime });
  await app.register(eventRoutes, { runtime });

  app.post(
    '/integrations/:ref/verify',
    {
      schema: {
        operationId: 'verifyIntegration',
        tags: ['integrations'],
        summary: "Re-run the provider's verification and record the result (`oxygen integrations verify`).",
        description:
          'Updates `last_verified_at`, `status` (`connected`, `error` or `expired`), `account_label`, `scopes` and `last_error`, and answers the connection: a failed verification is recorded in it, not answered as an error. Why it failed comes in the `oxygen-verify-error` header (the error object, URI-encoded JSON).',
        security,
        params: RefParams,
        response: { 200: ConnectionSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const report = await orgOf(request).verifyReport(request.params.ref);
      if (report.error) reply.header('oxygen-verify-error', headerJson(report.error.toJSON()));
      return report.connection;
    },
  );

  app.get(
    '/integrations/:ref',
    {
      schema: {
        operationId: 'getIntegration',
        tags: ['integrations'],
        summary: 'One connection.',
        security,
        params: RefParams,
        response: { 200: ConnectionSchema, ...ERRORS },
      },
    },
    async (request) => orgOf(request).get(request.params.ref),
  );

  app.get(
    '/integrations/:ref/actions',
    {
      schema: {
        operationId: 'listActions',
        tags: ['integrations'],
        summary:
          "What a connection's provider can do, with input and output JSON Schemas (`oxygen integrations actions`).",
        security,
        params: RefParams,
        response: { 200: z.array(ActionInfoSchema), ...ERRORS },
      },
    },
    async (request) => (await orgOf(request).actions(request.params.ref)).actions,
  );

  app.post(
    '/integrations/:ref/run',
    {
      schema: {
        operationId: 'runAction',
        tags: ['integrations'],
        summary: 'Run an action with the connection credential, or dry-run it (`oxygen integrations run`).',
        security,
        params: RefParams,
        body: RunBody,
        response: { 200: z.union([DryRunReportSchema, RunResponse]), ...ERRORS },
      },
    },
    async (request, reply) => {
      const { action, input, dry_run } = request.body;
      const org = orgOf(request);
      if (dry_run) return await org.run(request.params.ref, action, input ?? {}, { dryRun: true });
      const report = await org.run(request.params.ref, action, input ?? {});
      reply
        .header(
          'oxygen-integration',
          `${report.integration.id} ${report.integration.provider} ${report.integration.auth_mode}`,
        )
        .header('oxygen-credits', String(report.credits))
        .header('oxygen-duration-ms', String(report.duration_ms))
        .header('oxygen-request-ids', report.request_ids.join(','));
      return report.output;
    },
  );

  app.post(
    '/integrations/:ref/disconnect',
    {
      schema: {
        operationId: 'disconnectIntegration',
        tags: ['integrations'],
        summary: 'Disconnect and destroy the credential (`oxygen integrations disconnect`).',
        description:
          'Revokes an OAuth token at the provider where it has a revoke endpoint, then destroys the credential; a failed revocation does not stop the disconnect. The `oxygen-revoke` header says what became of it (`revoked`, `failed`, `not_supported`, `not_needed`), with `oxygen-revoke-error` (URI-encoded JSON) when it failed.',
        security,
        params: RefParams,
        response: { 200: ConnectionSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const report = await orgOf(request).disconnectReport(request.params.ref);
      reply.header('oxygen-revoke', report.revoke.status);
      if (report.revoke.error) reply.header('oxygen-revoke-error', headerJson(report.revoke.error.toJSON()));
      return report.connection;
    },
  );

  app.get(
    '/credits',
    {
      schema: {
        operationId: 'creditBalance',
        tags: ['credits'],
        summary: "The organization's credit balance (`oxygen credits balance`).",
        security,
        response: { 200: CreditBalanceSchema, ...ERRORS },
      },
    },
    async (request) => orgOf(request).credits.balance(),
  );

  app.get(
    '/credits/history',
    {
      schema: {
        operationId: 'creditHistory',
        tags: ['credits'],
        summary: "The organization's credit ledger, newest first.",
        security,
        querystring: HistoryQuery,
        response: { 200: z.array(CreditEntrySchema), ...ERRORS },
      },
    },
    async (request) => orgOf(request).credits.history(request.query.limit),
  );

  app.post(
    '/credits/grant',
    {
      schema: {
        operationId: 'grantCredits',
        tags: ['credits'],
        summary: "Add credits to the token's organization (`oxygen credits grant`). Needs an admin token.",
        security,
        body: GrantBody,
        response: { 200: CreditGrantSchema, ...ERRORS },
      },
    },
    async (request) => {
      if (!request.identity!.admin) {
        throw forbidden(
          new AuthError('Granting credits needs an admin API token.', {
            hint: 'Create one with `oxygen tokens create --org <id> --admin`.',
          }),
        );
      }
      return await orgOf(request).credits.grant(request.body.amount, request.body.note);
    },
  );

  app.get(
    '/providers',
    {
      schema: {
        operationId: 'listProviders',
        tags: ['providers'],
        summary: 'Every provider, its auth modes, actions and events (`oxygen providers list`).',
        description:
          'Plugins the server could not load are left out; the `oxygen-plugin-failures` header lists them (URI-encoded JSON of `{source, error, hint?}`).',
        security,
        response: { 200: z.array(ProviderInfoSchema), ...ERRORS },
      },
    },
    async (request, reply) => {
      const { providers, failures } = await runtime.providers();
      for (const f of failures) request.log.warn({ plugin: f.source }, `plugin skipped: ${f.error}`);
      if (failures.length > 0) reply.header('oxygen-plugin-failures', headerJson(failures));
      return providers;
    },
  );

  app.get(
    '/providers/:id',
    {
      schema: {
        operationId: 'getProvider',
        tags: ['providers'],
        summary: 'One provider in full (`oxygen providers show`).',
        security,
        params: ProviderParams,
        response: { 200: ProviderInfoSchema, ...ERRORS },
      },
    },
    async (request) => runtime.provider(request.params.id),
  );

  app.post(
    '/connect-links',
    {
      schema: {
        operationId: 'createConnectLink',
        tags: ['connect links'],
        summary: 'Mint a single-use link to a page where whoever holds the provider API key types it in.',
        description:
          'The link works once, for 15 minutes. The page verifies the key with the provider, stores it encrypted for this organization, and shows the connected account. Only a hash of the link is stored: it is shown once, here.',
        security,
        body: ConnectLinkBody,
        response: { 201: ConnectLinkSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const link = await runtime.connectLinks.create(
        request.identity!.organization_id,
        request.body.provider,
      );
      return reply.code(201).send({
        id: link.id,
        url: `${publicUrl()}/connect/${link.token}`,
        provider: link.provider,
        organization_id: link.organization_id,
        expires_at: link.expires_at,
      });
    },
  );
};
