/**
 * Checks the requests a plugin sends against the provider's published OpenAPI description.
 *
 * The descriptions live in a `shared/provider-specs/<provider>` folder beside the repository and are
 * read at test time, never copied into a package: {@link findProviderSpecs} finds the folder (and
 * prints one `skipped: ...` line when it is absent), {@link loadOpenApiSpec} reads the files and
 * {@link createRequestValidator} matches a captured request to an operation and says what is wrong
 * with it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv, type ValidateFunction } from 'ajv';
import Ajv2020Module from 'ajv/dist/2020.js';
import formatsModule from 'ajv-formats';

/** A JSON object, as parsed from an OpenAPI document. */
export type Json = Record<string, unknown>;

/** One OpenAPI JSON file, parsed. */
export interface OpenApiDocument {
  /** The file name it was read from, e.g. `crm-contacts-v3.json`. */
  file: string;
  /** The parsed document (`openapi`, `paths`, `components`, ...). */
  document: Json;
}

/**
 * The `shared/provider-specs/<provider>` folder beside the repository when it holds every one of
 * `files`, searched upwards from `from` (a directory or an `import.meta.url`, default the working
 * directory). When it is absent this prints `skipped: provider spec folder not found` once and
 * returns undefined, so a suite can `describe.skipIf(!dir)`.
 */
export function findProviderSpecs(
  provider: string,
  files: string[],
  from: string = process.cwd(),
): string | undefined {
  let dir = resolve(from.startsWith('file:') ? dirname(fileURLToPath(from)) : from);
  for (;;) {
    const candidate = resolve(dir, 'shared/provider-specs', provider);
    if (files.every((f) => existsSync(resolve(candidate, f)))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  console.log('skipped: provider spec folder not found');
  return undefined;
}

/** Reads and parses each of `files` (OpenAPI JSON) from `dir`. */
export function loadOpenApiSpec(dir: string, files: string[]): OpenApiDocument[] {
  return files.map((file) => ({
    file,
    document: JSON.parse(readFileSync(resolve(dir, file), 'utf8')) as Json,
  }));
}

/**
 * One place where the description cannot be applied literally, and how it is read instead: the
 * schema node at `path` is replaced, in memory, by `replacement`. Target either the JSON request
 * body of one `operation` (`'POST /v2/tasks'`) or one named `schema` under `components.schemas`.
 * A deviation that no longer applies anywhere throws, so a changed description is noticed.
 */
export interface DocumentedDeviation {
  /** `'<METHOD> <template>'` whose JSON request-body schema the path starts from. */
  operation?: string;
  /** A `components.schemas` name the path starts from. */
  schema?: string;
  /** Keys from that schema down to the node to replace. */
  path: string[];
  /** The schema to use instead. */
  replacement: Json;
  /** Why the description cannot be read literally there. */
  why: string;
}

/** How {@link createRequestValidator} reads the description. */
export interface RequestValidatorOptions {
  /** Names the description in "is not in ..." lines, e.g. `"Attio's API description"`. */
  name: string;
  /** Schema replacements; see {@link DocumentedDeviation}. */
  deviations?: DocumentedDeviation[];
  /** Maps a request path before it is matched, e.g. to check one object type against another's operations. */
  rewritePath?: (path: string) => string;
  /** The authorization header a request must carry; default a bearer token. */
  authorization?: RegExp;
  /**
   * When set, a request without a body that still declares a JSON content-type is a problem; the
   * text says why (e.g. `'Instantly answers 400'`).
   */
  jsonContentTypeWithoutBody?: string;
  /** JSON Schema dialect of the schemas; default 2020-12 for OpenAPI 3.1 documents, draft-07 otherwise. */
  dialect?: '2020-12' | 'draft-07';
}

/** A request as a sandbox captured it. */
export interface CapturedRequest {
  /** Upper-case HTTP method. */
  method: string;
  /** The path, without the query string, still percent-encoded. */
  path: string;
  /** Query parameters; an array when a name is repeated. */
  query: Record<string, string | string[]>;
  /** Lower-case header names. */
  headers: Record<string, string | undefined>;
  /** The parsed JSON body, or undefined when none was sent. */
  body?: unknown;
}

/** One parameter of an {@link ApiOperation}, with its schema compiled. */
export interface ApiParameter {
  /** Parameter name. */
  name: string;
  /** `query`, `path`, `header` or `cookie`. */
  in: string;
  /** Whether the description requires it. */
  required: boolean;
  /** The declared `type`, used to coerce the raw string. */
  type: string | undefined;
  /** For an `array` parameter, the declared `items.type`, used to coerce each item. */
  itemType: string | undefined;
  /** Validates the coerced value against the parameter schema. */
  validate: ValidateFunction;
}

/** One operation of the description. */
export interface ApiOperation {
  /** The file it comes from. */
  file: string;
  /** Upper-case method. */
  method: string;
  /** The path template, e.g. `/v2/objects/{object}/records`. */
  template: string;
  /** Matches a concrete path; one capture group per template variable. */
  pattern: RegExp;
  /** Declared parameters. */
  parameters: ApiParameter[];
  /** Content types the request body may have. */
  bodyTypes: string[];
  /** Whether a body is required. */
  bodyRequired: boolean;
  /** Validates a JSON body against the request schema with objects closed; undefined when none is documented. */
  validate?: ValidateFunction;
}

/** What {@link createRequestValidator} returns. */
export interface RequestValidator {
  /** Every operation of every document. */
  operations: ApiOperation[];
  /** The operation a request goes to: a literal path wins over a template (`/leads/list` over `/leads/{id}`). */
  find(method: string, path: string): ApiOperation | undefined;
  /** What is wrong with one request, as readable lines; empty when it matches the description. */
  problems(request: CapturedRequest): string[];
  /** Validates an answer of `operation` with `status` against the published (not closed) response schema; undefined when none is documented. */
  response(operation: ApiOperation, status: number | string): ValidateFunction | undefined;
}

/**
 * Marks every object schema that lists its properties and says nothing of others as closed
 * (`additionalProperties: false`), so undocumented fields fail. Mutates `node`.
 */
export function closeObjects(node: unknown): void {
  if (!node || typeof node !== 'object') return;
  const o = node as Json;
  if (
    !Array.isArray(node) &&
    o.properties &&
    typeof o.properties === 'object' &&
    o.additionalProperties === undefined
  )
    o.additionalProperties = false;
  for (const child of Object.values(o)) closeObjects(child);
}

function newAjv(dialect: '2020-12' | 'draft-07'): Ajv {
  const Ajv2020 = (Ajv2020Module as unknown as { default?: typeof Ajv2020Module }).default ?? Ajv2020Module;
  const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule }).default ??
    formatsModule) as unknown as (ajv: Ajv) => void;
  const Ctor = (dialect === '2020-12' ? Ajv2020 : Ajv) as unknown as new (o: object) => Ajv;
  const ajv = new Ctor({ strict: false, allErrors: true });
  addFormats(ajv);
  return ajv;
}

function replaceAt(root: Json | undefined, d: DocumentedDeviation): boolean {
  const parent = d.path.slice(0, -1).reduce<Json | undefined>((n, k) => n?.[k] as Json | undefined, root);
  if (!parent || typeof parent !== 'object') return false;
  parent[d.path.at(-1) as string] = structuredClone(d.replacement);
  return true;
}

/** A schema's `type` when it names one type. */
function typeOf(schema: Json | undefined): string | undefined {
  return typeof schema?.type === 'string' ? schema.type : undefined;
}

/** A query or path value as the server would coerce it for the parameter's type. */
function coerce(value: string, type: string | undefined): unknown {
  if ((type === 'number' || type === 'integer') && value.trim() !== '' && !Number.isNaN(Number(value)))
    return Number(value);
  if (type === 'boolean' && (value === 'true' || value === 'false')) return value === 'true';
  return value;
}

/**
 * A raw query or path value as the parameter's schema sees it: an `array` parameter takes repeated
 * values or one comma-separated value, each item coerced by `items.type`; any other parameter takes
 * one value (a repeated one stays an array, which its schema then rejects).
 */
function parameterValue(p: ApiParameter, raw: string | string[]): unknown {
  if (p.type === 'array')
    return (Array.isArray(raw) ? raw : raw.split(',')).map((item) => coerce(item, p.itemType));
  return Array.isArray(raw) ? raw : coerce(raw, p.type);
}

/**
 * Compiles the operations of `specs` and returns a validator for captured requests. It checks that
 * the method and path exist, the authorization header, that query parameters are declared, present
 * when required and match their schemas (raw strings coerced to the declared type), that path parameters match theirs, that a required body is
 * there with a declared content-type, and that a JSON body validates against the request schema,
 * local `$ref`s resolved and every object closed (see {@link closeObjects}).
 */
export function createRequestValidator(
  specs: OpenApiDocument[],
  options: RequestValidatorOptions,
): RequestValidator {
  const deviations = options.deviations ?? [];
  const applied = new Set<DocumentedDeviation>();
  const operations: ApiOperation[] = [];
  const responseSchemas = new Map<
    ApiOperation,
    { ajv: Ajv; components: Json; byStatus: Record<string, Json> }
  >();
  for (const { file, document } of specs) {
    const dialect =
      options.dialect ?? (String(document.openapi ?? '').startsWith('3.1') ? '2020-12' : 'draft-07');
    const published = (document.components ?? {}) as Json;
    const closed = structuredClone(published);
    for (const d of deviations.filter((x) => x.schema)) {
      if (replaceAt(((closed.schemas ?? {}) as Record<string, Json>)[d.schema as string], d)) applied.add(d);
    }
    closeObjects(closed);
    const requests = newAjv(dialect);
    const answers = newAjv(dialect);
    for (const [template, item] of Object.entries(
      (document.paths ?? {}) as Record<string, Record<string, Json>>,
    )) {
      for (const [method, op] of Object.entries(item)) {
        if (!op || typeof op !== 'object' || !('responses' in op)) continue;
        const where = `${method.toUpperCase()} ${template}`;
        const requestBody = op.requestBody as
          | { required?: boolean; content?: Record<string, { schema?: Json }> }
          | undefined;
        const content = requestBody?.content ?? {};
        const json = content['application/json']?.schema;
        const body = json ? structuredClone(json) : undefined;
        for (const d of deviations.filter((x) => x.operation === where))
          if (replaceAt(body, d)) applied.add(d);
        if (body) closeObjects(body);
        const operation: ApiOperation = {
          file,
          method: method.toUpperCase(),
          template,
          pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '([^/]+)')}$`),
          parameters: (
            (op.parameters ?? []) as { name: string; in: string; required?: boolean; schema?: Json }[]
          ).map((p) => ({
            name: p.name,
            in: p.in,
            required: p.required === true,
            type: typeOf(p.schema),
            itemType: typeOf(p.schema?.items as Json | undefined),
            validate: requests.compile({ ...(p.schema ?? {}), components: closed }),
          })),
          bodyTypes: Object.keys(content),
          bodyRequired: requestBody?.required === true,
          validate: body ? requests.compile({ ...body, components: closed }) : undefined,
        };
        const byStatus: Record<string, Json> = {};
        for (const [status, response] of Object.entries(op.responses as Record<string, Json>)) {
          const schema = (response?.content as Record<string, { schema?: Json }> | undefined)?.[
            'application/json'
          ]?.schema;
          if (schema) byStatus[status] = schema;
        }
        responseSchemas.set(operation, { ajv: answers, components: published, byStatus });
        operations.push(operation);
      }
    }
  }
  for (const d of deviations) {
    if (!applied.has(d))
      throw new Error(`deviation for ${d.operation ?? d.schema} no longer applies: the description changed`);
  }
  const compiled = new Map<string, ValidateFunction>();

  const find = (method: string, path: string): ApiOperation | undefined =>
    operations
      .filter((o) => o.method === method && o.pattern.test(path))
      .sort((a, b) => a.template.split('{').length - b.template.split('{').length)[0];

  const problems = (request: CapturedRequest): string[] => {
    const path = options.rewritePath ? options.rewritePath(request.path) : request.path;
    const op = find(request.method, path);
    if (!op) return [`${request.method} ${request.path} is not in ${options.name}`];
    const out: string[] = [];
    const where = `${op.method} ${op.template}`;
    if (!(options.authorization ?? /^Bearer \S+$/).test(request.headers.authorization ?? ''))
      out.push(`${where}: no bearer authorization header`);
    for (const [name, value] of Object.entries(request.query)) {
      const p = op.parameters.find((q) => q.in === 'query' && q.name === name);
      if (!p) out.push(`${where}: undocumented query ${name}`);
      else if ((Array.isArray(value) && p.type !== 'array') || !p.validate(parameterValue(p, value)))
        out.push(`${where}: bad query ${name}=${String(value)}`);
    }
    for (const p of op.parameters.filter((q) => q.in === 'query' && q.required)) {
      if (!(p.name in request.query)) out.push(`${where}: missing required query ${p.name}`);
    }
    const values = op.pattern.exec(path)?.slice(1) ?? [];
    for (const [i, p] of op.parameters.filter((q) => q.in === 'path').entries()) {
      const value = decodeURIComponent(values[i] ?? '');
      if (!p.validate(parameterValue(p, value))) out.push(`${where}: bad path ${p.name}=${value}`);
    }
    if (request.body === undefined) {
      if (op.bodyRequired) out.push(`${where}: the description requires a body`);
      if (
        options.jsonContentTypeWithoutBody &&
        request.headers['content-type']?.startsWith('application/json')
      )
        out.push(`${where}: a JSON content-type with an empty body (${options.jsonContentTypeWithoutBody})`);
      return out;
    }
    const type = (request.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
    if (!op.bodyTypes.includes(type))
      out.push(`${where}: content-type "${type}" is not one the description accepts`);
    if (op.validate && !op.validate(request.body)) {
      for (const e of op.validate.errors ?? [])
        out.push(`${where}: body${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
    }
    return out;
  };

  const response = (operation: ApiOperation, status: number | string): ValidateFunction | undefined => {
    const entry = responseSchemas.get(operation);
    const schema = entry?.byStatus[String(status)];
    if (!entry || !schema) return undefined;
    const key = `${operation.file} ${operation.method} ${operation.template} ${status}`;
    let validate = compiled.get(key);
    if (!validate) {
      validate = entry.ajv.compile({ ...schema, components: entry.components });
      compiled.set(key, validate);
    }
    return validate;
  };

  return { operations, find, problems, response };
}
