import {
  type ActionContext,
  type ActionDefinition,
  authHeaders,
  type ConnectionInfo,
  createHttpContext,
  type RecordedRequest,
} from '@oxygen/core';
import { executeAction } from '@oxygen/runtime';
import type { z } from 'zod';
import plugin from '../src/index.js';
import type { InstantlySandbox } from '../src/sandbox/index.js';

/** The connection every test call runs for. */
export const connection: ConnectionInfo = {
  id: 'conn_test',
  organization_id: 'default',
  provider: 'instantly',
  auth_mode: 'byok',
  account_label: 'Acme Outbound',
  scopes: [],
};

const apiKeyScheme = plugin.auth.byok[0];

/** An action context talking to the sandbox over HTTP, as the runtime would build it. */
export function contextFor(
  sandbox: InstantlySandbox,
  options: { token?: string; recorder?: RecordedRequest[] } = {},
): ActionContext {
  const token = options.token ?? sandbox.token;
  const { http } = createHttpContext({
    provider: plugin,
    baseUrl: sandbox.url,
    headers: authHeaders(apiKeyScheme, { type: 'api_key', key: token }),
    secrets: [token],
    retry: { baseDelayMs: 5 },
    recorder: options.recorder,
  });
  return { http, connection, dryRun: options.recorder !== undefined };
}

/**
 * Runs an action against the sandbox through the runtime's executeAction (input validation,
 * the per-call HTTP context with retries, output validation) and returns its output.
 */
export async function run<I extends z.ZodType, O extends z.ZodType>(
  sandbox: InstantlySandbox,
  action: ActionDefinition<I, O>,
  input: z.input<I>,
  options: { token?: string; retryLimit?: number } = {},
): Promise<z.output<O>> {
  const token = options.token ?? sandbox.token;
  const result = await executeAction({
    provider: plugin,
    action,
    input,
    connection,
    auth: { scheme: apiKeyScheme, credential: { type: 'api_key', key: token } },
    baseUrl: sandbox.url,
    retry: { baseDelayMs: 5, ...(options.retryLimit !== undefined ? { limit: options.retryLimit } : {}) },
  });
  if (result.dryRun) throw new Error('expected a real run');
  return result.output as z.output<O>;
}

/** Awaits a call that must fail (shared by every provider package's tests). */
export { failure } from '@oxygen/testkit';

/** Calls the sandbox directly (not through the plugin). */
export async function call(
  sandbox: InstantlySandbox,
  method: string,
  path: string,
  body?: unknown,
  token: string | null = sandbox.token,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Headers; json: Record<string, unknown> }> {
  const res = await fetch(`${sandbox.url}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? JSON.parse(text) : {} };
}
