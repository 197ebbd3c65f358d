/**
 * Matching parsed webhook events to declared events and normalising them.
 */
import { apiKey, defineEvent, defineProvider, type ParsedWebhookEvent, ValidationError } from '@oxygen/core';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { matchEvent, normalizeEvent } from '../src/engine/webhooks.js';

const clicked = defineEvent({
  type: 'email.link_clicked',
  providerType: 'email_link_clicked',
  payloadType: 'link_clicked',
  title: 'Link clicked',
  description: 'A lead clicked a link.',
  data: z.object({ email_id: z.string(), step: z.number().int().default(1) }),
});
const created = defineEvent({
  type: 'contact.created',
  providerType: 'contact.creation',
  title: 'Contact created',
  description: 'A contact was created.',
  data: z.object({ object_id: z.string() }),
});
const plain = defineEvent({
  type: 'note.created',
  title: 'Note created',
  description: 'A note was created.',
  data: z.object({ note_id: z.string() }),
});
const provider = defineProvider({
  apiVersion: 1,
  id: 'acme',
  name: 'Acme',
  baseUrl: 'https://api.acme.test',
  auth: { byok: [apiKey({ label: 'Acme key' })] },
  verify: async () => ({ accountLabel: 'acme' }),
  actions: [],
  events: [clicked, created, plain],
});

const parsed = (providerType: string, data: Record<string, unknown>): ParsedWebhookEvent => ({
  providerEventId: 'p-1',
  providerType,
  occurredAt: '2026-11-25T10:00:00.000Z',
  data,
});
const target = { organizationId: 'org_a', connectionId: 'conn_a' };

describe('matchEvent', () => {
  it('matches on payloadType, then providerType, then type', () => {
    expect(matchEvent(provider, { providerType: 'link_clicked' })?.type).toBe('email.link_clicked');
    // The subscription name is not what deliveries carry when a payloadType is declared.
    expect(matchEvent(provider, { providerType: 'email_link_clicked' })).toBeUndefined();
    expect(matchEvent(provider, { providerType: 'contact.creation' })?.type).toBe('contact.created');
    expect(matchEvent(provider, { providerType: 'contact.created' })).toBeUndefined();
    expect(matchEvent(provider, { providerType: 'note.created' })?.type).toBe('note.created');
    expect(matchEvent({ ...provider, events: undefined }, { providerType: 'note.created' })).toBeUndefined();
  });
});

describe('normalizeEvent', () => {
  it('builds the normalised event, data parsed by the declared schema', () => {
    const event = normalizeEvent(provider, parsed('link_clicked', { email_id: 'e-1' }), target);
    expect(event).toEqual({
      id: expect.stringMatching(/^evt_[0-9A-HJKMNP-TV-Z]{26}$/),
      source: 'acme',
      type: 'email.link_clicked',
      occurred_at: '2026-11-25T10:00:00.000Z',
      organization_id: 'org_a',
      connection_id: 'conn_a',
      data: { email_id: 'e-1', step: 1 },
    });
    const again = normalizeEvent(provider, parsed('link_clicked', { email_id: 'e-1' }), target);
    expect(again.id).not.toBe(event.id);
  });

  it('refuses data that does not match the schema, naming the field', () => {
    let error: unknown;
    try {
      normalizeEvent(provider, parsed('contact.creation', { object_id: 42 }), target);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect(error).toMatchObject({ field: 'object_id', message: expect.stringContaining('"object_id"') });
    expect((error as ValidationError).hint).toMatch(/acme plugin's contact.created schema/);
  });

  it('refuses an undeclared event type and an invalid occurredAt', () => {
    expect(() => normalizeEvent(provider, parsed('auto_reply_received', {}), target)).toThrow(
      /does not declare; known: link_clicked, contact.creation, note.created/,
    );
    expect(() =>
      normalizeEvent(provider, { ...parsed('note.created', { note_id: 'n' }), occurredAt: 'soon' }, target),
    ).toThrow(ValidationError);
  });
});
