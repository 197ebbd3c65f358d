/**
 * Pipelane's request and response shapes, as far as this plugin uses them, from its API
 * reference (`API.md`, "Pipelane API v2"). Response schemas check only the fields the plugin reads
 * and let everything else pass through, so a field Pipelane adds never breaks a call. Request
 * bodies are plain types: the plugin builds them.
 *
 * @module
 */

import { ProviderError } from '@oxygen/core';
import { z } from 'zod';

/** A deal's pipeline stage (API.md, "Deals"). */
export const STAGES = ['lead', 'qualified', 'proposal', 'won', 'lost'] as const;
/** A deal's pipeline stage. */
export type Stage = (typeof STAGES)[number];

/** `GET /v2/users/me`: the user the token belongs to, and their company. */
export const wireMe = z.looseObject({
  data: z.looseObject({ id: z.number(), email: z.string(), company_name: z.string() }),
});

/** A deal (API.md, "Deals"). */
export const wireDeal = z.looseObject({
  id: z.number(),
  title: z.string(),
  value: z.number(),
  currency: z.string(),
  stage: z.string(),
  person_email: z.string().nullable(),
  add_time: z.string(),
  update_time: z.string(),
});
/** A deal as Pipelane answers it. */
export type WireDeal = z.infer<typeof wireDeal>;

/** `{ success, data: deal }`: `POST /v2/deals`, `PATCH /v2/deals/{id}`. */
export const wireDealAnswer = z.looseObject({ data: wireDeal });

/** `GET /v2/deals`: one page. */
export const wireDealPage = z.looseObject({
  data: z.array(wireDeal),
  additional_data: z.looseObject({ next_cursor: z.string().nullable() }),
});

/** The body of `POST /v2/deals`. */
export interface WireDealCreate {
  title: string;
  value?: number;
  currency?: string;
  stage?: Stage;
  person_email?: string;
}

/** The body of `PATCH /v2/deals/{id}` as this plugin sends it. */
export interface WireDealMove {
  stage: Stage;
}

/** The body of `POST /v2/webhooks`. */
export interface WireWebhookCreate {
  url: string;
  events: string[];
}

/** `POST /v2/webhooks` answer: the webhook id and its signing secret (shown only here). */
export const wireWebhookCreated = z.looseObject({
  data: z.looseObject({ id: z.string(), secret: z.string() }),
});

/** One webhook event: `{ id, type, created_at, data }`. */
export const wireDelivery = z.looseObject({
  id: z.string(),
  type: z.string(),
  created_at: z.string(),
  data: z.record(z.string(), z.unknown()),
});

/** The failure body: `{ success: false, error, error_code }`. */
export const wireError = z.looseObject({
  error: z.string().optional(),
  error_code: z.string().optional(),
});

/**
 * Parses an answer with `schema`, or throws a `ProviderError` saying Pipelane answered `what`
 * with an unexpected shape.
 *
 * @example
 * ```ts
 * const me = parseWire(wireMe, await ctx.http.get('v2/users/me').json(), 'the current user');
 * ```
 */
export function parseWire<S extends z.ZodType>(schema: S, body: unknown, what: string): z.output<S> {
  const result = schema.safeParse(body);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  throw new ProviderError(
    `Pipelane answered ${what} with an unexpected shape: ${issue?.message ?? 'invalid'} at "${issue?.path.join('.') ?? ''}".`,
    { hint: 'Pipelane may have changed this API; report it to the plugin author.' },
  );
}
