/**
 * REQUEST_TIMEOUT_MS: a request that outlives it is answered 504 {detail, code}, and whatever it
 * was still writing is rolled back: no statement starts after the deadline, no commit happens.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import type { AddressInfo } from 'node:net';
import pg from 'pg';
import { sql } from 'kysely';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const TIMEOUT_MS = 400;
let t: TestApp;
let adminAuth: Record<string, string>;
/** The test routes' own work, so a test waits for it to end instead of guessing how long it takes. */
let handlerWork: Promise<unknown> = Promise.resolve();

function tracked<T>(work: () => Promise<T>): Promise<T> {
  const running = work();
  handlerWork = running.catch(() => undefined);
  return running;
}

before(async () => {
  t = await createTestApp({ env: { REQUEST_TIMEOUT_MS: String(TIMEOUT_MS) } });
  // A route that only this test has: a transaction that writes, stalls past the deadline, and
  // writes again. It runs through the same hooks, error handler and database layer as the API.
  t.app.post('/test/slow-transaction', async () => {
    await tracked(() =>
      t.database.db.transaction().execute(async (trx) => {
        await sql`insert into roles (name, description) values ('probe-first', 'written before the deadline')`.execute(trx);
        await sleep(TIMEOUT_MS * 2);
        await sql`insert into roles (name, description) values ('probe-second', 'after the deadline')`.execute(trx);
      }),
    );
    return { ok: true };
  });
  t.app.post('/test/slow-then-write', async () => {
    await tracked(async () => {
      await sleep(TIMEOUT_MS * 2);
      await sql`insert into roles (name, description) values ('probe-late', 'autocommit after the deadline')`.execute(t.database.db);
    });
    return { ok: true };
  });
  const admin = await createUser(t.database.db, 'admin@example.org', { roles: ['admin'] });
  adminAuth = (await login(t.app, admin.email)).bearer;
});
after(async () => t.close());

async function roleExists(name: string): Promise<boolean> {
  const rows = await sql<{ name: string }>`select name from roles where name = ${name}`.execute(t.database.db);
  return rows.rows.length > 0;
}

it('a request past its deadline gets 504 request_timeout; its open transaction is rolled back', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/test/slow-transaction' });
  assert.equal(res.statusCode, 504);
  assert.deepEqual(res.json(), { detail: 'The request took too long and was stopped; its unfinished changes were rolled back', code: 'request_timeout' });
  await handlerWork; // the handler wakes up, is refused, and rolls back
  assert.equal(await roleExists('probe-first'), false, 'the write made before the deadline was rolled back with its transaction');
  assert.equal(await roleExists('probe-second'), false);
});

it('a statement the handler starts after the deadline is refused', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/test/slow-then-write' });
  assert.equal(res.statusCode, 504);
  await handlerWork;
  assert.equal(await roleExists('probe-late'), false);
});

it('requests within the deadline are unaffected, and the service answers normally afterwards', async () => {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/admin/roles', headers: adminAuth, payload: { name: 'quick' } });
  assert.equal(res.statusCode, 201);
  assert.equal(await roleExists('quick'), true);
});

it('PostgreSQL: a real route blocked on a lock times out with 504 and commits nothing', async (context) => {
  if (t.database.url === null) {
    context.skip('needs a second connection to hold a lock (PostgreSQL; DATABASE_URL)');
    return;
  }
  const blocker = new pg.Client({ connectionString: t.database.url });
  await blocker.connect();
  try {
    // Role inserts pass; the audit row of the same transaction waits for this lock.
    await blocker.query('begin');
    await blocker.query('lock table audit_log in exclusive mode');
    const res = await t.app.inject({ method: 'POST', url: '/v1/auth/admin/roles', headers: adminAuth, payload: { name: 'blocked' } });
    assert.equal(res.statusCode, 504);
    assert.equal(res.json<{ code: string }>().code, 'request_timeout');
    await blocker.query('rollback'); // the handler's audit insert now completes; its commit must not
    await sleep(TIMEOUT_MS);
    assert.equal(await roleExists('blocked'), false);
  } finally {
    await blocker.end();
  }
});

it('over a real socket, a POST with a JSON body gets its 504 at the deadline too (the body does not switch the deadline off)', async () => {
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = t.app.server.address() as AddressInfo;
  const started = performance.now();
  const res = await fetch(`http://127.0.0.1:${port}/test/slow-transaction`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ payload: 'x'.repeat(2000) }),
  });
  const elapsed = performance.now() - started;
  assert.equal(res.status, 504);
  assert.equal(((await res.json()) as { code: string }).code, 'request_timeout');
  assert.ok(elapsed < TIMEOUT_MS * 2, `answered before the handler woke up (${Math.round(elapsed)} ms)`);
  await handlerWork;
  assert.equal(await roleExists('probe-first'), false, 'rolled back');
});
