import { defineAction } from '@oxygen/core';
import { z } from 'zod';
import { email, emailRecord, toEmail, uuid } from '../shared.js';
import { parseWire, wireEmail } from '../wire.js';

/**
 * Replies in a thread (`POST /api/v2/emails/reply`): the reply goes to the sender of the email
 * replied to (there is no `to`), from one of the workspace's sending accounts. `reply_to_uuid`
 * is an email id, e.g. from `email.list` or a webhook's `email_id`.
 *
 * @example
 * ```sh
 * oxygen integrations run instantly email.reply \
 *   --input '{"reply_to_uuid":"01938a5e-0000-7000-8000-00000000e002","eaccount":"sam@send.example.com","subject":"Re: Quick question","text":"Thanks Ada, Tuesday works."}' --json
 * ```
 */
export const emailReply = defineAction({
  slug: 'email.reply',
  title: 'Reply to an email',
  description:
    'Sends a reply in an Instantly thread from a sending account of the workspace. The reply goes to the sender of the email replied to, plus any cc/bcc.',
  input: z
    .strictObject({
      reply_to_uuid: uuid('email').describe(
        'The id of the email to reply to (email.list id, webhook email_id).',
      ),
      eaccount: email.describe('The sending account to reply from: one connected to the workspace.'),
      subject: z.string().min(1).describe('Subject line, usually "Re: " and the original subject.'),
      text: z.string().min(1).optional().describe('Plain-text body.'),
      html: z.string().min(1).optional().describe('HTML body; use <br/> for line breaks.'),
      cc: z.array(email).optional(),
      bcc: z.array(email).optional(),
    })
    .refine((i) => i.text !== undefined || i.html !== undefined, {
      message: 'give "text", "html" or both',
    }),
  output: emailRecord,
  authModes: ['byok'],
  credits: 0,
  effect: 'write',
  // Never retried on a lost answer: a second request sends a second email.
  idempotent: false,
  scopes: ['emails:create'],
  mirror: { recordId: (o) => o.id, label: 'instantly_email_id' },
  run: async (input, ctx) => {
    const json = {
      reply_to_uuid: input.reply_to_uuid,
      eaccount: input.eaccount,
      subject: input.subject,
      body: {
        ...(input.text !== undefined ? { text: input.text } : {}),
        ...(input.html !== undefined ? { html: input.html } : {}),
      },
      ...(input.cc?.length ? { cc_address_email_list: input.cc.join(',') } : {}),
      ...(input.bcc?.length ? { bcc_address_email_list: input.bcc.join(',') } : {}),
    };
    const body = await ctx.http.post('api/v2/emails/reply', { json }).json();
    return toEmail(parseWire(wireEmail, body, 'the reply'));
  },
});
