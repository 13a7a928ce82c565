/** Settings of webhook delivery (docs/webhooks.md). Read with the rest of the configuration by loadConfig. */
import { ConfigError, type Env } from './config-parse.ts';

export interface WebhookConfig {
  /** Private, loopback and unique-local receivers (and plain http to them) allowed: local receivers only. */
  readonly allowPrivate: boolean;
  /** https required for every endpoint (production), except private ones under allowPrivate. */
  readonly requireHttps: boolean;
  /** Deliveries in flight per endpoint, across every instance. */
  readonly concurrency: number;
  /** Seconds to wait before each retry; after the last one fails, the delivery is `failed`. */
  readonly retrySchedule: readonly number[];
  /** A receiver's 2xx must arrive within this. */
  readonly timeoutMs: number;
}

/** About 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h: some 27.6 h, about 32 h with jitter and timeouts. */
export const DEFAULT_RETRY_SCHEDULE: readonly number[] = [5, 300, 1800, 7200, 18_000, 36_000, 36_000];

function retrySchedule(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [...DEFAULT_RETRY_SCHEDULE];
  const delays = raw.split(',').map((part) => Number(part.trim()));
  if (delays.length > 20 || delays.some((delay) => !Number.isInteger(delay) || delay < 1 || delay > 86_400))
    throw new ConfigError(
      'WEBHOOK_RETRY_SCHEDULE',
      `"${raw}" is not a list of up to 20 whole seconds between 1 and 86400`,
      'use e.g. 5,300,1800, or leave it unset',
    );
  return delays;
}

function whole(variable: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max)
    throw new ConfigError(
      variable,
      `"${raw}" is not a whole number from ${min} to ${max}`,
      `set ${variable} within that range, or leave it unset for ${fallback}`,
    );
  return value;
}

export function parseWebhooks(env: Env, production: boolean): WebhookConfig {
  const raw = env.WEBHOOK_ALLOW_PRIVATE;
  if (raw !== undefined && raw !== '' && raw !== 'true' && raw !== 'false')
    throw new ConfigError(
      'WEBHOOK_ALLOW_PRIVATE',
      `"${raw}" is not true or false`,
      'set true only for receivers on this machine or network, else leave it unset',
    );
  return {
    allowPrivate: raw === 'true',
    requireHttps: production,
    concurrency: whole('WEBHOOK_CONCURRENCY', env.WEBHOOK_CONCURRENCY, 4, 1, 64),
    retrySchedule: retrySchedule(env.WEBHOOK_RETRY_SCHEDULE),
    timeoutMs: whole('WEBHOOK_TIMEOUT_MS', env.WEBHOOK_TIMEOUT_MS, 15_000, 100, 60_000),
  };
}
