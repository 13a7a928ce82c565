/**
 * What every configuration section shares: the error that stops start-up with a fix, and the
 * parsers more than one section uses. Its own file, so the sections (config-operations.ts,
 * config-limits.ts) need not import config.ts, which imports them.
 */

export type Env = Readonly<Record<string, string | undefined>>;

/** Thrown for every invalid setting; `main` prints the message and exits 1. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string, fix: string) {
    super(`${variable}: ${problem}. Fix: ${fix}`);
    this.name = 'ConfigError';
  }
}

const DURATION_UNITS: Readonly<Record<string, number>> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses `900`, `900s`, `15m`, `7d` into seconds. */
export function parseDuration(variable: string, raw: string): number {
  const match = /^(\d+)\s*([smhd]?)$/.exec(raw.trim());
  if (!match) {
    throw new ConfigError(variable, `"${raw}" is not a duration`, 'use seconds (900) or a number with s, m, h or d (15m, 7d)');
  }
  const seconds = Number(match[1]) * (DURATION_UNITS[match[2] || 's'] ?? 1);
  if (seconds <= 0) throw new ConfigError(variable, 'must be greater than zero', 'use a positive duration such as 15m');
  return seconds;
}
