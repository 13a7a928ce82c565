/** Organizer rules: owner > admin > member, only owners grant owner, never ownerless, isolation. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, type TestUser } from './helpers/auth.ts';

const API_KEY = 'o'.repeat(40);
let t: TestApp;
let org: string;
let other: string;
const auth = new Map<string, Record<string, string>>();
const users = new Map<string, TestUser>();

async function person(name: string, roles: string[] = ['member']): Promise<void> {
  const user = await createUser(t.database.db, `${name}@org.example.org`, { roles });
  users.set(name, user);
  auth.set(name, (await login(t.app, user.email)).bearer);
}

function as(name: string, method: string, url: string, payload?: object): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: method as 'GET', url: `/auth${url}`, headers: auth.get(name) ?? {}, ...(payload ? { payload } : {}) });
}

function uuid(name: string): string {
  return users.get(name)?.uuid ?? '';
}

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
  for (const name of ['owner', 'coowner', 'admin', 'member', 'outsider', 'newbie', 'otherowner']) await person(name);
  await person('sysadmin', ['admin']);
  const created = await t.app.inject({
    method: 'POST',
    url: '/auth/admin/organizers',
    headers: { 'x-api-key': API_KEY },
    payload: { name: 'Run Club', owner_user_id: uuid('owner') },
  });
  assert.equal(created.statusCode, 201);
  org = created.json().uuid;
  other = (
    await t.app.inject({
      method: 'POST',
      url: '/auth/admin/organizers',
      headers: { 'x-api-key': API_KEY },
      payload: { name: 'Other Club', owner_user_id: uuid('otherowner') },
    })
  ).json().uuid;
  assert.equal((await as('owner', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('admin'), role: 'admin' })).statusCode, 201);
  assert.equal((await as('owner', 'POST', `/organizers/${org}/members`, { email: 'MEMBER@org.example.org', role: 'member' })).statusCode, 201);
});
after(async () => t.close());

describe('organizers', () => {
  it('admin create: 404 for an unknown owner; list is paginated', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/admin/organizers',
      headers: { 'x-api-key': API_KEY },
      payload: { name: 'Ghost Club', owner_user_id: '00000000-0000-4000-8000-000000000000' },
    });
    assert.equal(res.statusCode, 404);
    const list = await t.app.inject({ method: 'GET', url: '/auth/admin/organizers?limit=1', headers: { 'x-api-key': API_KEY } });
    assert.equal(list.json().items.length, 1);
    assert.ok(list.json().next_cursor);
  });

  it('any member may view it and its members; a non-member gets 403; an unknown organizer 404', async () => {
    const view = await as('member', 'GET', `/organizers/${org}`);
    assert.equal(view.statusCode, 200);
    assert.deepEqual(Object.keys(view.json()).sort(), ['created_at', 'name', 'uuid']);
    const members = (await as('member', 'GET', `/organizers/${org}/members`)).json<{ email: string; membership_role: string }[]>();
    assert.deepEqual(
      members.map((m) => [m.email, m.membership_role]),
      [
        ['admin@org.example.org', 'admin'],
        ['member@org.example.org', 'member'],
        ['owner@org.example.org', 'owner'],
      ],
    );
    assert.equal((await as('outsider', 'GET', `/organizers/${org}`)).statusCode, 403);
    assert.equal((await as('member', 'GET', '/organizers/00000000-0000-4000-8000-000000000000')).statusCode, 404);
    assert.equal((await as('member', 'GET', '/organizers/not-a-uuid')).statusCode, 404);
  });

  it('a member of one organizer can do nothing in another', async () => {
    assert.equal((await as('owner', 'GET', `/organizers/${other}`)).statusCode, 403);
    assert.equal((await as('owner', 'PATCH', `/organizers/${other}`, { name: 'Taken' })).statusCode, 403);
    assert.equal((await as('owner', 'POST', `/organizers/${other}/members`, { user_uuid: uuid('owner'), role: 'owner' })).statusCode, 403);
    assert.equal((await as('owner', 'DELETE', `/organizers/${other}/members/${uuid('otherowner')}`)).statusCode, 403);
  });

  it('rename: owner and admin yes, member no', async () => {
    assert.equal((await as('admin', 'PATCH', `/organizers/${org}`, { name: 'Run Club Berlin' })).json().name, 'Run Club Berlin');
    assert.equal((await as('member', 'PATCH', `/organizers/${org}`, { name: 'Mine' })).statusCode, 403);
  });

  it('adding: 409 already a member, 404 unknown user, a member cannot add, an admin cannot grant owner', async () => {
    assert.equal((await as('owner', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('member'), role: 'member' })).statusCode, 409);
    assert.equal((await as('owner', 'POST', `/organizers/${org}/members`, { email: 'nobody@org.example.org', role: 'member' })).statusCode, 404);
    assert.equal((await as('member', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('newbie'), role: 'member' })).statusCode, 403);
    assert.equal((await as('admin', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('newbie'), role: 'owner' })).statusCode, 403);
    assert.equal(
      (await as('admin', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('newbie'), email: 'newbie@org.example.org', role: 'member' })).statusCode,
      422,
      'exactly one of email or user_uuid',
    );
    assert.equal((await as('admin', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('newbie'), role: 'member' })).statusCode, 201);
  });

  it('roles: an admin moves member <-> admin only; only an owner grants owner; no organizer is left without an owner', async () => {
    assert.equal((await as('admin', 'PATCH', `/organizers/${org}/members/${uuid('newbie')}`, { role: 'admin' })).json().membership_role, 'admin');
    assert.equal((await as('admin', 'PATCH', `/organizers/${org}/members/${uuid('newbie')}`, { role: 'member' })).statusCode, 200);
    assert.equal((await as('admin', 'PATCH', `/organizers/${org}/members/${uuid('newbie')}`, { role: 'owner' })).statusCode, 403);
    assert.equal(
      (await as('admin', 'PATCH', `/organizers/${org}/members/${uuid('owner')}`, { role: 'member' })).statusCode,
      403,
      'an admin cannot demote an owner',
    );
    const last = await as('owner', 'PATCH', `/organizers/${org}/members/${uuid('owner')}`, { role: 'admin' });
    assert.equal(last.statusCode, 409);
    assert.equal(last.json().code, 'last_owner');
    assert.equal((await as('owner', 'POST', `/organizers/${org}/members`, { user_uuid: uuid('coowner'), role: 'owner' })).statusCode, 201);
    assert.equal(
      (await as('owner', 'PATCH', `/organizers/${org}/members/${uuid('owner')}`, { role: 'admin' })).statusCode,
      200,
      'with a co-owner the first may step down',
    );
    assert.equal(
      (await as('owner', 'PATCH', `/organizers/${org}/members/${uuid('coowner')}`, { role: 'member' })).statusCode,
      403,
      'now an admin, no longer able to touch the owner',
    );
  });

  it('removal: admins remove members but not owners; anyone may leave; the last owner may not', async () => {
    assert.equal((await as('admin', 'DELETE', `/organizers/${org}/members/${uuid('coowner')}`)).statusCode, 403);
    assert.equal((await as('admin', 'DELETE', `/organizers/${org}/members/${uuid('newbie')}`)).statusCode, 204);
    assert.equal((await as('member', 'DELETE', `/organizers/${org}/members/${uuid('admin')}`)).statusCode, 403);
    assert.equal((await as('member', 'DELETE', `/organizers/${org}/members/${uuid('member')}`)).statusCode, 204, 'a member leaves');
    assert.equal((await as('member', 'GET', `/organizers/${org}`)).statusCode, 403, 'and is out on the next request');
    const lastOwner = await as('coowner', 'DELETE', `/organizers/${org}/members/${uuid('coowner')}`);
    assert.equal(lastOwner.statusCode, 409);
    assert.equal((await as('coowner', 'DELETE', `/organizers/${org}/members/00000000-0000-4000-8000-000000000000`)).statusCode, 404);
  });

  it('a system admin may do everything here; every write is in the audit log', async () => {
    assert.equal((await as('sysadmin', 'PATCH', `/organizers/${other}`, { name: 'Other Club (renamed)' })).statusCode, 200);
    assert.equal((await as('sysadmin', 'POST', `/organizers/${other}/members`, { user_uuid: uuid('outsider'), role: 'owner' })).statusCode, 201);
    assert.equal((await as('sysadmin', 'PATCH', `/organizers/${other}/members/${uuid('otherowner')}`, { role: 'member' })).statusCode, 200);
    const audit = await t.app.inject({ method: 'GET', url: `/auth/admin/audit-log?target=${other}`, headers: { 'x-api-key': API_KEY } });
    const actions = audit.json<{ items: { action: string; actor: string }[] }>().items.map((i) => i.action);
    assert.deepEqual(actions.slice(0, 3), ['organizer.member.role', 'organizer.member.add', 'organizer.rename']);
  });
});

describe('naming people by email, and fields the admin routes do not take', () => {
  const key = { 'x-api-key': API_KEY };

  it('POST /admin/organizers takes owner_email; an unknown field is a 422 naming it, not an organizer without an owner', async () => {
    const byEmail = await t.app.inject({
      method: 'POST',
      url: '/auth/admin/organizers',
      headers: key,
      payload: { name: 'Email Club', owner_email: 'Owner@org.example.org' },
    });
    assert.equal(byEmail.statusCode, 201, byEmail.body);
    const members = await as('owner', 'GET', `/organizers/${byEmail.json().uuid}/members`);
    assert.deepEqual(
      members.json<{ email: string; membership_role: string }[]>().map((m) => `${m.email}:${m.membership_role}`),
      ['owner@org.example.org:owner'],
    );

    const before = (await t.app.inject({ method: 'GET', url: '/auth/admin/organizers?limit=500', headers: key })).json<{ items: unknown[] }>().items.length;
    const unknown = await t.app.inject({
      method: 'POST',
      url: '/auth/admin/organizers',
      headers: key,
      payload: { name: 'Typo Club', owner_mail: 'owner@org.example.org' },
    });
    assert.equal(unknown.statusCode, 422);
    assert.deepEqual(unknown.json().detail, [{ loc: ['body', 'owner_mail'], msg: 'unknown field: this route does not take it', type: 'value_error.extra' }]);
    const both = await t.app.inject({
      method: 'POST',
      url: '/auth/admin/organizers',
      headers: key,
      payload: { name: 'Both Club', owner_email: 'owner@org.example.org', owner_user_id: uuid('owner') },
    });
    assert.equal(both.statusCode, 422);
    const after = (await t.app.inject({ method: 'GET', url: '/auth/admin/organizers?limit=500', headers: key })).json<{ items: unknown[] }>().items.length;
    assert.equal(after, before, 'nothing was created');
  });

  it('an eligible email that is not a user yet: the 404 says so and what to do', async () => {
    await t.app.inject({ method: 'POST', url: '/auth/admin/eligible-emails', headers: key, payload: { email: 'invited@org.example.org' } });
    const res = await as('owner', 'POST', `/organizers/${org}/members`, { email: 'invited@org.example.org', role: 'member' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'user_not_found');
    assert.match(res.json().detail, /on the eligible list, and becomes a user at its first sign-in.*Add user.*gatehouse users add invited@org\.example\.org/);
    const stranger = await as('owner', 'POST', `/organizers/${org}/members`, { email: 'nobody@org.example.org', role: 'member' });
    assert.match(stranger.json().detail, /^No user has the email nobody@org\.example\.org: add the user first/);
  });

  it('the seeds’ public routes stay lenient: an unknown field is dropped', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email: users.get('member')?.email, password: 'correct horse battery staple', remember_me: true },
    });
    assert.equal(res.statusCode, 200);
  });
});
