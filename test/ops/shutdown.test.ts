/**
 * Graceful shutdown of a real server process: SIGTERM while slow requests are in flight (held
 * on a database lock). They finish and their writes land; during the grace period new requests
 * (and /readyz) get 503 {detail, code} with Retry-After; after it, new connections are refused;
 * the pool closes after the drain; the process exits 0.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, it } from 'node:test';
import pg from 'pg';
import { createEmptyPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { call, OPS_API_KEY, requireOpsServices, serverEnv } from '../helpers/ops.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';

const GRACE_MS = 1_500;
let database: TestDatabase;
let server: ServerProcess;

before(async () => {
  requireOpsServices();
  database = (await createEmptyPostgresDatabase()) as TestDatabase;
  server = await startServerProcess(serverEnv(database.url ?? '', { SHUTDOWN_GRACE_MS: String(GRACE_MS) }));
});
after(async () => {
  server.child.kill('SIGKILL');
  await database.close();
});

it('SIGTERM: in-flight requests finish and their writes land, late requests get 503, the pool closes after the drain, exit 0', async () => {
  const blocker = new pg.Client({ connectionString: database.url ?? '' });
  await blocker.connect();
  await blocker.query('begin');
  // Each eligible-email insert writes an audit row in its transaction: they wait for this lock.
  await blocker.query('lock table audit_log in exclusive mode');
  const slow = ['slow-1@example.org', 'slow-2@example.org'].map((email) =>
    call(`${server.url}/v1/auth/admin/eligible-emails`, { method: 'POST', headers: { 'x-api-key': OPS_API_KEY }, body: { email } }),
  );
  await sleep(300);

  server.child.kill('SIGTERM');
  await sleep(300);
  const late = await call(`${server.url}/auth/me`);
  assert.equal(late.status, 503, 'a new request during the grace period gets 503');
  assert.equal(late.body?.code, 'service_unavailable');
  assert.equal(late.headers.get('retry-after'), '1');
  assert.equal((await call(`${server.url}/readyz`)).status, 503, 'readiness fails, so a load balancer moves away');
  await blocker.query('rollback');
  await blocker.end();
  for (const answer of await Promise.all(slow)) assert.equal(answer.status, 201, 'in-flight requests finish');
  await sleep(GRACE_MS);
  await assert.rejects(fetch(`${server.url}/healthz`), 'after the grace period new connections are refused');

  assert.equal(await server.exited, 0);
  // Ordered by each line's own time, not by its place in the output: under load pino's stdout
  // writer once delivered two lines written 1 ms apart in swapped order (CI, 2026-11-22).
  const lines = server
    .output()
    .split('\n')
    .flatMap((line): { msg: string; time: number }[] => {
      try {
        const parsed = JSON.parse(line) as { msg?: unknown; time?: unknown };
        return typeof parsed.msg === 'string' && typeof parsed.time === 'number' ? [{ msg: parsed.msg, time: parsed.time }] : [];
      } catch {
        return [];
      }
    });
  const timeOf = (msg: string): number => lines.find((line) => line.msg === msg)?.time ?? Number.NaN;
  const draining = timeOf('shutting down: draining in-flight requests');
  const drained = timeOf('drained; closing the database pool');
  const closed = timeOf('database pool closed');
  assert.ok(
    draining <= drained && drained <= closed,
    `drain, then the pool closes (times ${draining}, ${drained}, ${closed}):\n${server.output().slice(-2000)}`,
  );
  const stored = (await database.db.selectFrom('eligible_emails').select('email').execute()).map((row) => row.email).sort();
  assert.deepEqual(stored, ['slow-1@example.org', 'slow-2@example.org']);
});
