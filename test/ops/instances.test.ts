/**
 * Several stateless instances: three `gatehouse` processes on their own ports, one PostgreSQL
 * database and one Redis. Booting together they migrate once; a session made on one works on
 * the others; a logout on one is honoured by the others on the next request; abuse limits
 * are counted across all of them.
 */
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { createEmptyPostgresDatabase, type TestDatabase } from '../helpers/db.ts';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { call, requireOpsServices, serverEnv, setCookie } from '../helpers/ops.ts';
import { startServerProcess, type ServerProcess } from '../helpers/processes.ts';

let database: TestDatabase;
let servers: ServerProcess[] = [];

before(async () => {
  const { redisUrl } = requireOpsServices();
  database = (await createEmptyPostgresDatabase()) as TestDatabase;
  const env = serverEnv(database.url ?? '', { REDIS_URL: redisUrl });
  servers = await Promise.all([startServerProcess(env), startServerProcess(env), startServerProcess(env)]);
});
after(async () => {
  for (const server of servers) server.child.kill('SIGKILL');
  await database.close();
});

function instance(index: number): ServerProcess {
  const server = servers[index];
  assert.ok(server !== undefined);
  return server;
}

it('three instances booting together on an empty database run the migrations once', () => {
  const migrated = servers.filter((server) => server.output().includes('"msg":"database migrated"'));
  assert.equal(migrated.length, 1, 'exactly one instance applied the migrations');
  for (const server of servers) assert.match(server.output(), /listening on http/);
});

it('a session made on one instance works on another; a logout on one is honoured by the others at once', async () => {
  await createUser(database.db, 'roaming@example.org');
  const login = await call(`${instance(0).url}/auth/login`, { method: 'POST', body: { email: 'roaming@example.org', password: PASSWORD } });
  assert.equal(login.status, 200);
  const bearer = { authorization: `Bearer ${setCookie(login, 'access_token')}` };
  for (const index of [1, 2]) {
    const me = await call(`${instance(index).url}/auth/me`, { headers: bearer });
    assert.equal(me.status, 200, `instance ${index} knows the session`);
    assert.equal(me.body?.email, 'roaming@example.org');
  }
  const refreshed = await call(`${instance(2).url}/auth/refresh`, { method: 'POST', body: { refresh_token: setCookie(login, 'refresh_token') } });
  assert.equal(refreshed.status, 200, 'instance 2 refreshes a session made on instance 0');

  const logout = await call(`${instance(1).url}/auth/logout`, { method: 'POST', headers: bearer });
  assert.equal(logout.status, 204);
  for (const index of [0, 2])
    assert.equal((await call(`${instance(index).url}/auth/me`, { headers: bearer })).status, 401, `instance ${index} honours the logout`);
});

it('abuse limits are counted across instances (through Redis)', async () => {
  await createUser(database.db, 'guessed@example.org');
  const attempt = (index: number): ReturnType<typeof call> =>
    call(`${instance(index).url}/auth/login`, { method: 'POST', body: { email: 'guessed@example.org', password: 'not the password at all' } });
  // The per-account login limit is 10 per 15 minutes: five wrong guesses on each of two instances...
  for (const index of [0, 1]) for (let i = 0; i < 5; i += 1) assert.equal((await attempt(index)).status, 401);
  // ...and the eleventh, on a third instance that has seen none of them itself, is refused.
  const refused = await attempt(2);
  assert.equal(refused.status, 429);
  assert.equal(refused.body?.code, 'rate_limited');
  assert.ok(Number(refused.headers.get('retry-after')) > 0);
});
