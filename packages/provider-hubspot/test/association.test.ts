import { NotFoundError } from '@oxygen/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  associationCreate,
  companyGet,
  companyUpsert,
  contactGet,
  contactUpsert,
  dealCreate,
  noteCreate,
} from '../src/index.js';
import { type HubSpotSandbox, startHubSpotSandbox } from '../src/sandbox/index.js';
import { call, dryRun, failure, run } from './helpers.js';

let sandbox: HubSpotSandbox;
beforeAll(async () => {
  sandbox = await startHubSpotSandbox();
});
afterAll(() => sandbox.close());
beforeEach(() => sandbox.reset());

async function records() {
  const contact = await run(sandbox, contactUpsert, { email: 'ada@example.com' });
  const company = await run(sandbox, companyUpsert, { domain: 'example.com', name: 'Example' });
  const deal = await run(sandbox, dealCreate, { dealname: 'Example deal', dealstage: 'qualifiedtobuy' });
  sandbox.requests.length = 0;
  return { contact: contact.id, company: company.id, deal: deal.id };
}

describe('association.create', () => {
  it('associates a contact with a company; the association is then visible from both records', async () => {
    const ids = await records();
    const out = await run(sandbox, associationCreate, {
      from_type: 'contacts',
      from_id: ids.contact,
      to_type: 'companies',
      to_id: ids.company,
    });
    expect(out).toEqual({
      from_type: 'contacts',
      from_id: ids.contact,
      to_type: 'companies',
      to_id: ids.company,
      association_type_ids: [279],
      reverse_type_ids: [280],
    });
    expect(sandbox.requests).toHaveLength(1);
    expect(sandbox.requests[0]).toMatchObject({
      method: 'PUT',
      path: `/crm/v4/objects/contacts/${ids.contact}/associations/default/companies/${ids.company}`,
      body: undefined,
    });

    const contact = await run(sandbox, contactGet, { id: ids.contact, associations: ['companies', 'deals'] });
    expect(contact.associations).toEqual({ companies: [ids.company] });
    const company = await run(sandbox, companyGet, { id: ids.company, associations: ['contacts'] });
    expect(company.associations).toEqual({ contacts: [ids.contact] });
    // And through HubSpot's v4 list endpoint.
    const listed = await call(
      sandbox,
      'GET',
      `/crm/v4/objects/companies/${ids.company}/associations/contacts`,
    );
    expect(listed.json).toEqual({
      results: [
        {
          toObjectId: Number(ids.contact),
          associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 280, label: null }],
        },
      ],
    });
  });

  it('links deals with contacts and companies, in either direction; doing it twice changes nothing', async () => {
    const ids = await records();
    const a = await run(sandbox, associationCreate, {
      from_type: 'deals',
      from_id: ids.deal,
      to_type: 'contacts',
      to_id: ids.contact,
    });
    expect(a).toMatchObject({ association_type_ids: [3], reverse_type_ids: [4] });
    const b = await run(sandbox, associationCreate, {
      from_type: 'companies',
      from_id: ids.company,
      to_type: 'deals',
      to_id: ids.deal,
    });
    expect(b).toMatchObject({ association_type_ids: [342], reverse_type_ids: [341] });
    await run(sandbox, associationCreate, {
      from_type: 'contacts',
      from_id: ids.contact,
      to_type: 'deals',
      to_id: ids.deal,
    });
    expect(sandbox.associatedIds('deals', ids.deal, 'contacts')).toEqual([ids.contact]);
    expect(sandbox.associatedIds('deals', ids.deal, 'companies')).toEqual([ids.company]);
  });

  it("a record that does not exist is not_found with HubSpot's message, and nothing is linked", async () => {
    const ids = await records();
    const error = await failure(
      run(sandbox, associationCreate, {
        from_type: 'contacts',
        from_id: ids.contact,
        to_type: 'companies',
        to_id: '999999',
      }),
    );
    expect(NotFoundError.isInstance(error)).toBe(true);
    expect(error.providerMessage).toBe('No company with ID 999999 exists.');
    expect(error.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(sandbox.associatedIds('contacts', ids.contact, 'companies')).toEqual([]);
  });

  it('refuses linking a type to itself before sending, and shows the PUT in a dry run', async () => {
    expect(
      associationCreate.input.safeParse({ from_type: 'deals', from_id: '1', to_type: 'deals', to_id: '2' })
        .success,
    ).toBe(false);
    const requests = await dryRun(sandbox, associationCreate, {
      from_type: 'deals',
      from_id: '1',
      to_type: 'companies',
      to_id: '2',
    });
    expect(requests).toEqual([
      expect.objectContaining({
        method: 'PUT',
        url: `${sandbox.url}/crm/v4/objects/deals/1/associations/default/companies/2`,
      }),
    ]);
    expect(requests[0]?.body).toBeUndefined();
    expect(sandbox.requests).toHaveLength(0);
  });
});

describe('note.create', () => {
  it('logs a note on a contact, a company and a deal at once', async () => {
    const ids = await records();
    const note = await run(sandbox, noteCreate, {
      body: '<p>Called Ada: wants a demo.</p>',
      timestamp: '2026-01-15T10:00:00Z',
      owner_id: '41629779',
      contact_id: ids.contact,
      company_id: ids.company,
      deal_id: ids.deal,
    });
    expect(note.properties).toMatchObject({
      hs_note_body: '<p>Called Ada: wants a demo.</p>',
      hs_timestamp: '2026-01-15T10:00:00.000Z',
      hubspot_owner_id: '41629779',
    });
    expect(sandbox.requests[0]?.body).toEqual({
      properties: {
        hs_note_body: '<p>Called Ada: wants a demo.</p>',
        hs_timestamp: '2026-01-15T10:00:00.000Z',
        hubspot_owner_id: '41629779',
      },
      associations: [
        {
          to: { id: ids.contact },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }],
        },
        {
          to: { id: ids.company },
          types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 190 }],
        },
        { to: { id: ids.deal }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 214 }] },
      ],
    });
    const contact = await run(sandbox, contactGet, { id: ids.contact, associations: ['notes'] });
    expect(contact.associations).toEqual({ notes: [note.id] });
    expect(sandbox.associatedIds('deals', ids.deal, 'notes')).toEqual([note.id]);
  });

  it('stamps the note with the current time when no timestamp is given', async () => {
    const ids = await records();
    const before = Date.now();
    const note = await run(sandbox, noteCreate, { body: 'Now', deal_id: ids.deal });
    const at = Date.parse(note.properties.hs_timestamp ?? '');
    expect(at).toBeGreaterThanOrEqual(before - 1000);
    expect(at).toBeLessThanOrEqual(Date.now());
  });

  it('needs a record to log on, and refuses one that does not exist', async () => {
    expect(noteCreate.input.safeParse({ body: 'Orphan' }).success).toBe(false);
    const error = await failure(run(sandbox, noteCreate, { body: 'Lost', contact_id: '424242' }));
    expect(error.code).toBe('validation');
    expect(sandbox.notes.size).toBe(0);
  });
});
