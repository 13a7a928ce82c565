/**
 * Faults of the network between Gatehouse and PostgreSQL, from the outside: a real server
 * process, real HTTP over real sockets, and a TCP proxy in front of the database that slows every
 * packet, drops them without a reset (half-open), or refuses connections.
 * - a slow database: every write (POST, PUT, PATCH, DELETE, with bodies) answers 504 within the
 *   deadline + 100 ms and leaves nothing behind (the bulk imports, with their own 10-minute
 *   deadline, are not among them);
 * - a 7 s partition during load whose old connections stay half-open: 2xx again within 5 s of the
 *   heal, without a restart;
 * - a database outage: sign-ins refused with 503 never lead to a 429 afterwards.
 * Each prints its figures as a test diagnostic.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { createEmptyPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { call, OPS_API_KEY, requireOpsServices, serverEnv, setCookie, type Answer } from '../helpers/ops.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { insertEligibleChunk } from '../../src/queries/eligibility.ts';

const DEADLINE_MS = 1_000;
const key = { 'x-api-key': OPS_API_KEY };

interface Harness {
  readonly database: TestDatabase;
  readonly proxy: TcpProxy;
  readonly server: ServerProcess;
}

async function startHarness(extra: Record<string, string> = {}): Promise<Harness> {
  const { databaseUrl } = requireOpsServices();
  const target = new URL(databaseUrl);
  const database = (await createEmptyPostgresDatabase()) as TestDatabase;
  const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(database.url ?? '');
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  const server = await startServerProcess(serverEnv(viaProxy.href, { REQUEST_TIMEOUT_MS: String(DEADLINE_MS), ...extra }));
  return { database, proxy, server };
}

async function stopHarness(h: Harness | undefined): Promise<void> {
  if (h === undefined) return;
  if (process.env.OPS_DEBUG) console.error(h.server.output());
  h.server.child.kill('SIGKILL');
  await h.proxy.close();
  await h.database.close();
}

function tally(answers: readonly Answer[]): string {
  const counts = new Map<number, number>();
  for (const answer of answers) counts.set(answer.status, (counts.get(answer.status) ?? 0) + 1);
  return [...counts]
    .sort(([a], [b]) => a - b)
    .map(([status, n]) => `${n}×${status}`)
    .join(', ');
}

async function signIn(h: Harness, email: string): Promise<Record<string, string>> {
  const login = await call(`${h.server.url}/auth/login`, { method: 'POST', body: { email, password: PASSWORD } });
  assert.equal(login.status, 200);
  return { authorization: `Bearer ${setCookie(login, 'access_token')}` };
}

describe('a slow database: writes with bodies answer 504 at the deadline and leave nothing behind', () => {
  let h: Harness;
  let target: { uuid: string };
  before(async () => {
    h = await startHarness();
    await createUser(h.database.db, 'slow-admin@example.org', { roles: ['admin'] });
    target = await createUser(h.database.db, 'slow-target@example.org');
    await insertEligibleChunk(h.database.db, ['slow-kept@example.org'], null);
  });
  after(() => stopHarness(h));

  it('POST, PUT, PATCH and DELETE with the database 3 s away per packet', async (context) => {
    // Warm: the server's pool holds connections through the proxy, and this client holds a
    // keep-alive connection per request, before the slowdown (so the clock measures the server).
    const warm = await Promise.all(Array.from({ length: 10 }, () => call(`${h.server.url}/v1/auth/admin/roles`, { headers: key })));
    assert.ok(warm.every((answer) => answer.status === 200));
    h.proxy.setDelay(3_000);
    // One after the other, so each is timed alone (the client's own clock is the measure).
    const writes: [string, () => Promise<Answer>][] = [
      [
        'POST eligible email',
        () => call(`${h.server.url}/v1/auth/admin/eligible-emails`, { method: 'POST', headers: key, body: { email: 'slow-write@example.org' } }),
      ],
      [
        'POST role',
        () => call(`${h.server.url}/v1/auth/admin/roles`, { method: 'POST', headers: key, body: { name: 'slow-role', description: 'must not exist' } }),
      ],
      ['POST organizer', () => call(`${h.server.url}/v1/auth/admin/organizers`, { method: 'POST', headers: key, body: { name: 'slow-organizer' } })],
      ['DELETE eligible email', () => call(`${h.server.url}/v1/auth/admin/eligible-emails/slow-kept@example.org`, { method: 'DELETE', headers: key })],
      [
        'PUT roles',
        () => call(`${h.server.url}/v1/auth/admin/users/${target.uuid}/roles`, { method: 'PUT', headers: key, body: { role_names: ['member', 'sustainer'] } }),
      ],
      ['PATCH user', () => call(`${h.server.url}/v1/auth/admin/users/${target.uuid}`, { method: 'PATCH', headers: key, body: { name: 'Renamed Too Late' } })],
      ['POST sign-in', () => call(`${h.server.url}/auth/login`, { method: 'POST', body: { email: 'slow-admin@example.org', password: PASSWORD } })],
      ['DELETE sessions', () => call(`${h.server.url}/v1/auth/admin/users/${target.uuid}/sessions`, { method: 'DELETE', headers: key })],
      ['GET', () => call(`${h.server.url}/v1/auth/admin/users/${target.uuid}`, { headers: key })],
    ];
    const answers: (readonly [string, Answer])[] = [];
    for (const [name, send] of writes) answers.push([name, await send()]);
    context.diagnostic(answers.map(([name, answer]) => `${name} ${Math.round(answer.ms)} ms`).join(', '));
    for (const [name, answer] of answers) {
      assert.equal(answer.status, 504, `${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
      assert.equal(answer.body?.code, 'request_timeout');
      assert.ok(answer.ms < DEADLINE_MS + 100, `${name} answered in ${Math.round(answer.ms)} ms`);
    }
    // Whatever was still travelling arrives and is refused or rolled back; then look, directly.
    h.proxy.setDelay(0);
    await sleep(7_000);
    const db = h.database.db;
    const left = await sql<{ what: string }>`
      select 'eligible ' || email as what from eligible_emails where email like 'slow-%' and email <> 'slow-kept@example.org'
      union all select 'deleted slow-kept' where not exists (select 1 from eligible_emails where email = 'slow-kept@example.org')
      union all select 'role ' || name from roles where name = 'slow-role'
      union all select 'organizer' from organizers where name = 'slow-organizer'
      union all select 'name ' || coalesce(name, '') from users where uuid = ${target.uuid} and name is not null
      union all select 'membership' from system_memberships m join roles r on r.id = m.role_id where m.user_uuid = ${target.uuid} and r.name = 'sustainer'
      union all select 'session' from sessions s join users u on u.uuid = s.user_uuid where u.email = 'slow-admin@example.org'
      union all select 'audit ' || action from audit_log`.execute(db);
    assert.deepEqual(
      left.rows.map((row) => row.what),
      [],
      'nothing was written',
    );
    const slowest = Math.max(...answers.map(([, answer]) => answer.ms));
    context.diagnostic(
      `slow database (3 s per packet, ${DEADLINE_MS} ms deadline): ${answers.length} requests, ${tally(answers.map(([, a]) => a))}, slowest ${Math.round(slowest)} ms, 0 writes acknowledged, 0 rows left behind`,
    );
    const after = await call(`${h.server.url}/v1/auth/admin/roles`, { headers: key });
    assert.equal(after.status, 200, 'the service answers normally once the database is fast again');
    // Each request was answered exactly once: the handlers that woke up late sent nothing more.
    assert.doesNotMatch(h.server.output(), /Promise errored|Reply was already sent|already sent/i);
  });
});

describe('a half-open partition: the pool heals without a restart', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await createUser(h.database.db, 'partition@example.org');
  });
  after(() => stopHarness(h));

  it('7 s of dropped packets under load; 2xx again within 5 s of the heal', async (context) => {
    const bearer = await signIn(h, 'partition@example.org');
    const answers: Answer[] = [];
    const acknowledged: string[] = [];
    let running = true;
    const worker = async (id: number): Promise<void> => {
      for (let i = 0; running; i += 1) {
        const email = `p${id}-${i}@example.org`;
        const write = await call(`${h.server.url}/v1/auth/admin/eligible-emails`, { method: 'POST', headers: key, body: { email } });
        if (write.status === 201) acknowledged.push(email);
        answers.push(write, await call(`${h.server.url}/auth/me`, { headers: bearer }));
      }
    };
    const load = Promise.all(Array.from({ length: 12 }, (_, id) => worker(id)));
    await sleep(1_000);
    h.proxy.partition();
    await sleep(3_000);
    const readyDuring = await call(`${h.server.url}/readyz`);
    await sleep(4_000);
    h.proxy.heal();
    const healed = performance.now();
    let recoveredMs: number | null = null;
    while (performance.now() - healed < 15_000) {
      const me = await call(`${h.server.url}/auth/me`, { headers: bearer });
      if (me.status === 200) {
        recoveredMs = performance.now() - healed;
        break;
      }
      await sleep(100);
    }
    await sleep(1_000);
    running = false;
    await load;

    assert.equal(h.server.child.exitCode, null, 'the process is still running');
    assert.deepEqual([readyDuring.status, readyDuring.body?.code], [503, 'service_unavailable'], '/readyz says 503 during the partition, never 504');
    assert.ok(recoveredMs !== null && recoveredMs < 5_000, `2xx again ${recoveredMs === null ? 'never' : `${Math.round(recoveredMs)} ms`} after the heal`);
    const unexpected = answers.filter((answer) => ![200, 201, 503, 504].includes(answer.status));
    assert.deepEqual(
      unexpected.map((answer) => [answer.status, answer.body]),
      [],
      'only successes, 503s and 504s',
    );
    const tail = answers.slice(-12);
    assert.ok(
      tail.every((answer) => answer.status < 300),
      `the last answers are 2xx: ${tally(tail)}`,
    );
    const stored = new Set((await h.database.db.selectFrom('eligible_emails').select('email').execute()).map((row) => row.email));
    const lost = acknowledged.filter((email) => !stored.has(email));
    assert.deepEqual(lost, [], 'every acknowledged write is stored');
    const metrics = await fetch(`${h.server.url}/metrics`).then((res) => res.text());
    const pool = /gatehouse_db_pool_connections\{state="waiting_requests"\} (\d+)/.exec(metrics)?.[1];
    const slowest = Math.max(...answers.map((answer) => answer.ms));
    context.diagnostic(
      `half-open partition of 7 s: ${answers.length} requests, ${tally(answers)}, ${acknowledged.length} writes acknowledged, ${lost.length} lost, slowest ${Math.round(slowest)} ms, /readyz ${readyDuring.status} in ${Math.round(readyDuring.ms)} ms during it, 2xx again ${Math.round(recoveredMs ?? -1)} ms after the heal, pool waiting=${pool ?? '?'}, ${h.proxy.connections()} connections opened through the proxy`,
    );
  });
});

describe('a database outage does not lock anyone out afterwards', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness();
    await createUser(h.database.db, 'outage@example.org');
  });
  after(() => stopHarness(h));

  it('15 sign-ins refused with 503 during the outage; the right password works at once after it', async (context) => {
    await h.proxy.cut();
    const during: Answer[] = [];
    for (let i = 0; i < 15; i++)
      during.push(await call(`${h.server.url}/auth/login`, { method: 'POST', body: { email: 'outage@example.org', password: PASSWORD } }));
    assert.ok(
      during.every((answer) => answer.status === 503),
      tally(during),
    );
    await h.proxy.restore();
    let after: Answer | null = null;
    const giveUp = Date.now() + 10_000;
    while (Date.now() < giveUp) {
      after = await call(`${h.server.url}/auth/login`, { method: 'POST', body: { email: 'outage@example.org', password: PASSWORD } });
      if (after.status !== 503) break;
      await sleep(200);
    }
    assert.equal(after?.status, 200, `after the outage: ${after?.status} ${JSON.stringify(after?.body)} (per-account limit is 10 per 15 min)`);
    context.diagnostic(`outage: ${during.length} sign-ins during it, ${tally(during)}; the first after it: ${after?.status}, no 429`);
  });
});
