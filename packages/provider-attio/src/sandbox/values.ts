/**
 * How the sandbox reads an attribute value written to it, the way Attio does: a single value or a
 * list; per type, the documented object (`{ email_address }`, `{ option }`, ...) or the plain
 * shorthand Attio also accepts (`"ada@example.com"`, `"Medium"`). It answers values in Attio's
 * output shape (`email_domain`, `root_domain`, `option: { id, title }`, `phone_number` in E.164).
 *
 * Source: Attio's OpenAPI description (`input-value`, `output-value`) and docs.attio.com's
 * attribute-type pages.
 *
 * @module
 */

import { fieldError, valueNotFound } from './errors.js';
import type { SandboxAttribute, Workspace } from './store.js';

/** A value as stored and answered, without the bookkeeping fields (`active_from`, ...). */
export type StoredCore = Record<string, unknown>;

type Path = (string | number)[];

const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const LATITUDE = /^[-+]?([1-8]?\d(\.\d+)?|90(\.0+)?)$/;
const LONGITUDE = /^[-+]?(180(\.0+)?|((1[0-7]\d)|([1-9]?\d))(\.\d+)?)$/;
const LOCATION_FIELDS = [
  'line_1',
  'line_2',
  'line_3',
  'line_4',
  'locality',
  'region',
  'postcode',
  'country_code',
  'latitude',
  'longitude',
] as const;

/** Calling codes the sandbox knows, for E.164 phone numbers. */
const CALLING_CODES: Record<string, string> = {
  '1': 'US',
  '7': 'RU',
  '31': 'NL',
  '33': 'FR',
  '34': 'ES',
  '39': 'IT',
  '41': 'CH',
  '44': 'GB',
  '45': 'DK',
  '46': 'SE',
  '47': 'NO',
  '49': 'DE',
  '55': 'BR',
  '61': 'AU',
  '81': 'JP',
  '91': 'IN',
  '353': 'IE',
};
const CODE_OF_COUNTRY: Record<string, string> = {
  ...Object.fromEntries(Object.entries(CALLING_CODES).map(([code, country]) => [country, code])),
  CA: '1',
};

function objectWith(
  value: unknown,
  keys: readonly string[],
  path: Path,
  what: string,
): Record<string, unknown> {
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw fieldError(path, `Expected ${what}`);
  const extra = Object.keys(value).filter((k) => !keys.includes(k));
  if (extra.length > 0) {
    throw fieldError(
      [...path, extra[0] as string],
      `Unrecognized key(s) in object: ${extra.map((k) => `'${k}'`).join(', ')}`,
    );
  }
  return value as Record<string, unknown>;
}

/** The value inside `{ <key>: value }`, or the value itself when it is not an object. */
function unwrap(value: unknown, key: string, path: Path, what: string): unknown {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    return objectWith(value, [key], path, what)[key];
  }
  return value;
}

function text(value: unknown, path: Path, what: string): string {
  if (typeof value !== 'string') throw fieldError(path, `Expected ${what}, received ${typeName(value)}`);
  return value;
}

function typeName(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

/** `2023` → `2023-01-01T00:00:00.000000000Z`; the nanosecond form Attio answers with. */
export function normalizeTimestamp(input: string): string | undefined {
  const m =
    /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:[T ](\d{2})(?::(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?)?)?(Z|[+-]\d{2}:?\d{2})?$/.exec(
      input.trim(),
    );
  if (!m) return undefined;
  const [, y, mo = '01', d = '01', h = '00', mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const iso = `${y}-${mo}-${d}T${h}:${mi}:${s}.${frac.padEnd(3, '0').slice(0, 3)}${zone === 'Z' ? 'Z' : zone.replace(/^([+-]\d{2})(\d{2})$/, '$1:$2')}`;
  const time = Date.parse(iso);
  if (Number.isNaN(time)) return undefined;
  const nanos = frac.padEnd(9, '0').slice(3);
  return new Date(time).toISOString().replace(/Z$/, `${nanos}Z`);
}

/** `"https://www.Acme.com/x"` → `www.acme.com`, the full domain Attio stores. */
function domainOf(input: string, path: Path): string {
  const host = input
    .trim()
    .toLowerCase()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//, '')
    .replace(/[/?#].*$/, '')
    .replace(/:\d+$/, '');
  if (!/^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(host)) throw fieldError(path, `Invalid domain "${input}"`);
  return host;
}

function rootDomainOf(domain: string): string {
  return domain.split('.').slice(-2).join('.');
}

function phoneOf(original: string, countryCode: string | null, path: Path): StoredCore {
  const digits = original.replace(/[^\d]/g, '');
  if (original.trim().startsWith('+')) {
    const code = [3, 2, 1].map((n) => digits.slice(0, n)).find((c) => CALLING_CODES[c]);
    const country = countryCode ?? (code ? CALLING_CODES[code] : undefined);
    if (!country || digits.length < 8) throw fieldError(path, `Invalid phone number "${original}"`);
    return { original_phone_number: original, country_code: country, phone_number: `+${digits}` };
  }
  const code = countryCode ? CODE_OF_COUNTRY[countryCode] : undefined;
  if (!countryCode || !code || digits.length < 6) {
    throw fieldError(
      path,
      `Invalid phone number "${original}": start it with +<country code> or give country_code`,
    );
  }
  return {
    original_phone_number: original,
    country_code: countryCode,
    phone_number: `+${code}${digits.replace(/^0+/, '')}`,
  };
}

function nameOf(first: string, last: string, full: string): StoredCore {
  return { first_name: first, last_name: last, full_name: full };
}

/**
 * Reads one written value of `attribute` into the stored (answered) shape.
 *
 * @param path - where the value sits in the request body, for `validation_errors`.
 * @throws AttioError (400) naming the field when the value does not fit the attribute.
 */
export function parseValue(
  workspace: Workspace,
  attribute: SandboxAttribute,
  value: unknown,
  path: Path,
): StoredCore {
  switch (attribute.type) {
    case 'text':
      return { value: text(unwrap(value, 'value', path, 'a text value'), path, 'string') };
    case 'number': {
      const n = unwrap(value, 'value', path, 'a number value');
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw fieldError(path, `Expected number, received ${typeName(n)}`);
      return { value: n };
    }
    case 'rating': {
      const n = unwrap(value, 'value', path, 'a rating value');
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 5) {
        throw fieldError(path, 'Expected a rating: an integer from 0 to 5');
      }
      return { value: n };
    }
    case 'checkbox': {
      const b = unwrap(value, 'value', path, 'a checkbox value');
      if (typeof b === 'boolean') return { value: b };
      if (b === 'true' || b === 'false') return { value: b === 'true' };
      throw fieldError(path, `Expected boolean, received ${typeName(b)}`);
    }
    case 'currency': {
      const n = unwrap(value, 'currency_value', path, 'a currency value');
      if (typeof n !== 'number' || !Number.isFinite(n))
        throw fieldError(path, `Expected number, received ${typeName(n)}`);
      return { currency_value: n, currency_code: attribute.currency_code ?? 'USD' };
    }
    case 'date': {
      const d = normalizeTimestamp(text(unwrap(value, 'value', path, 'a date value'), path, 'string'));
      if (!d) throw fieldError(path, 'Invalid date');
      return { value: d.slice(0, 10) };
    }
    case 'timestamp': {
      const t = normalizeTimestamp(text(unwrap(value, 'value', path, 'a timestamp value'), path, 'string'));
      if (!t) throw fieldError(path, 'Invalid timestamp');
      return { value: t };
    }
    case 'select': {
      const title = text(unwrap(value, 'option', path, 'a select value'), path, 'string');
      const option = attribute.options.find((o) => o.title === title || o.id === title);
      if (!option) throw valueNotFound(`Cannot find select attribute with select option title "${title}".`);
      return { option: workspace.optionJson(attribute, option, 'option_id') };
    }
    case 'status': {
      const title = text(unwrap(value, 'status', path, 'a status value'), path, 'string');
      const status = attribute.options.find((o) => o.title === title || o.id === title);
      if (!status) throw valueNotFound(`Cannot find status attribute with status option title "${title}".`);
      return {
        status: {
          ...workspace.optionJson(attribute, status, 'status_id'),
          celebration_enabled: false,
          target_time_in_status: null,
        },
      };
    }
    case 'email-address': {
      const original = text(unwrap(value, 'email_address', path, 'an email value'), path, 'string').trim();
      if (!EMAIL.test(original)) throw fieldError(path, `Invalid email address "${original}"`);
      const email = original.toLowerCase();
      const [local = '', domain = ''] = email.split('@');
      return {
        original_email_address: original,
        email_address: email,
        email_domain: domain,
        email_root_domain: rootDomainOf(domain),
        email_local_specifier: local.split('+')[0],
      };
    }
    case 'domain': {
      const domain = domainOf(text(unwrap(value, 'domain', path, 'a domain value'), path, 'string'), path);
      return { domain, root_domain: rootDomainOf(domain) };
    }
    case 'phone-number': {
      if (typeof value === 'string') return phoneOf(value, null, path);
      const o = objectWith(value, ['original_phone_number', 'country_code'], path, 'a phone number value');
      const original = text(o.original_phone_number, [...path, 'original_phone_number'], 'string');
      const country =
        o.country_code === undefined || o.country_code === null
          ? null
          : text(o.country_code, [...path, 'country_code'], 'string');
      return phoneOf(original, country, path);
    }
    case 'personal-name': {
      if (typeof value === 'string') {
        const full = value.trim();
        const [first = '', ...rest] = full.split(/\s+/);
        return nameOf(first, rest.join(' '), full);
      }
      const o = objectWith(value, ['first_name', 'last_name', 'full_name'], path, 'a personal name value');
      const first = o.first_name === undefined ? '' : text(o.first_name, [...path, 'first_name'], 'string');
      const last = o.last_name === undefined ? '' : text(o.last_name, [...path, 'last_name'], 'string');
      const full =
        o.full_name === undefined
          ? [first, last].filter(Boolean).join(' ')
          : text(o.full_name, [...path, 'full_name'], 'string');
      if (!first && !last && !full)
        throw fieldError(path, 'A personal name needs first_name, last_name or full_name');
      return nameOf(first, last, full);
    }
    case 'location': {
      const o = objectWith(value, LOCATION_FIELDS, path, 'a location value');
      const out: StoredCore = {};
      for (const key of LOCATION_FIELDS) {
        if (!(key in o)) throw fieldError([...path, key], 'Required');
        const v = o[key];
        if (v !== null && typeof v !== 'string')
          throw fieldError([...path, key], `Expected string or null, received ${typeName(v)}`);
        out[key] = v;
      }
      if (typeof out.country_code === 'string' && !/^[A-Z]{2}$/.test(out.country_code)) {
        throw fieldError(
          [...path, 'country_code'],
          'Invalid enum value: expected an ISO 3166-1 alpha-2 code',
        );
      }
      if (typeof out.latitude === 'string' && !LATITUDE.test(out.latitude))
        throw fieldError([...path, 'latitude'], 'Invalid latitude');
      if (typeof out.longitude === 'string' && !LONGITUDE.test(out.longitude)) {
        throw fieldError([...path, 'longitude'], 'Invalid longitude');
      }
      return out;
    }
    case 'record-reference':
      return workspace.parseReference(value, path, attribute.targets);
    case 'actor-reference': {
      if (!value || typeof value !== 'object' || Array.isArray(value)) {
        throw fieldError(
          path,
          'Expected {referenced_actor_type, referenced_actor_id} or {workspace_member_email_address}',
        );
      }
      const member =
        'workspace_member_email_address' in value
          ? workspace.memberByEmail(
              text(
                objectWith(value, ['workspace_member_email_address'], path, 'an actor')
                  .workspace_member_email_address,
                path,
                'string',
              ),
            )
          : (() => {
              const o = objectWith(value, ['referenced_actor_type', 'referenced_actor_id'], path, 'an actor');
              if (o.referenced_actor_type !== 'workspace-member') {
                throw fieldError(
                  [...path, 'referenced_actor_type'],
                  "Invalid literal value, expected 'workspace-member'",
                );
              }
              const id = text(o.referenced_actor_id, [...path, 'referenced_actor_id'], 'string');
              if (!UUID.test(id)) throw fieldError([...path, 'referenced_actor_id'], 'Invalid uuid');
              return workspace.memberById(id);
            })();
      return { referenced_actor_type: 'workspace-member', referenced_actor_id: member.id };
    }
    default:
      throw fieldError(path, `Values of type ${attribute.type} cannot be written`);
  }
}

/** The field filters and sorts compare by default, per attribute type. */
export function mainField(type: string, value: StoredCore): unknown {
  switch (type) {
    case 'currency':
      return value.currency_value;
    case 'select':
      return (value.option as { title?: unknown } | undefined)?.title;
    case 'status':
      return (value.status as { title?: unknown } | undefined)?.title;
    case 'email-address':
      return value.email_address;
    case 'domain':
      return value.domain;
    case 'phone-number':
      return value.phone_number;
    case 'personal-name':
      return value.full_name;
    case 'record-reference':
      return value.target_record_id;
    case 'actor-reference':
      return value.referenced_actor_id;
    case 'location':
      return value.locality;
    case 'interaction':
      return value.interacted_at;
    default:
      return value.value;
  }
}

/** What makes two values the same value (for unique attributes, matching and de-duplication). */
export function valueKey(type: string, value: StoredCore): string {
  const main = mainField(type, value);
  return typeof main === 'string' ? main.toLowerCase() : JSON.stringify(main ?? value);
}
