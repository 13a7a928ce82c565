/**
 * Webhook delivery across real processes on PostgreSQL: Gatehouse killed with SIGKILL in the
 * middle of a burst of 1,000 changes loses no event (the outbox row commits with the change;
 * the restarted instance relays and delivers what the dead one had not), and two instances
 * deliver side by side without doubling the work. The receiver verifies every signature with
 * the `standardwebhooks` package.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { sql } from 'kysely';
import { createEmptyPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { call, OPS_API_KEY, requireOpsServices, serverEnv } from '../helpers/ops.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver.ts';

const key = { 'x-api-key': OPS_API_KEY };
let database: TestDatabase;
let receiver: Receiver;
const servers: ServerProcess[] = [];

/** Local receiver allowed; retries every second; a cut delivery's job is retried ~20 s later. */
const WEBHOOK_ENV = { WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: Array.from({ length: 20 }, () => '1').join(','), WEBHOOK_TIMEOUT_MS: '2000' };

before(async () => {
  requireOpsServices();
  database = (await createEmptyPostgresDatabase()) as TestDatabase;
  receiver = await startReceiver();
});
after(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await receiver.close();
  await database.close();
});

async function start(): Promise<ServerProcess> {
  const server = await startServerProcess(serverEnv(database.url ?? '', WEBHOOK_ENV));
  servers.push(server);
  return server;
}

async function registerEndpoint(server: ServerProcess, events: string[]): Promise<string> {
  const res = await call(`${server.url}/auth/admin/webhooks`, { method: 'POST', headers: key, body: { url: receiver.url, events } });
  assert.equal(res.status, 201, JSON.stringify(res.body));
  const { id, secret } = res.body as { id: string; secret: string };
  receiver.secrets = [secret];
  return id;
}

/** Creates organizers named `${prefix} N` with `parallel` requests at a time; the uuids of those answered 201. */
async function burst(server: ServerProcess, prefix: string, from: number, to: number, parallel: number, onEach?: (done: number) => void): Promise<string[]> {
  const created: string[] = [];
  let next = from;
  let done = 0;
  let dead = false;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < to && !dead) {
        const n = next++;
        try {
          const res = await call(`${server.url}/auth/admin/organizers`, { method: 'POST', headers: key, body: { name: `${prefix} ${n}` } });
          if (res.status === 201) created.push(String(res.body?.uuid));
        } catch {
          dead = true; // the process is gone: the rest of the burst goes to the next one
        }
        done += 1;
        onEach?.(done);
      }
    }),
  );
  return created;
}

it('SIGKILL in the middle of a burst of 1,000 changes: after a restart, every committed change is delivered', async () => {
  const first = await start();
  const endpoint = await registerEndpoint(first, ['organizer.created']);
  let killedAt = 0;
  const beforeKill = await burst(first, 'Crash', 0, 1000, 20, (done) => {
    if (done === 400 && killedAt === 0) {
      killedAt = done;
      first.child.kill('SIGKILL');
    }
  });
  assert.ok(killedAt > 0, 'the instance was killed mid-burst');
  await first.exited;
  const second = await start();
  const rest = await burst(second, 'Crash', beforeKill.length + 50, 1000 + 50, 20);
  const answered = [...beforeKill, ...rest];

  // Every change that committed has its event in the outbox (the same transaction), including
  // those whose answer the kill cut off; each one must arrive.
  const committed = async (): Promise<Set<string>> =>
    new Set((await sql<{ id: string }>`select id from webhook_events where type = 'organizer.created'`.execute(database.db)).rows.map((r) => r.id));
  const expected = await committed();
  assert.ok(expected.size >= answered.length, `${expected.size} events for ${answered.length} answered changes`);
  await receiver.waitFor((events) => events.filter((e) => expected.has(e.id)).length === expected.size, 120_000);
  const delivered = new Set(receiver.events.map((e) => (e.data.organizer as { uuid: string }).uuid));
  for (const uuid of answered) assert.ok(delivered.has(uuid), `organizer ${uuid} (answered 201) was delivered`);
  const states = await sql<{ status: string; n: number }>`
    select status, count(*)::int as n from webhook_deliveries where endpoint_id = ${endpoint} group by status`.execute(database.db);
  assert.deepEqual(
    states.rows.map((r) => [r.status, r.n]),
    [['succeeded', expected.size]],
    'every delivery succeeded in the end',
  );
  second.child.kill('SIGTERM');
  await second.exited;
});

it('two instances deliver side by side without doubling the work', async () => {
  const [a, b] = await Promise.all([start(), start()]);
  assert.ok(a && b);
  const startIndex = receiver.deliveries.length;
  // The endpoint of the test above (organizer.created) is still registered: 100 changes on each instance.
  const both = await Promise.all([burst(a, 'Side A', 0, 100, 10), burst(b, 'Side B', 0, 100, 10)]);
  const made = new Set(both.flat());
  assert.equal(made.size, 200);
  const ours = (uuid: string): boolean => made.has(uuid);
  await receiver.waitFor(
    (events) => events.filter((e) => e.type === 'organizer.created' && ours((e.data.organizer as { uuid: string }).uuid)).length === 200,
    60_000,
  );
  // Time for a doubled delivery, if there were one, to arrive too.
  await new Promise((resolve) => setTimeout(resolve, 2000));
  const mine = receiver.deliveries.slice(startIndex).filter((d) => d.verified === true);
  const perEvent = new Map<string, number>();
  for (const delivery of mine) perEvent.set(delivery.headers['webhook-id'] ?? '', (perEvent.get(delivery.headers['webhook-id'] ?? '') ?? 0) + 1);
  assert.equal(perEvent.size, 200);
  assert.deepEqual([...new Set(perEvent.values())], [1], 'each event delivered exactly once (the receiver never failed)');
  const metrics = await Promise.all([a, b].map(async (server) => (await fetch(`${server.url}/metrics`)).text()));
  const succeeded = metrics.map((text) => Number(/gatehouse_webhook_deliveries_total\{outcome="succeeded"\} (\d+)/.exec(text)?.[1] ?? 0));
  assert.equal(
    succeeded.reduce((x, y) => x + y, 0),
    200,
    `the instances' deliveries add up to the 200 events (a: ${succeeded[0]}, b: ${succeeded[1]})`,
  );
});
