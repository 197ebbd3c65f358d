/**
 * Delivery retry settings and the backoff schedule.
 *
 * @module
 */

import { ConfigError } from '@oxygen/core';
import type { DeliverySettings } from './types.js';

/** The defaults: 8 attempts over about 7.5 hours (5 s, 20 s, 80 s, 5 min, 21 min, 85 min, 5.7 h). */
export const DEFAULT_DELIVERY_SETTINGS: DeliverySettings = {
  maxAttempts: 8,
  backoffMs: 5_000,
  maxBackoffMs: 6 * 60 * 60 * 1000,
  timeoutMs: 10_000,
};

function positiveInt(env: NodeJS.ProcessEnv, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (!raw) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) {
    throw new ConfigError(`${name} must be a positive whole number, not "${raw}".`, {
      hint: `Unset it for the default (${fallback}).`,
    });
  }
  return value;
}

/** Delivery settings from `OXYGEN_DELIVERY_MAX_ATTEMPTS`, `_BACKOFF_MS`, `_TIMEOUT_MS` over the defaults. */
export function deliverySettingsFromEnv(
  env: NodeJS.ProcessEnv,
  overrides: Partial<DeliverySettings> = {},
): DeliverySettings {
  const d = DEFAULT_DELIVERY_SETTINGS;
  return {
    maxAttempts: overrides.maxAttempts ?? positiveInt(env, 'OXYGEN_DELIVERY_MAX_ATTEMPTS', d.maxAttempts),
    backoffMs: overrides.backoffMs ?? positiveInt(env, 'OXYGEN_DELIVERY_BACKOFF_MS', d.backoffMs),
    maxBackoffMs: overrides.maxBackoffMs ?? d.maxBackoffMs,
    timeoutMs: overrides.timeoutMs ?? positiveInt(env, 'OXYGEN_DELIVERY_TIMEOUT_MS', d.timeoutMs),
  };
}

/**
 * The wait before attempt `attempt + 1`, after `attempt` failed ones: `backoffMs * 4^(attempt-1)`,
 * capped, with up to 10% random jitter so retries from one burst do not arrive together.
 *
 * @example
 * ```ts
 * backoffDelay(1, { ...DEFAULT_DELIVERY_SETTINGS, backoffMs: 100 }); // 100–110
 * backoffDelay(2, { ...DEFAULT_DELIVERY_SETTINGS, backoffMs: 100 }); // 400–440
 * ```
 */
export function backoffDelay(attempt: number, settings: DeliverySettings, random = Math.random): number {
  const base = Math.min(settings.maxBackoffMs, settings.backoffMs * 4 ** Math.max(0, attempt - 1));
  return Math.round(base * (1 + 0.1 * random()));
}
