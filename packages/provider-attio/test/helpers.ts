import {
  type ActionContext,
  type ActionDefinition,
  authHeaders,
  type ConnectionInfo,
  createHttpContext,
  type RecordedRequest,
} from '@oxygen/core';
import { executeAction, executeVerify } from '@oxygen/runtime';
import type { z } from 'zod';
import plugin from '../src/index.js';
import type { AttioSandbox } from '../src/sandbox/index.js';

/** The connection every test call runs for. */
export const connection: ConnectionInfo = {
  id: 'conn_test',
  organization_id: 'default',
  provider: 'attio',
  auth_mode: 'byok',
  account_label: 'Sandbox Workspace',
  scopes: [],
};

const accessToken = plugin.auth.byok.find((s) => s.type === 'api_key')!;

function callOptions(sandbox: AttioSandbox, token: string) {
  return {
    provider: plugin,
    connection,
    auth: { scheme: accessToken, credential: { type: 'api_key' as const, key: token } },
    baseUrl: sandbox.url,
    retry: { baseDelayMs: 5 },
  };
}

/**
 * A context talking to the sandbox over HTTP, as the runtime builds it for actions and for the
 * webhook subscription calls.
 */
export function contextFor(sandbox: AttioSandbox, options: { token?: string } = {}): ActionContext {
  const token = options.token ?? sandbox.token;
  const { http } = createHttpContext({
    provider: plugin,
    baseUrl: sandbox.url,
    headers: authHeaders(accessToken, { type: 'api_key', key: token }),
    secrets: [token],
    retry: { baseDelayMs: 5 },
  });
  return { http, connection, dryRun: false };
}

/** Runs an action against the sandbox through the runtime's executor (validation, HTTP context, output check). */
export async function run<I extends z.ZodType, O extends z.ZodType>(
  sandbox: AttioSandbox,
  action: ActionDefinition<I, O>,
  input: z.input<I>,
  options: { token?: string } = {},
): Promise<z.output<O>> {
  const result = await executeAction({
    ...callOptions(sandbox, options.token ?? sandbox.token),
    action,
    input,
  });
  if (result.dryRun) throw new Error('expected a real run');
  return result.output as z.output<O>;
}

/** Dry-runs an action: the requests it would send, nothing sent. */
export async function dryRun<I extends z.ZodType, O extends z.ZodType>(
  sandbox: AttioSandbox,
  action: ActionDefinition<I, O>,
  input: z.input<I>,
): Promise<RecordedRequest[]> {
  const result = await executeAction({ ...callOptions(sandbox, sandbox.token), action, input, dryRun: true });
  if (!result.dryRun) throw new Error('expected a dry run');
  return result.requests;
}

/** Runs the plugin's verify against the sandbox. */
export function verify(sandbox: AttioSandbox, token = sandbox.token) {
  return executeVerify({ ...callOptions(sandbox, token), retry: { limit: 0 } });
}

/** Awaits a call that must fail (shared by every provider package's tests). */
export { failure } from '@oxygen/testkit';

/** Calls the sandbox directly (not through the plugin). */
export async function call(
  sandbox: AttioSandbox,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = sandbox.token,
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : {} };
}

/** The body of the last request the sandbox received at `path` (method optional). */
export function lastBody(sandbox: AttioSandbox, method: string, path: string | RegExp): unknown {
  const match = sandbox.requests.filter(
    (r) => r.method === method && (typeof path === 'string' ? r.path === path : path.test(r.path)),
  );
  return match.at(-1)?.body;
}
