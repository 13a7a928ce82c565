/**
 * Rate-limit counters in Redis, shared by every instance: INCR + EXPIRE NX in one round trip.
 * ioredis is imported only when REDIS_URL is set (it costs ~20 MB of memory to load).
 */
import type { CounterStore } from '../services/rate-limits.ts';

export async function createRedisCounterStore(url: string, keyPrefix: string): Promise<CounterStore> {
  const { Redis } = await import('ioredis');
  // A command that gets no answer in a second fails (the limiter then answers 503) instead of
  // holding the request while ioredis reconnects.
  const redis = new Redis(url, { maxRetriesPerRequest: 1, enableOfflineQueue: true, lazyConnect: false, commandTimeout: 1_000 });
  return {
    async increment(name, windowSeconds): Promise<{ count: number; ttl: number }> {
      const key = `${keyPrefix}${name}`;
      const results = await redis.multi().incr(key).expire(key, windowSeconds, 'NX').ttl(key).exec();
      const count = Number(results?.[0]?.[1] ?? 0);
      const ttl = Number(results?.[2]?.[1] ?? windowSeconds);
      return { count, ttl: ttl > 0 ? ttl : windowSeconds };
    },
    async decrement(name): Promise<void> {
      // Only a live window: DECR on an expired key would make a -1 with no expiry.
      await redis.eval("if redis.call('exists', KEYS[1]) == 1 then return redis.call('decr', KEYS[1]) end return 0", 1, `${keyPrefix}${name}`);
    },
    async close(): Promise<void> {
      await redis.quit();
    },
  };
}
