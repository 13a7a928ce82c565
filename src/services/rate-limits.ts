/**
 * Abuse limits: fixed-window counters keyed by (rule, dimension, value), counted per client IP
 * AND per account/email. The answer never depends on whether the account exists. The store is
 * in-process by default and Redis (shared by all instances) when REDIS_URL is set.
 */
import { DEFAULT_LIMITS, type LimitedAction, type RouteLimits } from '../config-limits.ts';
import { AppError } from '../errors.ts';

export { DEFAULT_LIMITS, type LimitedAction, type LimitRule, type RouteLimits } from '../config-limits.ts';

export interface CounterStore {
  /** Adds one to the counter and returns its value and the seconds left in its window. */
  increment(key: string, windowSeconds: number): Promise<{ count: number; ttl: number }>;
  /** Takes one back from a counter whose window is still open (an attempt the service failed). */
  decrement(key: string): Promise<void>;
  close(): Promise<void>;
}

/** In-process counters; expired windows are swept as they are touched and once a minute. */
export function createMemoryCounterStore(now: () => number = Date.now): CounterStore {
  const counters = new Map<string, { count: number; resetAt: number }>();
  const sweep = setInterval(() => {
    const time = now();
    for (const [key, counter] of counters) if (counter.resetAt <= time) counters.delete(key);
  }, 60_000);
  sweep.unref();
  return {
    async increment(key, windowSeconds): Promise<{ count: number; ttl: number }> {
      const time = now();
      let counter = counters.get(key);
      if (counter === undefined || counter.resetAt <= time) {
        counter = { count: 0, resetAt: time + windowSeconds * 1000 };
        counters.set(key, counter);
      }
      counter.count++;
      return { count: counter.count, ttl: Math.max(1, Math.ceil((counter.resetAt - time) / 1000)) };
    },
    async decrement(key): Promise<void> {
      const counter = counters.get(key);
      if (counter !== undefined && counter.resetAt > now() && counter.count > 0) counter.count--;
    },
    async close(): Promise<void> {
      clearInterval(sweep);
    },
  };
}

export interface LimitDecision {
  readonly allowed: boolean;
  /** The counters this check added one to (to give back if the service then fails the attempt). */
  readonly counted: readonly string[];
  /** Seconds until the tightest exceeded window resets (for Retry-After). */
  readonly retryAfter: number;
  readonly dimension: 'ip' | 'account' | null;
}

export interface RateLimiter {
  check(action: LimitedAction, ip: string, account: string | null): Promise<LimitDecision>;
  /**
   * Gives back what a check counted. Only attempts the service answered count: one that it
   * failed itself (a 5xx, such as a database outage) must not bring its user closer to a
   * lock-out. Best effort: a store that is down keeps the count.
   */
  refund(counted: readonly string[]): Promise<void>;
}

/**
 * When the shared store (Redis) does not answer, limited routes fail closed with 503: an
 * unlimited password guesser is worse than a minute of refused sign-ins.
 */
async function counted(store: CounterStore, key: string, windowSeconds: number): Promise<{ count: number; ttl: number }> {
  try {
    return await store.increment(key, windowSeconds);
  } catch (error) {
    throw new AppError('service_unavailable', { message: 'limit_store_unavailable', retryAfterSeconds: 2, cause: error });
  }
}

export function createRateLimiter(store: CounterStore, limits: Readonly<Record<LimitedAction, RouteLimits>> = DEFAULT_LIMITS): RateLimiter {
  return {
    async check(action, ip, account): Promise<LimitDecision> {
      const rules = limits[action];
      const ipKey = `rl:${action}:ip:${ip}`;
      const byIp = await counted(store, ipKey, rules.perIp.window);
      if (byIp.count > rules.perIp.limit) return { allowed: false, counted: [ipKey], retryAfter: byIp.ttl, dimension: 'ip' };
      if (account === null) return { allowed: true, counted: [ipKey], retryAfter: 0, dimension: null };
      const accountKey = `rl:${action}:acct:${account}`;
      const byAccount = await counted(store, accountKey, rules.perAccount.window);
      if (byAccount.count > rules.perAccount.limit) return { allowed: false, counted: [ipKey, accountKey], retryAfter: byAccount.ttl, dimension: 'account' };
      return { allowed: true, counted: [ipKey, accountKey], retryAfter: 0, dimension: null };
    },
    async refund(keys): Promise<void> {
      await Promise.all(keys.map((key) => store.decrement(key).catch(() => undefined)));
    },
  };
}
