import {
  type ActionContext,
  type ActionDefinition,
  authHeaders,
  type ConnectionInfo,
  createHttpContext,
  type RateLimiter,
  type RecordedRequest,
  type RetryPolicy,
} from '@oxygen/core';
import { executeAction } from '@oxygen/runtime';
import type { z } from 'zod';
import plugin from '../src/index.js';
import type { HubSpotSandbox } from '../src/sandbox/index.js';

/** The connection every test call runs for. */
export const connection: ConnectionInfo = {
  id: 'conn_test',
  organization_id: 'default',
  provider: 'hubspot',
  auth_mode: 'byok',
  account_label: 'portal 62515',
  scopes: [],
};

const privateAppToken = plugin.auth.byok[0] as NonNullable<(typeof plugin.auth.byok)[0]>;

/** An action context talking to the sandbox over HTTP, as the runtime would build it. */
export function contextFor(
  sandbox: HubSpotSandbox,
  options: { token?: string; recorder?: RecordedRequest[]; retryUnsafe?: boolean } = {},
): ActionContext {
  const token = options.token ?? sandbox.token;
  const { http } = createHttpContext({
    provider: plugin,
    baseUrl: sandbox.url,
    headers: authHeaders(privateAppToken, { type: 'api_key', key: token }),
    secrets: [token],
    retry: { baseDelayMs: 5, retryUnsafe: options.retryUnsafe ?? false },
    recorder: options.recorder,
  });
  return { http, connection, dryRun: options.recorder !== undefined };
}

/**
 * Runs the action against the sandbox the way the runtime does (`executeAction` from
 * `@oxygen/runtime`: input validation, the per-call HTTP context with retries, output checking)
 * and returns its output.
 */
export async function run<I extends z.ZodType, O extends z.ZodType>(
  sandbox: HubSpotSandbox,
  action: ActionDefinition<I, O>,
  input: z.input<I>,
  options: { token?: string; retry?: RetryPolicy; rateLimiter?: RateLimiter } = {},
): Promise<z.output<O>> {
  const result = await executeAction({
    provider: plugin,
    action,
    input,
    connection,
    auth: { scheme: privateAppToken, credential: { type: 'api_key', key: options.token ?? sandbox.token } },
    baseUrl: sandbox.url,
    retry: { baseDelayMs: 5, ...options.retry },
    rateLimiter: options.rateLimiter,
  });
  if (result.dryRun) throw new Error('expected a real run');
  return result.output as z.output<O>;
}

/** The requests a dry run of the action would send, as the runtime shows them. */
export async function dryRun(
  sandbox: HubSpotSandbox,
  // biome-ignore lint/suspicious/noExplicitAny: any action
  action: ActionDefinition<any, any>,
  input: unknown,
): Promise<RecordedRequest[]> {
  const result = await executeAction({
    provider: plugin,
    action,
    input,
    dryRun: true,
    connection,
    auth: { scheme: privateAppToken, credential: { type: 'api_key', key: sandbox.token } },
    baseUrl: sandbox.url,
  });
  if (!result.dryRun) throw new Error('expected a dry run');
  return result.requests;
}

/** Awaits a call that must fail (shared by every provider package's tests). */
export { failure } from '@oxygen/testkit';

/** Calls the sandbox directly (not through the plugin). */
export async function call(
  sandbox: HubSpotSandbox,
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
