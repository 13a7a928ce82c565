/**
 * Expiring system memberships: an expired membership stops counting at its instant everywhere
 * (the guards, /me's status, the roles claim, introspection), with no sweep; grants and changes
 * of expiry, the all-or-nothing renewal, the expiring_before filter, and the last-admin rule.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { effectiveRoles, membershipStatus } from '../src/services/user-view.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const API_KEY = 'e'.repeat(40);
const key = { 'x-api-key': API_KEY };
let t: TestApp;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
});
after(async () => t.close());

function claimsOf(token: string): { roles: string[] } {
  return JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as { roles: string[] };
}

describe('the instant of expiry (a fake clock, in-process)', () => {
  const expiresAt = '2027-01-01T00:00:00.000Z';
  const membership = { role: 'sustainer', is_active: true, is_suspended: false, expires_at: expiresAt };
  const instant = Date.parse(expiresAt);

  it('counts until the millisecond before, not from the instant on; suspension still wins', () => {
    assert.deepEqual(effectiveRoles([membership], instant - 1), ['sustainer']);
    assert.deepEqual(effectiveRoles([membership], instant), []);
    assert.equal(membershipStatus(membership, instant - 1), 'active');
    assert.equal(membershipStatus(membership, instant), 'inactive');
    assert.equal(membershipStatus({ ...membership, is_suspended: true }, instant), 'suspended');
    assert.deepEqual(effectiveRoles([{ ...membership, expires_at: null }], instant + 1e12), ['sustainer'], 'null never expires');
  });
});

describe('a real short expiry, end to end', () => {
  it('grants with expires_at; at the instant /me says inactive, the guard refuses, new tokens and introspection drop the role', async () => {
    const admin = await createUser(t.database.db, 'expiring-admin@example.org', { roles: ['admin', 'member'] });
    const keeper = await createUser(t.database.db, 'keeper@example.org', { roles: ['admin'] });
    assert.ok(keeper);
    // Signed in first (argon2 is the slow part on a loaded machine), then granted for 3 s.
    const session = await login(t.app, admin.email);
    const expiresAt = new Date(Date.now() + 3_000).toISOString();
    const granted = await t.app.inject({
      method: 'POST',
      url: `/v1/auth/admin/users/${admin.uuid}/roles`,
      headers: key,
      payload: { role_name: 'admin', expires_at: expiresAt },
    });
    assert.equal(granted.statusCode, 200, granted.body);

    const me = (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: session.bearer })).json() as { memberships: Record<string, unknown>[] };
    assert.deepEqual(
      me.memberships.find((m) => m.role === 'admin'),
      { type: 'system', role: 'admin', status: 'active', expires_at: expiresAt },
    );
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/admin/roles', headers: session.bearer })).statusCode, 200);

    await sleep(Date.parse(expiresAt) - Date.now() + 50);
    const later = (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: session.bearer })).json() as { memberships: Record<string, unknown>[] };
    assert.equal(later.memberships.find((m) => m.role === 'admin')?.status, 'inactive', 'the same token, the next request');
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/admin/roles', headers: session.bearer })).statusCode, 403);
    const refreshed = await t.app.inject({ method: 'POST', url: '/v1/auth/refresh', payload: { refresh_token: session.refreshToken } });
    assert.deepEqual(claimsOf((refreshed.json() as { access_token: string }).access_token).roles, ['member']);
    const introspected = await t.app.inject({ method: 'POST', url: '/v1/auth/introspect', headers: key, payload: { token: session.accessToken } });
    assert.deepEqual((introspected.json() as { roles: string[] }).roles, ['member']);
  });

  it('refuses a grant that is already expired (422), and PATCH expires_at: null makes it never expire', async () => {
    const user = await createUser(t.database.db, 'patched@example.org', { roles: ['member'] });
    const past = await t.app.inject({
      method: 'POST',
      url: `/v1/auth/admin/users/${user.uuid}/roles`,
      headers: key,
      payload: { role_name: 'sustainer', expires_at: '2020-01-01T00:00:00Z' },
    });
    assert.equal(past.statusCode, 422);
    const soon = new Date(Date.now() + 60_000).toISOString();
    await t.app.inject({ method: 'POST', url: `/v1/auth/admin/users/${user.uuid}/roles`, headers: key, payload: { role_name: 'sustainer', expires_at: soon } });
    const ended = await t.app.inject({
      method: 'PATCH',
      url: `/v1/auth/admin/users/${user.uuid}/roles/sustainer`,
      headers: key,
      payload: { expires_at: '2020-01-01T00:00:00Z' },
    });
    assert.deepEqual(ended.json(), { type: 'system', role: 'sustainer', status: 'inactive', expires_at: '2020-01-01T00:00:00.000Z' });
    const cleared = await t.app.inject({
      method: 'PATCH',
      url: `/v1/auth/admin/users/${user.uuid}/roles/sustainer`,
      headers: key,
      payload: { expires_at: null },
    });
    assert.deepEqual(cleared.json(), { type: 'system', role: 'sustainer', status: 'active', expires_at: null });
  });

  it('ending the last admin by expiry is refused like any other removal (409 last_admin)', async () => {
    const solo = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
    try {
      const only = await createUser(solo.database.db, 'only-admin@example.org', { roles: ['admin'] });
      const res = await solo.app.inject({
        method: 'PATCH',
        url: `/v1/auth/admin/users/${only.uuid}/roles/admin`,
        headers: key,
        payload: { expires_at: new Date().toISOString() },
      });
      assert.equal(res.statusCode, 409);
      assert.equal((res.json() as { code: string }).code, 'last_admin');
    } finally {
      await solo.close();
    }
  });
});

describe('renewal and finding whom to remind', () => {
  it('POST /admin/memberships/renew renews and grants in one go; an unknown user is a 422 naming it, and nothing changes', async () => {
    const a = await createUser(t.database.db, 'renew-a@example.org', { roles: ['member'] });
    await createUser(t.database.db, 'renew-b@example.org', { roles: ['member'] });
    await createUser(t.database.db, 'renew-c@example.org');
    const year = new Date(Date.now() + 365 * 86_400_000).toISOString();
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/memberships/renew',
      headers: key,
      payload: { role_name: 'member', expires_at: year, user_ids: [a.uuid], emails: ['renew-b@example.org', 'nobody-here@example.org'] },
    });
    assert.equal(refused.statusCode, 422);
    const detail = (refused.json() as { detail: { loc: unknown[]; msg: string }[] }).detail;
    assert.deepEqual(
      detail.map((issue) => issue.loc),
      [['body', 'emails', 1]],
    );
    const untouched = (await t.app.inject({ method: 'GET', url: `/v1/auth/admin/users/${a.uuid}`, headers: key })).json() as {
      memberships: { role?: string; expires_at?: string | null }[];
    };
    assert.equal(untouched.memberships.find((m) => m.role === 'member')?.expires_at, null, 'all or nothing');

    const renewed = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/memberships/renew',
      headers: key,
      payload: { role_name: 'member', expires_at: year, user_ids: [a.uuid], emails: ['RENEW-B@example.org', 'renew-c@example.org'] },
    });
    assert.deepEqual(renewed.json(), { renewed: 2, granted: 1 });
    const expiring = await t.app.inject({
      method: 'GET',
      url: `/v1/auth/admin/users?role=member&expiring_before=${encodeURIComponent(new Date(Date.now() + 400 * 86_400_000).toISOString())}&email=renew-`,
      headers: key,
    });
    assert.deepEqual(
      (expiring.json() as { items: { email: string }[] }).items.map((u) => u.email),
      ['renew-a@example.org', 'renew-b@example.org', 'renew-c@example.org'],
    );
    const notYet = await t.app.inject({
      method: 'GET',
      url: `/v1/auth/admin/users?role=member&expiring_before=${encodeURIComponent(new Date(Date.now() + 30 * 86_400_000).toISOString())}&email=renew-`,
      headers: key,
    });
    assert.deepEqual((notYet.json() as { items: unknown[] }).items, []);
  });
});
