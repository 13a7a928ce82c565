/**
 * Settings of the membership lifecycle and its background work (docs/lifecycle.md). Read with
 * the rest of the configuration by loadConfig.
 */
import { ConfigError, type Env } from './config-parse.ts';

export interface LifecycleConfig {
  /** Mails sent per minute across every instance (a shared token bucket; bursts up to a minute's worth). */
  readonly mailRatePerMinute: number;
  /** Days before a membership's expiry when its holder is reminded, largest first (e.g. [30, 7]). */
  readonly expiryNoticeDays: readonly number[];
}

function noticeDays(raw: string | undefined): number[] {
  if (raw === undefined || raw.trim() === '') return [14];
  const days = raw.split(',').map((part) => Number(part.trim()));
  if (days.some((day) => !Number.isInteger(day) || day < 1 || day > 365))
    throw new ConfigError('MEMBERSHIP_EXPIRY_NOTICE_DAYS', `"${raw}" is not a list of whole days between 1 and 365`, 'use e.g. 14, or 30,7');
  return [...new Set(days)].sort((a, b) => b - a);
}

export function parseLifecycle(env: Env): LifecycleConfig {
  const rawRate = env.MAIL_RATE_PER_MINUTE;
  const rate = rawRate === undefined || rawRate === '' ? 60 : Number(rawRate);
  if (!Number.isInteger(rate) || rate < 1)
    throw new ConfigError('MAIL_RATE_PER_MINUTE', `"${rawRate}" is not a whole number of at least 1`, 'set a whole number ≥ 1, or leave it unset for 60');
  return { mailRatePerMinute: rate, expiryNoticeDays: noticeDays(env.MEMBERSHIP_EXPIRY_NOTICE_DAYS) };
}
