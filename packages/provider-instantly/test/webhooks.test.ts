import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { emailList, emailReply, INSTANTLY_EVENTS, matchInstantlyWebhook } from '../src/index.js';
import {
  type InstantlySandbox,
  SANDBOX_SEED,
  type SandboxWebhookEvent,
  startInstantlySandbox,
} from '../src/sandbox/index.js';
import { run } from './helpers.js';

/** A local webhook receiver recording what arrives, as an ingress endpoint would see it. */
interface Received {
  method: string;
  path: string;
  headers: Record<string, string | string[] | undefined>;
  body: Record<string, unknown>;
}

let sandbox: InstantlySandbox;
let receiver: Server;
let receiverUrl: string;
const received: Received[] = [];
let answerStatus = 200;

beforeAll(async () => {
  sandbox = await startInstantlySandbox();
  receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      res.statusCode = answerStatus;
      res.end(answerStatus === 200 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', () => resolve()));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks/instantly`;
});
afterAll(async () => {
  await sandbox.close();
  await new Promise<void>((resolve) => receiver.close(() => resolve()));
});
beforeEach(() => {
  sandbox.reset();
  received.length = 0;
  answerStatus = 200;
});

describe('sendWebhook: deliveries the way Instantly makes them', () => {
  it('POSTs flat JSON with the custom headers echoed and no signature of any kind', async () => {
    const delivery = await sandbox.sendWebhook({
      url: receiverUrl,
      event: 'email_sent',
      headers: { 'x-shared-secret': 's3cret-value', authorization: 'Basic dXNlcjpwYXNz' },
    });
    expect(delivery.status).toBe(200);
    expect(received).toHaveLength(1);
    const [hit] = received;
    expect(hit).toMatchObject({ method: 'POST', path: '/hooks/instantly' });
    expect(hit?.headers['content-type']).toBe('application/json');
    expect(hit?.headers['x-shared-secret']).toBe('s3cret-value');
    expect(hit?.headers.authorization).toBe('Basic dXNlcjpwYXNz');
    expect(Object.keys(hit?.headers ?? {}).filter((h) => /signature|hmac|timestamp/i.test(h))).toEqual([]);
    expect(hit?.body).toMatchObject({
      event_type: 'email_sent',
      workspace: SANDBOX_SEED.workspace,
      campaign_id: SANDBOX_SEED.campaigns.active,
      campaign_name: 'Agency follow-up',
      lead_email: 'ada@example.com',
      email_account: 'sam@send.example.com',
      step: 1,
      variant: 1,
      is_first: true,
      email_id: SANDBOX_SEED.emails.adaStep1,
      email_subject: 'Quick question about Analytical Engines',
      // Lead data merged in as extra keys.
      firstName: 'Ada',
      topic: 'engines',
    });
    expect(Date.parse(String(hit?.body.timestamp))).not.toBeNaN();
  });

  it('delivers every event under its payload name; each matches the plugin event it is', async () => {
    const subscriptions: SandboxWebhookEvent[] = INSTANTLY_EVENTS.map(
      (e) => e.providerType as SandboxWebhookEvent,
    );
    for (const event of subscriptions) await sandbox.sendWebhook({ url: receiverUrl, event });
    expect(received.map((r) => r.body.event_type)).toEqual(INSTANTLY_EVENTS.map((e) => e.payloadType));
    expect(received[2]?.body.event_type).toBe('link_clicked');
    expect(received.map((r) => matchInstantlyWebhook(r.body)?.type)).toEqual(
      INSTANTLY_EVENTS.map((e) => e.type),
    );
    for (const [n, event] of INSTANTLY_EVENTS.entries()) {
      expect(event.data.safeParse(received[n]?.body).success, event.type).toBe(true);
    }
    // Matching on the subscription name would miss link clicks.
    expect(matchInstantlyWebhook({ ...received[2]?.body, event_type: 'email_link_clicked' })).toBeNull();
  });

  it('auto-replies arrive on the reply subscription under their own name and are not email.reply_received', async () => {
    sandbox.receiveReply(SANDBOX_SEED.leads.grace, {
      text: 'I am out of office until Monday.',
      autoReply: true,
    });
    await sandbox.sendWebhook({
      url: receiverUrl,
      event: 'auto_reply_received',
      leadId: SANDBOX_SEED.leads.grace,
    });
    expect(received[0]?.body.event_type).toBe('auto_reply_received');
    expect(matchInstantlyWebhook(received[0]?.body)).toBeNull();
  });

  it('closes the loop: a reply arrives, its webhook email_id is what email.reply answers', async () => {
    const inbound = sandbox.receiveReply(SANDBOX_SEED.leads.grace, {
      text: 'Sounds interesting, tell me more.',
    });
    await sandbox.sendWebhook({
      url: receiverUrl,
      event: 'reply_received',
      leadId: SANDBOX_SEED.leads.grace,
      headers: { 'x-shared-secret': 'abc' },
    });
    const event = matchInstantlyWebhook(received[0]?.body);
    expect(event?.type).toBe('email.reply_received');
    expect(event?.data).toMatchObject({
      lead_email: 'grace@example.com',
      email_id: inbound.id,
      reply_text: 'Sounds interesting, tell me more.',
      reply_subject: 'Re: Quick question about Compilers Inc',
      is_first: true,
    });
    expect(String(event?.data.unibox_url)).toContain(SANDBOX_SEED.threads.grace);
    const answer = await run(sandbox, emailReply, {
      reply_to_uuid: String(event?.data.email_id),
      eaccount: String(event?.data.email_account),
      subject: String(event?.data.reply_subject),
      text: 'Happy to: here is a one-pager.',
    });
    expect(answer).toMatchObject({ to: ['grace@example.com'], thread_id: SANDBOX_SEED.threads.grace });
    const thread = await run(sandbox, emailList, { thread_id: SANDBOX_SEED.threads.grace, order: 'asc' });
    expect(thread.results.map((e) => e.type)).toEqual(['campaign', 'received', 'sent']);
  });

  it('reports what the receiver answered, and refuses a reply event for a lead without a reply', async () => {
    answerStatus = 401;
    const delivery = await sandbox.sendWebhook({
      url: receiverUrl,
      event: 'lead_interested',
      leadId: SANDBOX_SEED.leads.grace,
    });
    expect(delivery).toMatchObject({
      status: 401,
      response: 'nope',
      payload: { event_type: 'lead_interested' },
    });
    await expect(
      sandbox.sendWebhook({ url: receiverUrl, event: 'reply_received', leadId: SANDBOX_SEED.leads.alan }),
    ).rejects.toThrow(/has no reply; call sandbox.receiveReply\(\) first/);
  });

  it('campaign_completed carries only the base fields of the campaign', async () => {
    await sandbox.sendWebhook({
      url: receiverUrl,
      event: 'campaign_completed',
      campaignId: SANDBOX_SEED.campaigns.completed,
    });
    expect(Object.keys(received[0]?.body ?? {}).sort()).toEqual([
      'campaign_id',
      'campaign_name',
      'event_type',
      'timestamp',
      'workspace',
    ]);
    expect(received[0]?.body).toMatchObject({
      campaign_id: SANDBOX_SEED.campaigns.completed,
      campaign_name: 'Webinar invite',
    });
  });
});
