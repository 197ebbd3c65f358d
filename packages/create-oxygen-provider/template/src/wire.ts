/**
 * __NAME__'s request and response shapes, as far as this plugin uses them. Response schemas check
 * only the fields the plugin reads and let everything else pass through (`z.looseObject`), so a
 * field __NAME__ adds never breaks a call. Request bodies are plain types: the plugin builds them.
 *
 * Write each shape from __NAME__'s API reference and name the page it comes from; the sandbox
 * (`src/sandbox/`) answers in the same shapes.
 *
 * @module
 */

import { ProviderError } from '@oxygen/core';
import { z } from 'zod';

/** `GET /v1/me`: the account the API key belongs to. */
export const wireMe = z.looseObject({
  account: z.looseObject({ id: z.string(), name: z.string() }),
});

/** A contact, as `GET /v1/contacts` and `POST /v1/contacts` answer it. */
export const wireContact = z.looseObject({
  id: z.string(),
  email: z.string(),
  name: z.string().nullable(),
  created_at: z.string(),
});
/** A contact as __NAME__ answers it. */
export type WireContact = z.infer<typeof wireContact>;

/** `GET /v1/contacts?limit=&cursor=&email=`: one page of contacts. */
export const wireContactPage = z.looseObject({
  data: z.array(wireContact),
  next_cursor: z.string().nullable(),
});

/** The body of `POST /v1/contacts`. */
export interface WireContactCreate {
  email: string;
  name?: string;
}

/** The body of `POST /v1/webhooks`: where to deliver, and which event types. */
export interface WireWebhookCreate {
  url: string;
  events: string[];
}

/** `POST /v1/webhooks` answer: the webhook id and its signing secret (shown only here). */
export const wireWebhookCreated = z.looseObject({ id: z.string(), secret: z.string() });

/** One webhook delivery: `{ id, type, created_at, data }`. */
export const wireDelivery = z.looseObject({
  id: z.string(),
  type: z.string(),
  created_at: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** The error body of every non-2xx answer: `{ "error": { "code", "message" } }`. */
export const wireError = z.looseObject({
  error: z.looseObject({ code: z.string().optional(), message: z.string().optional() }),
});

/**
 * Parses an answer with `schema`, or throws a `ProviderError` saying __NAME__ answered `what`
 * with an unexpected shape (the provider changed its API, or the base URL points elsewhere).
 *
 * @example
 * ```ts
 * const me = parseWire(wireMe, await ctx.http.get('v1/me').json(), 'the account');
 * ```
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProviderError(
    `__NAME__ answered ${what} with an unexpected shape: ${issue?.message ?? 'invalid'} at "${issue?.path.join('.') ?? ''}".`,
    { hint: '__NAME__ may have changed this API; report it to the plugin author.' },
  );
}
