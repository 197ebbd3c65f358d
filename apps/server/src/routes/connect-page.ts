/**
 * The hosted API-key connect page: `GET /connect/:link` serves a form with one password field and
 * a CSRF token; `POST /connect/:link` (same origin, form-encoded) verifies the key with the
 * provider, stores it encrypted and shows the connected account. The link works once.
 *
 * CSRF defence, three layers: the form's token is random, bound to the link and stored hashed
 * (only the form served last is accepted); the same token rides in an `HttpOnly; SameSite=Strict`
 * cookie scoped to the link's path, which a cross-site post does not carry; and a post whose
 * `Origin` (or `Sec-Fetch-Site`) says it came from elsewhere is refused.
 *
 * @module
 */

import { AuthError, OxygenError } from '@oxygen/core';
import { linkGone } from '@oxygen/runtime';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { statusOf, toOxygenError } from '../errors.js';
import { connectedPage, connectFormPage, messagePage, PAGE_HEADERS } from '../html.js';
import type { RouteOptions } from './api.js';

const COOKIE = 'oxygen_connect_csrf';
const FORM_LIMIT = 16 * 1024;

function cookieValue(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [k, ...v] = part.trim().split('=');
    if (k === name) return v.join('=');
  }
  return undefined;
}

function html(reply: FastifyReply, status: number, body: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).send(body);
}

/** A page for a failure: 410 for a used or expired link, the error's own status otherwise. */
function errorPage(reply: FastifyReply, error: OxygenError): FastifyReply {
  const state = error.data?.link_state;
  if (state === 'used' || state === 'expired') {
    return html(
      reply,
      410,
      messagePage({
        title: state === 'used' ? 'This link was already used' : 'This link has expired',
        message: error.message,
        hint: error.hint,
      }),
    );
  }
  if (error.field === 'csrf') {
    return html(
      reply,
      403,
      messagePage({ title: 'This form cannot be sent', message: error.message, hint: error.hint }),
    );
  }
  if (error.code === 'not_found') {
    return html(
      reply,
      404,
      messagePage({ title: 'Link not found', message: error.message, hint: error.hint }),
    );
  }
  return html(
    reply,
    statusOf(error),
    messagePage({ title: 'Something went wrong', message: error.message, hint: error.hint }),
  );
}

/** The connect page routes (not under `/v1`: the link itself is the credential). */
export const connectPageRoutes: FastifyPluginAsync<RouteOptions> = async (app, { runtime, publicUrl }) => {
  // Forms post application/x-www-form-urlencoded; URLSearchParams parses it (this scope only).
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: FORM_LIMIT },
    (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );

  const secure = () => publicUrl().startsWith('https:');
  /** The page's path as the browser sees it (a proxy may mount the server under a prefix). */
  const cookiePath = (link: string) => `${new URL(publicUrl()).pathname.replace(/\/+$/, '')}/connect/${link}`;

  /** Serves the form with a fresh CSRF token, in the page and in a link-scoped cookie. */
  async function serveForm(
    reply: FastifyReply,
    link: string,
    status: number,
    error?: OxygenError,
  ): Promise<FastifyReply> {
    const opened = await runtime.connectLinks.open(link);
    const maxAge = Math.max(1, Math.floor((Date.parse(opened.link.expires_at) - Date.now()) / 1000));
    reply.header(
      'set-cookie',
      `${COOKIE}=${opened.csrf}; Path=${cookiePath(link)}; Max-Age=${maxAge}; HttpOnly; SameSite=Strict${secure() ? '; Secure' : ''}`,
    );
    // The provider's reason; the runtime's hint speaks of CLI commands, so the page says its own.
    const reason = error ? `${error.message} Check the key and try again.` : undefined;
    return html(
      reply,
      status,
      connectFormPage({
        providerName: opened.provider.name,
        keyLabel: opened.provider.key_label,
        organizationName: opened.organization.name,
        expiresAt: opened.link.expires_at,
        csrf: opened.csrf,
        error: reason,
      }),
    );
  }

  async function handle(reply: FastifyReply, request: FastifyRequest, work: () => Promise<FastifyReply>) {
    try {
      return await work();
    } catch (error) {
      const known = toOxygenError(error, request.id);
      if (statusOf(known) >= 500)
        request.log.error({ code: known.code, err: error }, `connect page: ${known.message}`);
      else request.log.info({ code: known.code }, `connect page: ${known.message}`);
      return errorPage(reply, known);
    }
  }

  app.get<{ Params: { link: string } }>('/connect/:link', { schema: { hide: true } }, (request, reply) =>
    handle(reply, request, () => serveForm(reply, request.params.link, 200)),
  );

  app.post<{ Params: { link: string }; Body: Record<string, string> }>(
    '/connect/:link',
    { schema: { hide: true } },
    (request, reply) =>
      handle(reply, request, async () => {
        const link = request.params.link;
        const origin = request.headers.origin;
        const site = request.headers['sec-fetch-site'];
        if (
          (origin && origin !== new URL(publicUrl()).origin) ||
          (site && site !== 'same-origin' && site !== 'none')
        ) {
          throw new AuthError('This form can only be sent from its own page.', {
            field: 'csrf',
            hint: 'Open the link itself and type the key there.',
          });
        }
        // A used or expired link says so (410) whatever the form holds.
        const { state } = await runtime.connectLinks.get(link);
        if (state !== 'active') throw linkGone(state);
        const body = request.body && typeof request.body === 'object' ? request.body : {};
        const csrf = typeof body.csrf === 'string' ? body.csrf : '';
        if (!csrf || cookieValue(request.headers.cookie, COOKIE) !== csrf) {
          throw new AuthError('This form is out of date or was not served by this server.', {
            field: 'csrf',
            hint: 'Reload the page and type the key again.',
          });
        }
        try {
          const { connection } = await runtime.connectLinks.submit(link, {
            csrf,
            apiKey: typeof body.api_key === 'string' ? body.api_key : '',
          });
          const provider = await runtime.provider(connection.provider);
          reply.header(
            'set-cookie',
            `${COOKIE}=; Path=${cookiePath(link)}; Max-Age=0; HttpOnly; SameSite=Strict`,
          );
          return html(
            reply,
            200,
            connectedPage({
              providerName: provider.name,
              accountLabel: connection.account_label,
              connectionId: connection.id,
            }),
          );
        } catch (error) {
          // A refused key (or a provider failure): the form again, with the provider's reason.
          if (OxygenError.isInstance(error) && error.code !== 'not_found' && error.field !== 'csrf') {
            return serveForm(reply, link, statusOf(error), error);
          }
          throw error;
        }
      }),
  );
};
