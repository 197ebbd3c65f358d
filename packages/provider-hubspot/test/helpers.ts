import {
  type ActionContext,
  type ActionDefinition,
  authHeaders,
  type ConnectionInfo,
  createHttpContext,
  type OxygenError,
  type RecordedRequest,
} from '@oxygen/core';
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

const privateAppToken = plugin.auth.byok[0];

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

/** Validates the input, runs the action against the sandbox and parses its output with the action's schema. */
export async function run<I extends z.ZodType, O extends z.ZodType>(
  sandbox: HubSpotSandbox,
  action: ActionDefinition<I, O>,
  input: z.input<I>,
  options: { token?: string } = {},
): Promise<z.output<O>> {
  const ctx = contextFor(sandbox, {
    ...options,
    retryUnsafe: action.effect === 'read' || action.idempotent === true,
  });
  const raw = await action.run(action.input.parse(input), ctx);
  return action.output.parse(raw);
}

/** The error a promise rejects with; fails the test when it resolves. */
export async function failure(promise: Promise<unknown>): Promise<OxygenError> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: OxygenError) => error,
  );
}

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
