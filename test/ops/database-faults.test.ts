/**
 * Database loss under load: backends terminated (pg_terminate_backend) and PostgreSQL gone for
 * two seconds (a proxy in front of it resets every connection and refuses new ones, as a
 * restart does). The server process must not crash, must answer fast 503s with {detail, code}
 * (never a sign-in without a check), must say so on /readyz, must recover on its own, and must
 * not lose any write it acknowledged.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { createEmptyPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { call, OPS_API_KEY, requireOpsServices, serverEnv, setCookie, type Answer } from '../helpers/ops.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';
import { startTcpProxy, type TcpProxy } from '../helpers/tcp-proxy.ts';
import { createUser, PASSWORD } from '../helpers/auth.ts';

let database: TestDatabase;
let proxy: TcpProxy;
let server: ServerProcess;

before(async () => {
  const { databaseUrl } = requireOpsServices();
  const target = new URL(databaseUrl);
  database = (await createEmptyPostgresDatabase()) as TestDatabase;
  proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
  const viaProxy = new URL(database.url ?? '');
  viaProxy.hostname = '127.0.0.1';
  viaProxy.port = String(proxy.port);
  server = await startServerProcess(serverEnv(viaProxy.href, { REQUEST_TIMEOUT_MS: '5000' }));
  await createUser(database.db, 'steady@example.org');
});
after(async () => {
  if (process.env.OPS_DEBUG) console.error(server.output());
  server.child.kill('SIGKILL');
  await proxy.close();
  await database.close();
});

async function terminateBackends(): Promise<number> {
  const admin = new pg.Client({ connectionString: database.url ?? '' });
  await admin.connect();
  try {
    const result = await admin.query(
      'select count(pg_terminate_backend(pid))::int as killed from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return (result.rows[0] as { killed: number }).killed;
  } finally {
    await admin.end();
  }
}

interface Write {
  readonly email: string;
  readonly answer: Answer;
}

it('survives terminated backends and a 2 s outage: fast 503s, /readyz says so, recovery without restart, no acknowledged write lost', async (context) => {
  const login = await call(`${server.url}/auth/login`, { method: 'POST', body: { email: 'steady@example.org', password: PASSWORD } });
  assert.equal(login.status, 200);
  const bearer = { authorization: `Bearer ${setCookie(login, 'access_token')}` };

  const writes: Write[] = [];
  const reads: Answer[] = [];
  let running = true;
  const worker = async (id: number): Promise<void> => {
    for (let i = 0; running; i += 1) {
      const email = `w${id}-${i}@example.org`;
      writes.push({
        email,
        answer: await call(`${server.url}/v1/auth/admin/eligible-emails`, { method: 'POST', headers: { 'x-api-key': OPS_API_KEY }, body: { email } }),
      });
      reads.push(await call(`${server.url}/auth/me`, { headers: bearer }));
    }
  };
  const load = Promise.all(Array.from({ length: 8 }, (_, id) => worker(id)));

  await sleep(500);
  assert.ok((await terminateBackends()) > 0, 'the server had backends to kill');
  await sleep(1_000);
  await proxy.cut();
  await sleep(300);
  const readyDown = await call(`${server.url}/readyz`);
  const loginDown = await call(`${server.url}/auth/login`, { method: 'POST', body: { email: 'steady@example.org', password: PASSWORD } });
  await sleep(1_700);
  await proxy.restore();
  let readyAgain: Answer | null = null;
  const giveUp = Date.now() + 15_000;
  while (Date.now() < giveUp) {
    readyAgain = await call(`${server.url}/readyz`);
    if (readyAgain.status === 200) break;
    await sleep(200);
  }
  await sleep(1_000);
  running = false;
  await load;

  assert.equal(server.child.exitCode, null, 'the process is still running');
  assert.equal(readyDown.status, 503);
  assert.equal(readyDown.body?.code, 'service_unavailable');
  assert.equal(loginDown.status, 503, 'no sign-in without a check');
  assert.equal(loginDown.body?.code, 'database_unavailable');
  assert.equal(loginDown.headers.get('retry-after'), '2');
  assert.equal(readyAgain?.status, 200, '/readyz recovers without a restart');

  const answers = [...writes.map((write) => write.answer), ...reads];
  const unexpected = answers.filter((answer) => ![200, 201, 503].includes(answer.status));
  assert.deepEqual(
    unexpected.map((answer) => [answer.status, answer.body]),
    [],
    'only successes and 503s',
  );
  const failed = answers.filter((answer) => answer.status === 503);
  assert.ok(failed.length > 0, 'the faults were felt');
  for (const answer of failed) assert.equal(answer.body?.code, 'database_unavailable');
  const slowest = Math.max(...failed.map((answer) => answer.ms));
  assert.ok(slowest < 4_000, `503s come fast (slowest ${Math.round(slowest)} ms)`);
  const lastReads = reads.slice(-8);
  assert.ok(
    lastReads.every((answer) => answer.status === 200),
    'reads succeed again after recovery',
  );

  const acknowledged = writes.filter((write) => write.answer.status === 201).map((write) => write.email);
  assert.ok(acknowledged.length > 0);
  const stored = new Set((await database.db.selectFrom('eligible_emails').select('email').execute()).map((row) => row.email));
  const lost = acknowledged.filter((email) => !stored.has(email));
  assert.deepEqual(lost, [], `every acknowledged write is stored (${acknowledged.length} acknowledged)`);
  context.diagnostic(
    `${answers.length} requests: ${failed.length} answered 503 (slowest ${Math.round(slowest)} ms), ${acknowledged.length} writes acknowledged and all stored`,
  );
  const relogin = await call(`${server.url}/auth/login`, { method: 'POST', body: { email: 'steady@example.org', password: PASSWORD } });
  assert.equal(relogin.status, 200, 'sign-in works again');
});
