/**
 * `GET /oauth/callback`: where a provider sends the browser back after the person approves (or
 * refuses) an OAuth connection started with `POST /v1/integrations/oauth/start`. The single-use
 * `state` names the organization; the runtime checks it, exchanges the code with the PKCE
 * verifier, verifies the token and stores the connection. The page shows the result, never a
 * token.
 *
 * @module
 */

import { OxygenError } from '@oxygen/core';
import type { Runtime } from '@oxygen/runtime';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { statusOf, toOxygenError } from '../errors.js';
import { connectedPage, messagePage, PAGE_HEADERS } from '../html.js';
import { OAuthCallbackQuery } from '../schemas.js';

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
