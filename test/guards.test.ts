/** The RBAC guards read current memberships; /me reads everything in one round trip. */
import assert from 'node:assert/strict';
import type { LogEvent } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { findRoleByName } from '../src/queries/roles.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, type TestUser } from './helpers/auth.ts';

let t: TestApp;
let queries: string[] = [];
let ada: TestUser;
let runClub: string;
let otherClub: string;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent' }, onQuery: (event: LogEvent) => queries.push(event.query.sql) });
  const { guards } = t.app.gatehouse.context;
  t.app.get('/test/admin', { preHandler: guards.requireSystemRole('admin') }, async () => ({ ok: true }));
  t.app.get('/test/admin-or-sustainer', { preHandler: guards.requireSystemRole('admin', 'sustainer') }, async () => ({ ok: true }));
  t.app.get('/test/active-and-sustainer', { preHandler: guards.requireAllSystemRoles('active', 'sustainer') }, async () => ({ ok: true }));
  t.app.get('/test/org/:organizer_uuid', { preHandler: guards.requireOrganizerRole('organizer_uuid', 'owner', 'admin') }, async () => ({ ok: true }));

  const db = t.database.db;
  ada = await createUser(db, 'ada@example.org', { roles: ['member', 'active'] });
  const [one, two] = await db
    .insertInto('organizers')
    .values([{ name: 'Run Club' }, { name: 'Other Club' }])
    .returning('uuid')
    .execute();
  runClub = one?.uuid ?? '';
  otherClub = two?.uuid ?? '';
  await db.insertInto('organizer_memberships').values({ user_uuid: ada.uuid, organizer_uuid: runClub, role: 'owner' }).execute();
});
after(async () => t.close());

async function status(url: string, headers: Record<string, string>): Promise<number> {
  return (await t.app.inject({ method: 'GET', url, headers })).statusCode;
}

async function setMembership(user: TestUser, role: string, flags: { is_active?: boolean; is_suspended?: boolean }): Promise<void> {
  const row = await findRoleByName(t.database.db, role);
  assert.ok(row);
  await t.database.db.updateTable('system_memberships').set(flags).where('user_uuid', '=', user.uuid).where('role_id', '=', row.id).execute();
}

describe('GET /me', () => {
  it('returns the user public view: system memberships with status, active organizer memberships', async () => {
    const session = await login(t.app, ada.email);
    await setMembership(ada, 'active', { is_suspended: true });
    const res = await t.app.inject({ method: 'GET', url: '/auth/me', cookies: session.cookies });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), {
      uuid: ada.uuid,
      email: 'ada@example.org',
      name: null,
      role: 'user',
      memberships: [
        { type: 'system', role: 'active', status: 'suspended', expires_at: null },
        { type: 'system', role: 'member', status: 'active', expires_at: null },
        { type: 'organizer', organizer_uuid: runClub, organizer_name: 'Run Club', membership_role: 'owner' },
      ],
    });
    await setMembership(ada, 'active', { is_suspended: false });
  });

  it('maps status suspended > active > inactive, and hides inactive or deleted organizer memberships', async () => {
    const session = await login(t.app, ada.email);
    await setMembership(ada, 'member', { is_active: false });
    await t.database.db
      .insertInto('organizer_memberships')
      .values({ user_uuid: ada.uuid, organizer_uuid: otherClub, role: 'member', is_active: false })
      .execute();
    const body = (await t.app.inject({ method: 'GET', url: '/auth/me', headers: session.bearer })).json<{
      memberships: { type: string; role?: string; status?: string; organizer_uuid?: string }[];
    }>();
    assert.equal(body.memberships.find((m) => m.role === 'member')?.status, 'inactive');
    assert.equal(body.memberships.filter((m) => m.organizer_uuid === otherClub).length, 0);
    await setMembership(ada, 'member', { is_active: true });
  });

  it('reads session, user and memberships in ONE database round trip', async () => {
    const session = await login(t.app, ada.email);
    queries = [];
    const res = await t.app.inject({ method: 'GET', url: '/auth/me', headers: session.bearer });
    assert.equal(res.statusCode, 200);
    // The background workers' polls (pg-boss's queue, the webhook outbox relay) share the
    // database and may land inside the request: they are not the request's round trips.
    const requestQueries = queries.filter((text) => !/pgboss\.|webhook_events/.test(text));
    assert.equal(requestQueries.length, 1, requestQueries.join('\n---\n'));
  });

  it('is 401 without a credential', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/auth/me' });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'not_authenticated');
  });
});

describe('guards', () => {
  it('requireSystemRole: 401 without a credential, 403 with the spec detail when the role is missing', async () => {
    assert.equal(await status('/test/admin', {}), 401);
    const session = await login(t.app, ada.email);
    const res = await t.app.inject({ method: 'GET', url: '/test/admin', headers: session.bearer });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().detail, 'User does not have the required role: admin');
  });

  it('a granted role works on the next request, a revoked or suspended one stops working on the next request', async () => {
    const bob = await createUser(t.database.db, 'bob@example.org', { roles: ['admin'] });
    await createUser(t.database.db, 'keeper@example.org', { roles: ['admin'] });
    const session = await login(t.app, bob.email);
    assert.equal(await status('/test/admin', session.bearer), 200);
    await setMembership(bob, 'admin', { is_suspended: true });
    assert.equal(await status('/test/admin', session.bearer), 403, 'suspended grants nothing, whatever the token says');
    await setMembership(bob, 'admin', { is_suspended: false, is_active: false });
    assert.equal(await status('/test/admin', session.bearer), 403, 'inactive grants nothing');
    await setMembership(bob, 'admin', { is_active: true });
    assert.equal(await status('/test/admin', session.bearer), 200);
    const admin = await findRoleByName(t.database.db, 'admin');
    await t.database.db
      .deleteFrom('system_memberships')
      .where('user_uuid', '=', bob.uuid)
      .where('role_id', '=', admin?.id ?? '')
      .execute();
    assert.equal(await status('/test/admin', session.bearer), 403, 'revoked');
  });

  it('requireSystemRole(any of) and requireAllSystemRoles(all of)', async () => {
    const sue = await createUser(t.database.db, 'sue@example.org', { roles: ['sustainer'] });
    const session = await login(t.app, sue.email);
    assert.equal(await status('/test/admin-or-sustainer', session.bearer), 200);
    const res = await t.app.inject({ method: 'GET', url: '/test/active-and-sustainer', headers: session.bearer });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().detail, 'User does not have the required role: active');
    const both = await login(t.app, ada.email);
    assert.equal(await status('/test/active-and-sustainer', both.bearer), 403);
    const sustainer = await findRoleByName(t.database.db, 'sustainer');
    await t.database.db
      .insertInto('system_memberships')
      .values({ user_uuid: ada.uuid, role_id: sustainer?.id ?? '', config: '{}' })
      .execute();
    assert.equal(await status('/test/active-and-sustainer', both.bearer), 200);
  });

  it('requireOrganizerRole: the owner passes for their organizer only; a system admin passes everywhere', async () => {
    const session = await login(t.app, ada.email);
    assert.equal(await status(`/test/org/${runClub}`, session.bearer), 200);
    assert.equal(await status(`/test/org/${otherClub}`, session.bearer), 403);
    const member = await createUser(t.database.db, 'member@example.org');
    await t.database.db.insertInto('organizer_memberships').values({ user_uuid: member.uuid, organizer_uuid: runClub, role: 'member' }).execute();
    assert.equal(await status(`/test/org/${runClub}`, (await login(t.app, member.email)).bearer), 403, 'member is not owner/admin');
    const root = await createUser(t.database.db, 'root@example.org', { roles: ['admin'] });
    assert.equal(await status(`/test/org/${otherClub}`, (await login(t.app, root.email)).bearer), 200);
    await t.database.db
      .updateTable('organizer_memberships')
      .set({ is_active: false })
      .where('user_uuid', '=', ada.uuid)
      .where('organizer_uuid', '=', runClub)
      .execute();
    assert.equal(await status(`/test/org/${runClub}`, session.bearer), 403, 'an inactive organizer membership grants nothing');
  });
});
