/**
 * Runs one action (or a provider's `verify`) with a credential: validation, the per-call HTTP
 * context, dry-run recording and output checking. No storage here: the runtime and the testkit
 * both call it, so a plugin behaves the same in tests as in production.
 *
 * @module
 */

import {
  type ActionContext,
  type ActionDefinition,
  authHeaders,
  type CallRecord,
  type ConnectionInfo,
  type Credential,
  createHttpContext,
  createRateLimiter,
  credentialSecrets,
  envName,
  isDryRunHalt,
  OxygenError,
  PluginError,
  type ProviderDefinition,
  parseOrThrow,
  type RateLimiter,
  type RecordedRequest,
  type RetryPolicy,
  redactText,
  type VerifyResult,
} from '@oxygen/core';

/** How the call authenticates: the scheme and the secret that goes with it. */
export interface CallAuth {
  /** The scheme the credential belongs to: decides the header it is sent in. */
  scheme: Parameters<typeof authHeaders>[0];
  /** The decrypted credential. Redacted from everything the call records or throws. */
  credential: Credential;
}

/** Options shared by {@link executeAction} and {@link executeVerify}. */
export interface CallOptions {
  /** The provider called. */
  provider: ProviderDefinition;
  /** The connection the call runs for, as the plugin sees it. */
  connection: ConnectionInfo;
  /** The credential and its scheme. */
  auth: CallAuth;
  /** Overrides the provider's base URL (sandboxes, `OXYGEN_PROVIDER_<ID>_BASE_URL`). */
  baseUrl?: string | undefined;
  /** The connection's limiter, awaited before every attempt. */
  rateLimiter?: RateLimiter | undefined;
  /** Retry policy for 429, 5xx and network failures. */
  retry?: RetryPolicy | undefined;
  /** Whole-request timeout per attempt. Default 30 s. */
  timeoutMs?: number | undefined;
  /** Aborts the call when the caller gives up. */
  signal?: AbortSignal | undefined;
  /** Other secrets the call may carry (a webhook secret being registered), redacted like the credential. */
  secrets?: readonly string[] | undefined;
}

/** The outcome of {@link executeAction}. */
export type ExecuteResult =
  | {
      /** The action ran. */
      dryRun: false;
      /** Its output, validated by the action's output schema. */
      output: unknown;
      /** Every request sent, retries counted. */
      calls: CallRecord[];
    }
  | {
      /** Nothing was sent. */
      dryRun: true;
      /**
       * The requests the action would send, secrets redacted: up to the first one whose answer
       * it needs, since a dry run has no answers.
       */
      requests: RecordedRequest[];
    };

export { createRateLimiter };

/** The base URL a provider is called at: env override first, then the plugin's default. */
export function providerBaseUrl(provider: ProviderDefinition, env: NodeJS.ProcessEnv = process.env): string {
  return env[`OXYGEN_PROVIDER_${envName(provider.id)}_BASE_URL`] || provider.baseUrl;
}

function buildContext(options: CallOptions, recorder: RecordedRequest[] | undefined, retryUnsafe: boolean) {
  const { http, calls } = createHttpContext({
    provider: options.provider,
    baseUrl: options.baseUrl ?? providerBaseUrl(options.provider),
    headers: authHeaders(options.auth.scheme, options.auth.credential),
    secrets: [...credentialSecrets(options.auth.credential), ...(options.secrets ?? [])],
    rateLimiter: options.rateLimiter,
    retry: { ...options.retry, retryUnsafe: options.retry?.retryUnsafe ?? retryUnsafe },
    timeoutMs: options.timeoutMs,
    recorder,
    userAgent: `oxygen-integrations (${options.provider.id}${options.provider.version ? `@${options.provider.version}` : ''})`,
  });
  const ctx: ActionContext = {
    http,
    connection: options.connection,
    dryRun: recorder !== undefined,
    signal: options.signal,
  };
  return { ctx, calls };
}

/**
 * Validates `input`, runs the action and validates its output. With `dryRun`, the action runs
 * against a recording transport: nothing leaves the machine and the recorded requests come back.
 *
 * @throws ValidationError when the input does not match the action's schema (naming the field).
 * @throws the typed error the provider's answer maps to (AuthError, RateLimitError, ...).
 */
export async function executeAction(
  options: CallOptions & {
    // biome-ignore lint/suspicious/noExplicitAny: actions have heterogeneous schemas
    action: ActionDefinition<any, any>;
    input: unknown;
    dryRun?: boolean;
  },
): Promise<ExecuteResult> {
  const { action, provider } = options;
  const input = parseOrThrow(action.input, options.input, `input for ${provider.id} ${action.slug}`);
  const recorder: RecordedRequest[] | undefined = options.dryRun ? [] : undefined;
  const { ctx, calls } = buildContext(
    options,
    recorder,
    action.effect === 'read' || action.idempotent === true,
  );
  let raw: unknown;
  try {
    raw = await action.run(input, ctx);
  } catch (error) {
    if (recorder && isDryRunHalt(error)) return { dryRun: true, requests: recorder };
    throw asOxygenError(error, provider, action.slug, credentialSecrets(options.auth.credential));
  }
  if (recorder) return { dryRun: true, requests: recorder };
  const parsed = action.output.safeParse(raw);
  if (!parsed.success) {
    throw new PluginError(
      `The ${provider.id} plugin's ${action.slug} returned output that does not match its schema: ${parsed.error.issues[0]?.message ?? 'invalid'} at "${parsed.error.issues[0]?.path.join('.') ?? ''}".`,
      {
        hint: 'This is a bug in the plugin (or the provider changed its answer); report it to the plugin author.',
      },
    );
  }
  return { dryRun: false, output: parsed.data, calls };
}

/** Runs the provider's `verify` with a credential: proves it works and finds the account label. */
export async function executeVerify(options: CallOptions): Promise<
  VerifyResult & {
    /** The requests `verify` sent. */
    calls: CallRecord[];
  }
> {
  const { ctx, calls } = buildContext(options, undefined, true);
  try {
    const result = await options.provider.verify(ctx);
    if (!result || typeof result.accountLabel !== 'string') {
      throw new PluginError(`The ${options.provider.id} plugin's verify returned no accountLabel.`);
    }
    return { ...result, calls };
  } catch (error) {
    throw asOxygenError(error, options.provider, 'verify', credentialSecrets(options.auth.credential));
  }
}

/**
 * Runs any plugin function that talks to the provider for a connection (a webhook subscription's
 * create or delete), with the same per-call context, limits, retries and error mapping as an
 * action. `where` names it in errors (`webhooks.subscriptions.create`).
 */
export async function executeCall<T>(
  options: CallOptions,
  where: string,
  fn: (ctx: ActionContext) => Promise<T>,
): Promise<T> {
  const { ctx } = buildContext(options, undefined, false);
  try {
    return await fn(ctx);
  } catch (error) {
    throw asOxygenError(error, options.provider, where, [
      ...credentialSecrets(options.auth.credential),
      ...(options.secrets ?? []),
    ]);
  }
}

/** Anything a plugin throws becomes a typed error; a plain crash is the plugin's bug. */
function asOxygenError(
  error: unknown,
  provider: ProviderDefinition,
  where: string,
  secrets: string[],
): OxygenError {
  if (OxygenError.isInstance(error)) return error;
  const message = redactText(error instanceof Error ? error.message : String(error), secrets);
  return new PluginError(`The ${provider.id} plugin failed in ${where}: ${message}`, {
    hint: 'This is a bug in the plugin; report it to its author with the command you ran.',
    cause: error,
  });
}
