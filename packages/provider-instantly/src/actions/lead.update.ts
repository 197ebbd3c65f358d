import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import {
  customVariables,
  INTEREST_STATUS,
  type InterestStatus,
  leadFields,
  leadRecord,
  toLead,
  uuid,
} from '../shared.js';
import { parseWire, wireLead } from '../wire.js';

const interestLabels = Object.keys(INTEREST_STATUS) as [InterestStatus, ...InterestStatus[]];

/**
 * Updates a lead's fields, custom variables or interest status (`PATCH /api/v2/leads/{id}`).
 * Only the fields given change; `custom_variables` is sent as given, so include every custom
 * variable the lead should keep.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly lead.update \
 *   --input '{"id":"01938a5e-0000-7000-8000-00000000a001","job_title":"CTO","interest_status":"interested"}' --json
 * ```
 */
export const leadUpdate = defineAction({
  slug: 'lead.update',
  title: 'Update a lead',
  description:
    "Changes an Instantly lead's fields, custom variables or interest status (interested, meeting_booked, ...). Only the fields given change.",
  input: z
    .strictObject({
      id: uuid('lead').describe('Instantly lead id.'),
      ...leadFields,
      custom_variables: customVariables
        .optional()
        .describe('Custom variables, sent as given: include every variable the lead should keep.'),
      interest_status: z
        .enum(interestLabels)
        .optional()
        .describe('Sets the lead interest (Instantly lt_interest_status).'),
    })
    .refine((i) => Object.keys(i).some((k) => k !== 'id'), { message: 'give at least one field to change' }),
  output: leadRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // The same patch twice leaves the lead in the same state.
  idempotent: true,
  scopes: ['leads:update'],
  mirror: { recordId: (o) => o.id, label: 'instantly_lead_id' },
  run: async (input, ctx) => {
    const { id, interest_status, ...fields } = input;
    const json = {
      ...fields,
      ...(interest_status !== undefined ? { lt_interest_status: INTEREST_STATUS[interest_status] } : {}),
    };
    const body = await ctx.http.patch(`api/v2/leads/${encodeURIComponent(id)}`, { json }).json();
    return toLead(parseWire(wireLead, body, 'the lead update'));
  },
});
