/**
 * The `/v1` routes of provider events and workflow triggers: the catalog, enabling and disabling
 * events, the deliveries log and replays, and triggers. Registered inside the authenticated `/v1`
 * context: each acts for the API token's organization only, and another organization's delivery
 * or trigger is "not found". Bodies are exactly the runtime's return values, so the CLI prints
 * the same JSON whether it talks to a server or to its local store.
 *
 * @module
 */

import type { OrgRuntime, Runtime } from '@oxygen/runtime';
import type { FastifyRequest } from 'fastify';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  DeliveriesQuery,
  DeliveriesResponse,
  DisableBody,
  DisableResultSchema,
  EnableBody,
  EnableResultSchema,
  ErrorSchema,
  EventCatalogResponse,
  IdParams,
  TriggerAddResultSchema,
  TriggerBody,
  TriggerInfoSchema,
  TriggersQuery,
} from '../schemas.js';

const ERRORS = { '4xx': ErrorSchema, '5xx': ErrorSchema } as const;
const security = [{ bearer: [] }];

/** The events and triggers routes; register them where `request.identity` is set. */
export const eventRoutes: FastifyPluginAsyncZod<{ runtime: Runtime }> = async (app, { runtime }) => {
  const orgOf = (request: FastifyRequest): OrgRuntime => runtime.org(request.identity!.organization_id);

  app.get(
    '/events',
    {
      schema: {
        operationId: 'listEvents',
        tags: ['events'],
        summary:
          'Every event each provider declares, whether it is enabled and where it is delivered (`oxygen integrations events list`).',
        security,
        response: { 200: EventCatalogResponse, ...ERRORS },
      },
    },
    async (request) => ({ events: await orgOf(request).events.list() }),
  );

  app.post(
    '/events/enable',
    {
      schema: {
        operationId: 'enableEvent',
        tags: ['events'],
        summary: 'Enable an event (`oxygen integrations events enable`).',
        description:
          "Registers a webhook with the provider through its API where it has one (Instantly, Attio), with a signing secret stored encrypted; where it has none (HubSpot) nothing is called and `subscription.setup` says what to configure in the provider's settings. Enabling an enabled event changes nothing (`created: false`). Needs the server's public URL (`oxygen serve --public-url`).",
        security,
        body: EnableBody,
        response: { 200: EnableResultSchema, ...ERRORS },
      },
    },
    async (request) => {
      const { source, event, connection } = request.body;
      return await orgOf(request).events.enable({
        source,
        event,
        ...(connection !== undefined ? { connection } : {}),
      });
    },
  );

  app.post(
    '/events/disable',
    {
      schema: {
        operationId: 'disableEvent',
        tags: ['events'],
        summary: 'Disable an event (`oxygen integrations events disable`).',
        description:
          'Deletes the webhook at the provider when Oxygen registered it; later deliveries of the event are recorded as `ignored`. Disabling a disabled event changes nothing (`subscription: null`).',
        security,
        body: DisableBody,
        response: { 200: DisableResultSchema, ...ERRORS },
      },
    },
    async (request) => await orgOf(request).events.disable(request.body),
  );

  app.get(
    '/events/deliveries',
    {
      schema: {
        operationId: 'listDeliveries',
        tags: ['events'],
        summary:
          'The deliveries log, newest first: every event received and what became of it (`oxygen integrations events deliveries`).',
        description:
          'One row per event and trigger (`pending`, `retrying`, `delivered`, `failed`), and one per event that went nowhere (`ignored`, `duplicate`) or delivery that was refused (`rejected`), each with the reason.',
        security,
        querystring: DeliveriesQuery,
        response: { 200: DeliveriesResponse, ...ERRORS },
      },
    },
    async (request) => ({ deliveries: await orgOf(request).events.deliveries(request.query) }),
  );

  app.post(
    '/events/deliveries/:id/replay',
    {
      schema: {
        operationId: 'replayDelivery',
        tags: ['events'],
        summary: "Send a delivery's event again (`oxygen integrations events replay`).",
        description:
          'To its trigger for a trigger delivery, or to every trigger matching the event now for an ignored or duplicate one. Answers the new deliveries after their first attempt; they are retried like any other.',
        security,
        params: IdParams,
        response: { 200: DeliveriesResponse, ...ERRORS },
      },
    },
    async (request) => ({ deliveries: await orgOf(request).events.replay(request.params.id) }),
  );

  app.get(
    '/triggers',
    {
      schema: {
        operationId: 'listTriggers',
        tags: ['triggers'],
        summary: "The organization's workflow triggers, oldest first (`oxygen workflows triggers list`).",
        security,
        querystring: TriggersQuery,
        response: {
          200: z.object({ triggers: z.array(TriggerInfoSchema) }).meta({ id: 'Triggers' }),
          ...ERRORS,
        },
      },
    },
    async (request) => ({ triggers: await orgOf(request).triggers.list(request.query) }),
  );

  app.post(
    '/triggers',
    {
      schema: {
        operationId: 'addTrigger',
        tags: ['triggers'],
        summary: 'Add a workflow trigger (`oxygen workflows triggers add`).',
        description:
          'Each matching event is POSTed to `url` with `webhook-id`, `webhook-timestamp` and `webhook-signature` headers (Standard Webhooks), retried with exponential backoff. The signing secret is in the answer once, when the trigger is created (201); adding the same source, event and URL again answers the existing trigger without it (200).',
        security,
        body: TriggerBody,
        response: { 200: TriggerAddResultSchema, 201: TriggerAddResultSchema, ...ERRORS },
      },
    },
    async (request, reply) => {
      const result = await orgOf(request).triggers.add(request.body);
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.delete(
    '/triggers/:id',
    {
      schema: {
        operationId: 'removeTrigger',
        tags: ['triggers'],
        summary: 'Remove a workflow trigger (`oxygen workflows triggers remove`).',
        description: 'Its deliveries not yet made end `failed` (`trigger_removed`).',
        security,
        params: IdParams,
        response: { 200: z.object({ trigger: TriggerInfoSchema }).meta({ id: 'TriggerRemoved' }), ...ERRORS },
      },
    },
    async (request) => ({ trigger: await orgOf(request).triggers.remove(request.params.id) }),
  );
};
