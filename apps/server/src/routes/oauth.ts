/**
 * The server's side of OAuth connections:
 *
 * - `GET /oauth/callback`: where a provider sends the browser back after the person approves (or
 *   refuses) an OAuth connection started with `POST /v1/integrations/oauth/start`. The
 *   single-use `state` names the organization; the runtime checks it, exchanges the code with the
 *   PKCE verifier, verifies the token and stores the connection. The page shows the result, never
 *   a token.
 * - `GET /v1/integrations/oauth/:id` (a long poll) and `POST /v1/integrations/oauth/:id/cancel`:
 *   how a flow ended, for the organization that started it (the CLI in client mode waits on this).
 *
 * @module
 */

import { OxygenError } from '@oxygen/core';
import type { OrgRuntime, Runtime } from '@oxygen/runtime';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { statusOf, toOxygenError } from '../errors.js';
import { connectedPage, messagePage, PAGE_HEADERS } from '../html.js';
import {
  ErrorSchema,
  OAUTH_MAX_WAIT_SECONDS,
  OAuthCallbackQuery,
  OAuthFlowParams,
  OAuthStatusQuery,
  OAuthStatusSchema,
} from '../schemas.js';

/** The OAuth callback route. */
export const oauthCallbackRoutes: FastifyPluginAsyncZod<{ runtime: Runtime }> = async (app, { runtime }) => {
  app.get(
    '/oauth/callback',
    { schema: { hide: true, querystring: OAuthCallbackQuery } },
    async (request, reply) => {
      const { state, code, error, error_description } = request.query;
      reply.headers(PAGE_HEADERS);
      try {
        const connection = await runtime.completeOAuth({
          state: state ?? '',
          code,
          error,
          errorDescription: error_description,
        });
        const provider = await runtime.provider(connection.provider);
        return reply.code(200).send(
          connectedPage({
            providerName: provider.name,
            accountLabel: connection.account_label,
            connectionId: connection.id,
          }),
        );
      } catch (caught) {
        const failure = toOxygenError(caught, request.id);
        const status = statusOf(failure);
        if (status >= 500)
          request.log.error({ code: failure.code, err: caught }, `oauth callback: ${failure.message}`);
        else request.log.info({ code: failure.code }, `oauth callback: ${failure.message}`);
        return reply.code(status).send(
          messagePage({
            title: 'The connection was not made',
            message: OxygenError.isInstance(caught) ? failure.message : 'The server failed unexpectedly.',
            hint: failure.hint ?? 'Start the connection again.',
          }),
        );
      }
    },
  );
};

const ERRORS = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;
const security = [{ bearer: [] }];

/**
 * The OAuth flow routes, registered inside the authenticated `/v1` plugin: each answers for the
 * token's organization only (another organization's flow is 404). A flow is named by its id, not
 * its state, so no secret travels in these URLs or their log lines.
 */
export const oauthFlowRoutes: FastifyPluginAsyncZod<{ runtime: Runtime }> = async (app, { runtime }) => {
  const orgOf = (request: FastifyRequest): OrgRuntime => runtime.org(request.identity!.organization_id);
  // Waiting requests end when the server closes rather than holding the close up.
  const closing = new AbortController();
  app.addHook('preClose', async () => closing.abort());

  app.get(
    '/integrations/oauth/:id',
    {
      schema: {
        operationId: 'getOAuthStatus',
        tags: ['integrations'],
        summary:
          'How an OAuth connection started with `/v1/integrations/oauth/start` stands; can wait for it.',
        description: `\`pending\` until the provider's redirect reaches \`/oauth/callback\` and the connection is made (\`connected\`, with the connection) or refused (\`failed\`, with the error: nothing was stored), or the approval window passes (\`expired\`). With \`wait\` (up to ${OAUTH_MAX_WAIT_SECONDS} s) a pending flow is answered as soon as it ends. Another organization's flow is 404.`,
        security,
        params: OAuthFlowParams,
        querystring: OAuthStatusQuery,
        response: { 200: OAuthStatusSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const stop = new AbortController();
      const abort = () => stop.abort();
      closing.signal.addEventListener('abort', abort, { once: true });
      // The client went away: stop waiting for it.
      reply.raw.once('close', abort);
      try {
        return await orgOf(request).oauthStatus(request.params.id, {
          waitMs: (request.query.wait ?? 0) * 1000,
          signal: stop.signal,
        });
      } finally {
        closing.signal.removeEventListener('abort', abort);
        reply.raw.off('close', abort);
      }
    },
  );

  app.post(
    '/integrations/oauth/:id/cancel',
    {
      schema: {
        operationId: 'cancelOAuth',
        tags: ['integrations'],
        summary: 'Cancel an OAuth connection nobody has completed yet (the CLI does when it stops waiting).',
        description:
          "Spends the flow's state, so an approval arriving later is refused and stores nothing; the flow then reads `failed`. A flow that already ended or expired is left as it is. Answers the status after the attempt: `connected` when the approval came first.",
        security,
        params: OAuthFlowParams,
        response: { 200: OAuthStatusSchema, ...ERRORS },
      },
    },
    async (request) => orgOf(request).cancelOAuth(request.params.id),
  );
};
