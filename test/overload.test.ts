/**
 * Overload: past capacity the excess gets 503 overloaded with Retry-After at once, admitted
 * requests keep a bounded latency, a login burst waits in a bounded line instead of being refused,
 * a login flood past that bound cannot starve /me, and operations routes stay up.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, PASSWORD } from './helpers/auth.ts';
import { AppError } from '../src/errors.ts';
import { createHashGate } from '../src/security/hash-gate.ts';
import type { Timed } from '../src/security/hash-pool.ts';

const apps: TestApp[] = [];
after(async () => Promise.all(apps.map((app) => app.close())));

async function appWith(env: Record<string, string>): Promise<TestApp> {
  const t = await createTestApp({ env });
  apps.push(t);
  return t;
}

function assertOverloaded(res: LightMyRequestResponse): void {
  assert.equal(res.statusCode, 503);
  assert.equal(res.headers['retry-after'], '1');
  assert.deepEqual(res.json(), { detail: 'The service is overloaded; retry shortly', code: 'overloaded' });
  // A refusal is an answer like any other: traceable, and under the same security headers.
  assert.match(String(res.headers['x-request-id']), /^[0-9a-f-]{36}$/);
  assert.equal(res.headers['x-content-type-options'], 'nosniff');
}

describe('MAX_IN_FLIGHT', () => {
  it('admits that many requests at once; the rest get 503 at once; /healthz and /readyz still answer', async () => {
    const t = await appWith({ MAX_IN_FLIGHT: '4', MAX_EVENT_LOOP_DELAY_MS: '0' });
    t.app.get('/test/slow', async () => {
      await sleep(300);
      return { ok: true };
    });
    await t.app.ready();
    const slow = Array.from({ length: 10 }, () => t.app.inject({ method: 'GET', url: '/test/slow' }));
    await sleep(50);
    const [health, ready] = await Promise.all([t.app.inject({ method: 'GET', url: '/healthz' }), t.app.inject({ method: 'GET', url: '/readyz' })]);
    assert.equal(health.statusCode, 200);
    assert.equal(ready.statusCode, 200);
    const answers = await Promise.all(slow);
    assert.equal(answers.filter((res) => res.statusCode === 200).length, 4);
    for (const res of answers.filter((res) => res.statusCode !== 200)) assertOverloaded(res);
    // Capacity comes back when the slow ones are done.
    assert.equal((await t.app.inject({ method: 'GET', url: '/test/slow' })).statusCode, 200);
  });
});

describe('a login burst', () => {
  it('is queued and served while the expected wait stays under PASSWORD_HASH_MAX_WAIT_MS: 60 at once, none refused', async () => {
    // One hash thread, so 60 logins stand in one line; the bound is generous for a slow CI machine.
    const t = await appWith({ MAX_IN_FLIGHT: '100', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_MAX_WAIT_MS: '20000', MAX_EVENT_LOOP_DELAY_MS: '0' });
    const member = await createUser(t.database.db, 'member@example.org');
    const burst = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: i % 2 === 0 ? member.email : `nobody${i}@example.org`, password: PASSWORD } }),
      ),
    );
    assert.deepEqual(
      burst.map((res) => res.statusCode),
      Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 200 : 401)),
      'every login of the burst is answered for what it is: no 503',
    );
  });

  it('past the wait bound gets 503 at once, and /me keeps answering 200 meanwhile', async () => {
    // One hash at a time, and a line no longer than ~50 ms; room for 40 requests in flight.
    const t = await appWith({ MAX_IN_FLIGHT: '40', PASSWORD_HASH_CONCURRENCY: '1', PASSWORD_HASH_MAX_WAIT_MS: '50', MAX_EVENT_LOOP_DELAY_MS: '0' });
    const member = await createUser(t.database.db, 'member@example.org');
    const session = await login(t.app, member.email);
    const flood = Array.from({ length: 60 }, (_, i) =>
      t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: i % 2 === 0 ? member.email : `nobody${i}@example.org`, password: PASSWORD } }),
    );
    const started = Date.now();
    const me = await Promise.all(Array.from({ length: 20 }, () => t.app.inject({ method: 'GET', url: '/auth/me', headers: session.bearer })));
    const meElapsed = Date.now() - started;
    const logins = await Promise.all(flood);

    assert.deepEqual(
      me.map((res) => res.statusCode),
      Array(20).fill(200),
      '/me is never refused during the flood',
    );
    // Generous bound (each /me takes milliseconds); without the gate they would wait behind 60 hashes or be refused.
    assert.ok(meElapsed < 5_000, `/me answered within 5 s during the flood (took ${meElapsed} ms)`);
    const refused = logins.filter((res) => res.statusCode === 503);
    assert.ok(refused.length >= 50, `most of the flood is refused at once (${refused.length} of 60)`);
    for (const res of refused) assertOverloaded(res);
    assert.ok(
      logins.every((res) => [200, 401, 503].includes(res.statusCode)),
      'no 5xx other than 503, no other answers',
    );
    assert.ok(
      logins.some((res) => res.statusCode === 200),
      'logins that got a slot still succeed',
    );
  });
});

describe('the hash gate', () => {
  const never = (): Promise<Timed<void>> => new Promise<Timed<void>>(() => undefined);
  const hashFor = async (ms: number): Promise<Timed<void>> => ({ value: undefined, computeMs: ms });

  it('queues while the expected wait (line per slot × the mean hash time) is within the bound, then refuses', async () => {
    // Before any hash has finished the mean is 25 ms: with 2 slots and 100 ms, 8 may wait.
    const gate = createHashGate({ concurrency: 2, queue: 1000, maxWaitMs: 100 });
    const admitted = Array.from({ length: 10 }, () => gate.run(never));
    assert.deepEqual(gate.load(), { running: 2, waiting: 8, expectedWaitMs: 125 });
    await assert.rejects(gate.run(never), (error: unknown) => error instanceof AppError && error.code === 'overloaded');
    assert.equal(admitted.length, 10);
  });

  it('refuses past PASSWORD_HASH_QUEUE waiting even when the wait would be short', async () => {
    const gate = createHashGate({ concurrency: 1, queue: 3, maxWaitMs: 60_000 });
    for (let i = 0; i < 4; i++) void gate.run(never);
    assert.deepEqual(gate.load(), { running: 1, waiting: 3, expectedWaitMs: 100 });
    await assert.rejects(gate.run(never), (error: unknown) => error instanceof AppError && error.code === 'overloaded');
  });

  it('follows the measured hash time: slower hashes shorten the line it accepts', async () => {
    const gate = createHashGate({ concurrency: 1, queue: 1000, maxWaitMs: 200 });
    for (let i = 0; i < 5; i++) await gate.run(() => hashFor(60));
    // The mean moved from 25 ms towards 60 ms: 25 + 35 × (1 − 0.8⁵) ≈ 48.5 ms, so 4 fit in 200 ms (8 did at 25 ms).
    void gate.run(never);
    for (let i = 0; i < 4; i++) void gate.run(never);
    assert.equal(Math.round(gate.load().expectedWaitMs), 243);
    await assert.rejects(gate.run(never), (error: unknown) => error instanceof AppError && error.code === 'overloaded');
  });
});

describe('MAX_EVENT_LOOP_DELAY_MS', () => {
  it('refuses new requests while the event loop lags, keeps /healthz up, and recovers', async () => {
    const t = await appWith({ MAX_EVENT_LOOP_DELAY_MS: '50' });
    await t.app.ready();
    // Sustained lag: the event loop is busy 250 ms at a time, with short gaps for requests.
    let lagging = true;
    const spin = (): void => {
      const until = Date.now() + 250;
      while (Date.now() < until) {
        // busy
      }
      if (lagging) setTimeout(spin, 5);
    };
    spin();
    let refused: LightMyRequestResponse | null = null;
    let health = 0;
    const giveUp = Date.now() + 5_000;
    while (refused === null && Date.now() < giveUp) {
      const res = await t.app.inject({ method: 'GET', url: '/v1/auth/me' });
      if (res.statusCode === 503) refused = res;
      health = (await t.app.inject({ method: 'GET', url: '/healthz' })).statusCode;
      await sleep(20); // let timers (the spinner, the sampler) run: inject alone never yields to them
    }
    lagging = false;
    assert.ok(refused !== null, 'a request is refused while the loop lags');
    assertOverloaded(refused);
    assert.equal(health, 200, '/healthz answers while the loop lags');
    await sleep(1_200); // two quiet samples
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/me' })).statusCode, 401, 'admitted again (and refused only for lack of a credential)');
  });
});
