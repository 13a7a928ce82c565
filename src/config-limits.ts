/**
 * Abuse limits (docs/auth.md, "Abuse limits"), one variable per action:
 * `RATE_LIMIT_LOGIN=10/15m,50/5m` is "10 per account per 15 minutes, 50 per client IP per
 * 5 minutes". Windows take s, m, h or d. Unset: the defaults below.
 */
import { ConfigError, parseDuration, type Env } from './config-parse.ts';

export interface LimitRule {
  readonly limit: number;
  /** Seconds. */
  readonly window: number;
}

export interface RouteLimits {
  readonly perIp: LimitRule;
  readonly perAccount: LimitRule;
}

export type LimitedAction = 'login' | 'register' | 'forgot' | 'verify_eligibility' | 'magic_link_send' | 'authenticate' | 'password_change';

export type RateLimits = Readonly<Record<LimitedAction, RouteLimits>>;

export const DEFAULT_LIMITS: RateLimits = {
  login: { perIp: { limit: 50, window: 300 }, perAccount: { limit: 10, window: 900 } },
  register: { perIp: { limit: 20, window: 3600 }, perAccount: { limit: 5, window: 3600 } },
  forgot: { perIp: { limit: 20, window: 3600 }, perAccount: { limit: 5, window: 3600 } },
  verify_eligibility: { perIp: { limit: 60, window: 300 }, perAccount: { limit: 20, window: 300 } },
  magic_link_send: { perIp: { limit: 30, window: 3600 }, perAccount: { limit: 5, window: 900 } },
  // Every redemption of a mailed token: /authenticate, the link's form landing, /verify-email, /password/reset.
  authenticate: { perIp: { limit: 60, window: 300 }, perAccount: { limit: 20, window: 300 } },
  // A signed-in session guessing its own current password; the account is the user.
  password_change: { perIp: { limit: 30, window: 900 }, perAccount: { limit: 10, window: 900 } },
};

/** The variable that sets an action's limits: RATE_LIMIT_LOGIN, RATE_LIMIT_MAGIC_LINK_SEND, … */
export function limitVariable(action: LimitedAction): string {
  return `RATE_LIMIT_${action.toUpperCase()}`;
}

function show(rule: LimitRule): string {
  return `${rule.limit}/${rule.window}s`;
}

function parseRule(variable: string, part: string, fallback: RouteLimits): LimitRule {
  const match = /^\s*(\d+)\s*\/\s*(\S+)\s*$/.exec(part);
  const limit = Number(match?.[1]);
  if (match === null || !Number.isInteger(limit) || limit < 1) {
    throw new ConfigError(
      variable,
      `"${part}" is not a limit`,
      `write <count>/<window>,<count>/<window> (per account, then per IP), e.g. ${show(fallback.perAccount)},${show(fallback.perIp)}`,
    );
  }
  return { limit, window: parseDuration(variable, match[2] ?? '') };
}

function parseRouteLimits(variable: string, raw: string, fallback: RouteLimits): RouteLimits {
  const parts = raw.split(',');
  if (parts.length !== 2) {
    throw new ConfigError(
      variable,
      `"${raw}" does not name two limits`,
      `write the per-account limit, a comma, then the per-IP one, e.g. ${show(fallback.perAccount)},${show(fallback.perIp)}`,
    );
  }
  return { perAccount: parseRule(variable, parts[0] ?? '', fallback), perIp: parseRule(variable, parts[1] ?? '', fallback) };
}

export function parseRateLimits(env: Env): RateLimits {
  const entries = (Object.keys(DEFAULT_LIMITS) as LimitedAction[]).map((action): [LimitedAction, RouteLimits] => {
    const variable = limitVariable(action);
    const raw = env[variable];
    return [action, raw === undefined || raw.trim() === '' ? DEFAULT_LIMITS[action] : parseRouteLimits(variable, raw, DEFAULT_LIMITS[action])];
  });
  return Object.fromEntries(entries) as Record<LimitedAction, RouteLimits>;
}
