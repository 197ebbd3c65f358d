/**
 * Checks every request the plugin sends against HubSpot's published OpenAPI descriptions: the
 * path and method exist, query parameters are declared, the auth header is the documented bearer
 * token, and the JSON body validates against the operation's request schema, with objects closed
 * (no field HubSpot does not document).
 *
 * The spec files are read at test time from the shared folder beside the repository
 * (`../shared/provider-specs/hubspot`); they are never copied into this package. Without that
 * folder the suite is skipped.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import formats from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import plugin, { companyUpsert, contactGet, contactSearch, contactUpsert } from '../src/index.js';
import { type HubSpotSandbox, type SandboxRequest, startHubSpotSandbox } from '../src/sandbox/index.js';
import { contextFor, run } from './helpers.js';

const packageDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const specDir = resolve(packageDir, '../../../shared/provider-specs/hubspot');
const SPEC_FILES = ['crm-contacts-v3.json', 'crm-companies-v3.json', 'account-info-v3.json'];
const haveSpecs = SPEC_FILES.every((f) => existsSync(resolve(specDir, f)));
if (!haveSpecs) console.log('skipped: provider spec folder not found');

type Json = Record<string, unknown>;
interface Operation {
  file: string;
  method: string;
  template: string;
  pattern: RegExp;
  parameters: { name: string; in: string; schema?: { pattern?: string } }[];
  bodyTypes: string[];
  validate?: ValidateFunction;
}

/**
 * Where HubSpot's documentation and its OpenAPI reference disagree, the plugin follows the
 * documentation, and this list says so. Each entry replaces one schema node in memory.
 */
const DOCUMENTED_DEVIATIONS: { schema: string; path: string[]; replacement: Json; why: string }[] = [
  {
    schema: 'PublicObjectSearchRequest',
    path: ['properties', 'sorts', 'items'],
    replacement: {
      type: 'object',
      required: ['propertyName', 'direction'],
      properties: { propertyName: { type: 'string' }, direction: { enum: ['ASCENDING', 'DESCENDING'] } },
    },
    why: 'The reference types each sort as a string; the CRM search guide sends { propertyName, direction }.',
  },
];

/** Marks every object schema that lists its properties as closed, so undocumented fields fail. */
function closeObjects(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  if (
    !Array.isArray(node) &&
    o.properties &&
    typeof o.properties === 'object' &&
    o.additionalProperties === undefined
  ) {
    o.additionalProperties = false;
  }
  for (const child of Object.values(o)) closeObjects(child);
}

function loadOperations(): Operation[] {
  const addFormats = (formats as unknown as { default?: typeof formats }).default ?? formats;
  const operations: Operation[] = [];
  for (const file of SPEC_FILES) {
    const spec = JSON.parse(readFileSync(resolve(specDir, file), 'utf8')) as Json;
    const components = structuredClone((spec.components ?? {}) as Json);
    const schemas = (components.schemas ?? {}) as Record<string, Json>;
    for (const d of DOCUMENTED_DEVIATIONS) {
      const parent = d.path
        .slice(0, -1)
        .reduce<Json | undefined>((n, k) => n?.[k] as Json | undefined, schemas[d.schema]);
      if (parent) parent[d.path.at(-1) as string] = d.replacement;
    }
    closeObjects(components);
    const ajv = new Ajv({ strict: false, allErrors: true });
    (addFormats as unknown as (a: Ajv) => void)(ajv);
    ajv.addFormat('int32', { type: 'number', validate: Number.isInteger });
    ajv.addFormat('int64', { type: 'number', validate: Number.isInteger });
    for (const [template, item] of Object.entries(spec.paths as Record<string, Record<string, Json>>)) {
      for (const [method, op] of Object.entries(item)) {
        if (!op || typeof op !== 'object' || !('responses' in op)) continue;
        const content = ((op.requestBody as Json | undefined)?.content ?? {}) as Record<
          string,
          { schema?: Json }
        >;
        const json = content['application/json']?.schema;
        operations.push({
          file,
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
          parameters: (op.parameters ?? []) as Operation['parameters'],
          bodyTypes: Object.keys(content),
          validate: json ? ajv.compile({ ...json, components }) : undefined,
        });
      }
    }
  }
  return operations;
}

/** What is wrong with one request, as readable lines; empty when it matches the spec. */
function problems(request: SandboxRequest, operations: Operation[]): string[] {
  const op = operations.find((o) => o.method === request.method && o.pattern.test(request.path));
  if (!op) return [`${request.method} ${request.path} is not in HubSpot's spec`];
  const out: string[] = [];
  const where = `${op.method} ${op.template}`;
  if (!/^Bearer \S+$/.test(request.headers.authorization ?? ''))
    out.push(`${where}: no bearer authorization header`);
  for (const name of Object.keys(request.query)) {
    if (!op.parameters.some((p) => p.in === 'query' && p.name === name))
      out.push(`${where}: undocumented query ${name}`);
  }
  const values = op.pattern.exec(request.path)?.slice(1) ?? [];
  for (const [i, p] of op.parameters.filter((p) => p.in === 'path').entries()) {
    const value = decodeURIComponent(values[i] ?? '');
    if (p.schema?.pattern && !new RegExp(p.schema.pattern).test(value))
      out.push(`${where}: bad path ${p.name}`);
  }
  if (request.body === undefined) {
    if (op.validate) out.push(`${where}: the spec requires a body`);
    return out;
  }
  const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  if (!op.bodyTypes.includes(type)) out.push(`${where}: content-type ${type} is not one the spec accepts`);
  if (op.validate && !op.validate(request.body)) {
    for (const e of op.validate.errors ?? [])
      out.push(`${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }
  return out;
}

describe.skipIf(!haveSpecs)("every request the plugin sends matches HubSpot's published spec", () => {
  let sandbox: HubSpotSandbox;
  let operations: Operation[];
  beforeAll(async () => {
    operations = loadOperations();
    sandbox = await startHubSpotSandbox({ customProperties: { companies: ['tier'] } });
  });
  afterAll(() => sandbox?.close());

  it('checks itself: an undocumented field or path is caught', () => {
    const base = {
      method: 'POST',
      query: {},
      headers: { authorization: 'Bearer t', 'content-type': 'application/json' },
    };
    const typo = {
      ...base,
      path: '/crm/v3/objects/contacts',
      body: { properties: {}, associations: [], extra: 1 },
    };
    expect(problems(typo, operations).join('\n')).toMatch(/additional properties .*"extra"/);
    const numeric = {
      ...base,
      path: '/crm/v3/objects/contacts',
      body: { properties: { zip: 1 }, associations: [] },
    };
    expect(problems(numeric, operations).join('\n')).toMatch(/properties\/zip must be string/);
    const noCursor = {
      ...base,
      path: '/crm/v3/objects/contacts/search',
      body: { filterGroups: [], sorts: [], properties: [], limit: 1 },
    };
    expect(problems(noCursor, operations).join('\n')).toMatch(/required.*"after"/);
    const nowhere = { ...base, path: '/crm/v3/objects/contacts/upsert', body: {} };
    expect(problems(nowhere, operations)).toEqual([
      "POST /crm/v3/objects/contacts/upsert is not in HubSpot's spec",
    ]);
  });

  it('for every action, with every optional input used', async () => {
    await plugin.verify(contextFor(sandbox));
    const contact = await run(sandbox, contactUpsert, {
      email: 'spec@example.com',
      firstname: 'Spec',
      lastname: 'Check',
      company: 'Acme',
      jobtitle: 'Tester',
      phone: '+1 555 0100',
      website: 'https://example.com',
      lifecyclestage: 'lead',
      properties: { zip: 12345, hs_lead_status: null },
    });
    await run(sandbox, contactUpsert, { email: 'spec2@example.com' });
    await run(sandbox, contactGet, { id: contact.id, properties: ['email', 'firstname'] });
    await run(sandbox, contactGet, { email: 'spec@example.com' });
    const page = await run(sandbox, contactSearch, {
      filters: [
        { property: 'email', operator: 'CONTAINS_TOKEN', value: '*@example.com' },
        { property: 'zip', operator: 'BETWEEN', value: 1, high_value: 99999 },
        { property: 'firstname', operator: 'IN', values: ['Spec', 'Other'] },
        { property: 'phone', operator: 'HAS_PROPERTY' },
      ],
      query: 'spec',
      sorts: [{ property: 'createdate', direction: 'DESCENDING' }],
      properties: ['email'],
      limit: 1,
    });
    await run(sandbox, contactSearch, { limit: 1, cursor: page.next_cursor ?? '1' });
    await run(sandbox, companyUpsert, {
      domain: 'spec.test',
      name: 'Spec',
      phone: '1',
      city: 'X',
      country: 'Y',
    });
    await run(sandbox, companyUpsert, {
      domain: 'spec.test',
      industry: 'COMPUTER_SOFTWARE',
      properties: { tier: 1 },
    });

    const sent = sandbox.requests.map((r) => `${r.method} ${r.path.replace(/\/\d+$/, '/{id}')}`);
    expect(new Set(sent)).toEqual(
      new Set([
        'GET /account-info/v3/details',
        'POST /crm/v3/objects/contacts/batch/upsert',
        'GET /crm/v3/objects/contacts/{id}',
        'GET /crm/v3/objects/contacts/spec%40example.com',
        'POST /crm/v3/objects/contacts/search',
        'POST /crm/v3/objects/companies/search',
        'POST /crm/v3/objects/companies',
        'PATCH /crm/v3/objects/companies/{id}',
      ]),
    );
    expect(sandbox.requests.flatMap((r) => problems(r, operations))).toEqual([]);
  });
});
