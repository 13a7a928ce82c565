/** Abuse limits: per client IP and per account/email, 429 + Retry-After, same for known and unknown. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse as LightResponse } from 'fastify';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { createRedisCounterStore } from '../src/providers/redis-counters.ts';
import {
  createMemoryCounterStore,
  createRateLimiter,
  DEFAULT_LIMITS,
  type CounterStore,
  type LimitedAction,
  type RouteLimits,
} from '../src/services/rate-limits.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { createUser, PASSWORD } from './helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

const TIGHT: Record<LimitedAction, RouteLimits> = Object.fromEntries(
  Object.keys(DEFAULT_LIMITS).map((action) => [action, { perIp: { limit: 6, window: 60 }, perAccount: { limit: 3, window: 60 } }]),
) as Record<LimitedAction, RouteLimits>;

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
  await createUser(database.db, 'known@example.org');
});
after(async () => database.close());

async function tightApp(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({ env: { LOG_LEVEL: 'silent', ...env }, database, limits: TIGHT });
}

function attempt(t: TestApp, email: string, ip: string, password = 'wrong horse battery staple', headers: Record<string, string> = {}): Promise<LightResponse> {
  return t.app.inject({ method: 'POST', url: '/auth/login', remoteAddress: ip, headers, payload: { email, password } });
}

describe('login limits', () => {
  it('per account: rotating IPs does not help a guesser; 429 has Retry-After and {detail, code}', async () => {
    const t = await tightApp();
    for (let i = 0; i < 3; i++) assert.equal((await attempt(t, 'known@example.org', `10.0.0.${i}`)).statusCode, 401);
    const limited = await attempt(t, 'known@example.org', '10.0.0.99', PASSWORD);
    assert.equal(limited.statusCode, 429, 'even the right password is not checked');
    assert.equal(limited.json().code, 'rate_limited');
    assert.ok(Number(limited.headers['retry-after']) > 0 && Number(limited.headers['retry-after']) <= 60);
    await t.close();
  });

  it('the same answer for known and unknown emails', async () => {
    const t = await tightApp();
    for (let i = 0; i < 3; i++) {
      await attempt(t, 'known@example.org', `10.1.0.${i}`);
      await attempt(t, 'unknown@example.org', `10.2.0.${i}`);
    }
    const known = await attempt(t, 'known@example.org', '10.3.0.1');
    const unknown = await attempt(t, 'unknown@example.org', '10.3.0.2');
    assert.equal(known.statusCode, 429);
    assert.equal(unknown.statusCode, 429);
    assert.deepEqual(known.json(), unknown.json());
    await t.close();
  });

  it('per IP: one address cannot spray many accounts; another address is unaffected', async () => {
    const t = await tightApp();
    for (let i = 0; i < 6; i++) assert.equal((await attempt(t, `spray${i}@example.org`, '10.9.9.9')).statusCode, 401);
    assert.equal((await attempt(t, 'spray-next@example.org', '10.9.9.9')).statusCode, 429);
    assert.equal((await attempt(t, 'spray-next@example.org', '10.9.9.10')).statusCode, 401);
    await t.close();
  });

  it('X-Forwarded-For is ignored unless TRUST_PROXY says so', async () => {
    const untrusting = await tightApp();
    for (let i = 0; i < 6; i++) await attempt(untrusting, `xff${i}@example.org`, '127.0.0.1', undefined, { 'x-forwarded-for': `203.0.113.${i}` });
    assert.equal(
      (await attempt(untrusting, 'xff-next@example.org', '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.200' })).statusCode,
      429,
      'a forged header does not give a fresh IP',
    );
    await untrusting.close();
    const trusting = await tightApp({ TRUST_PROXY: '1' });
    for (let i = 0; i < 6; i++) await attempt(trusting, `xfft${i}@example.org`, '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.7' });
    assert.equal((await attempt(trusting, 'xfft-next@example.org', '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.7' })).statusCode, 429);
    assert.equal(
      (await attempt(trusting, 'xfft-next@example.org', '127.0.0.1', undefined, { 'x-forwarded-for': '203.0.113.8' })).statusCode,
      401,
      'behind a trusted proxy, clients are told apart',
    );
    await trusting.close();
  });
});

describe('other limited routes', () => {
  it('register, forgot and verify-email-eligibility (per email) answer 429', async () => {
    const t = await tightApp();
    const routes: { url: string; payload: object }[] = [
      { url: '/auth/register', payload: { email: 'limited@example.org', password: 'short' } },
      { url: '/auth/password/forgot', payload: { email: 'limited@example.org' } },
    ];
    for (const route of routes) {
      for (let i = 0; i < 3; i++) await t.app.inject({ method: 'POST', url: route.url, remoteAddress: `10.5.0.${i}`, payload: route.payload });
      const res = await t.app.inject({ method: 'POST', url: route.url, remoteAddress: '10.5.1.1', payload: route.payload });
      assert.equal(res.statusCode, 429, route.url);
    }
    await t.close();
  });
});

describe('shared store', () => {
  const redisUrl = process.env.REDIS_URL;
  it(
    'two instances sharing Redis count attempts together',
    { skip: redisUrl ? false : 'set REDIS_URL (".ci/run" does) to run the Redis store test' },
    async () => {
      const prefix = `gatehouse-test:${randomBytes(6).toString('hex')}:`;
      const storeA = await createRedisCounterStore(redisUrl ?? '', prefix);
      const storeB = await createRedisCounterStore(redisUrl ?? '', prefix);
      const a = await createTestApp({ env: { LOG_LEVEL: 'silent' }, database, limits: TIGHT, counterStore: storeA });
      const b = await createTestApp({ env: { LOG_LEVEL: 'silent' }, database, limits: TIGHT, counterStore: storeB });
      await attempt(a, 'shared@example.org', '10.7.0.1');
      await attempt(b, 'shared@example.org', '10.7.0.2');
      await attempt(a, 'shared@example.org', '10.7.0.3');
      const res = await attempt(b, 'shared@example.org', '10.7.0.4');
      assert.equal(res.statusCode, 429);
      await a.close();
      await b.close();
    },
  );
});

describe('limits from the configuration', () => {
  it('RATE_LIMIT_LOGIN=2/15m,100/5m: the third sign-in attempt for one account is 429', async () => {
    const env = { LOG_LEVEL: 'silent', RATE_LIMIT_LOGIN: '2/15m,100/5m' };
    const app = await createTestApp({ env, limits: testConfig(env).rateLimits });
    try {
      const statuses: number[] = [];
      for (let i = 0; i < 3; i++)
        statuses.push(
          (await app.app.inject({ method: 'POST', url: '/auth/login', payload: { email: 'configured@example.org', password: 'not the password at all' } }))
            .statusCode,
        );
      assert.deepEqual(statuses, [401, 401, 429]);
    } finally {
      await app.close();
    }
  });
});

describe('refunds: attempts the service failed do not count', () => {
  const stores: [string, () => Promise<CounterStore> | CounterStore, string | false][] = [
    ['in-process', () => createMemoryCounterStore(), false],
    [
      'Redis',
      () => createRedisCounterStore(process.env.REDIS_URL ?? '', `gatehouse-test:${randomBytes(6).toString('hex')}:`),
      process.env.REDIS_URL ? false : 'set REDIS_URL (".ci/run" does) to run the Redis store test',
    ],
  ];
  for (const [name, makeStore, skip] of stores) {
    it(`${name}: a refunded check leaves the counters where they were`, { skip }, async () => {
      const store = await makeStore();
      try {
        const limiter = createRateLimiter(store, { ...DEFAULT_LIMITS, login: { perIp: { limit: 2, window: 60 }, perAccount: { limit: 2, window: 60 } } });
        for (let i = 0; i < 5; i++) {
          const decision = await limiter.check('login', '10.8.0.1', 'refund@example.org');
          assert.equal(decision.allowed, true, `attempt ${i + 1}, each given back`);
          await limiter.refund(decision.counted);
        }
        assert.equal((await limiter.check('login', '10.8.0.1', 'refund@example.org')).allowed, true);
        assert.equal((await limiter.check('login', '10.8.0.1', 'refund@example.org')).allowed, true);
        assert.equal((await limiter.check('login', '10.8.0.1', 'refund@example.org')).allowed, false, 'unrefunded attempts still count');
      } finally {
        await store.close();
      }
    });
  }
});
