/**
 * The integration a team generates from /openapi.json: the main flows of both seeds through
 * openapi-fetch, typed by the openapi-typescript output of the live document
 * (test/generated/gatehouse-api.ts, kept current by test/openapi-contract.test.ts), against a
 * real listening server. `npm run check` type-checks this file against those types, so a
 * document that misdeclares a body, a parameter or an error breaks the build, not a client.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import createClient from 'openapi-fetch';
import type { paths } from './generated/gatehouse-api.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, PASSWORD } from './helpers/auth.ts';

const API_KEY = 'k'.repeat(40);
const ORIGIN = 'http://localhost:8000';
const admin = { 'x-api-key': API_KEY };

let t: TestApp;
let api: ReturnType<typeof createClient<paths>>;

before(async () => {
  t = await createTestApp({ env: { API_KEY, PUBLIC_URL: ORIGIN } });
  const address = await t.app.listen({ host: '127.0.0.1', port: 0 });
  api = createClient<paths>({ baseUrl: address });
});
after(() => t.close());

/** The cookies a response set, as one Cookie header (what a cookie jar would send back). */
function cookieHeader(response: Response): string {
  return response.headers
    .getSetCookie()
    .map((cookie) => cookie.split(';')[0] ?? '')
    .filter((pair) => !pair.endsWith('='))
    .join('; ');
}

async function mailedToken(email: string): Promise<string> {
  await t.app.gatehouse.backgroundIdle();
  const mail = t.app.gatehouse.mailer.outbox().find((m) => m.to === email);
  const token = /token=(gh_[\w-]+)/.exec(mail?.text ?? '')?.[1];
  assert.ok(token, `no sign-in link mailed to ${email}`);
  return token;
}

describe('a client generated from /openapi.json (openapi-typescript + openapi-fetch)', () => {
  it('Tagline: eligible list, magic link, bearer /me, a role granted, refresh in the body', async () => {
    const email = 'typed-member@example.org';
    const added = await api.POST('/v1/auth/admin/eligible-emails', { headers: admin, body: { email, batch_id: 'typed' } });
    assert.equal(added.response.status, 201);
    assert.equal(added.data?.email, email);

    const eligible = await api.POST('/v1/auth/verify-email-eligibility', { body: { email } });
    assert.equal(eligible.data?.eligible, true);
    const sent = await api.POST('/v1/auth/magic-links/send', { body: { email } });
    assert.equal(sent.data?.sent, true);

    const signedIn = await api.POST('/v1/auth/authenticate', { body: { token: await mailedToken(email) } });
    assert.ok(signedIn.data, JSON.stringify(signedIn.error));
    assert.equal(signedIn.data.token_type, 'bearer');
    const bearer = { authorization: `Bearer ${signedIn.data.access_token}` };

    const me = await api.GET('/v1/auth/me', { headers: bearer });
    assert.ok(me.data);
    const granted = await api.POST('/v1/auth/admin/users/{user_id}/roles', {
      params: { path: { user_id: me.data.uuid } },
      headers: admin,
      body: { role_name: 'sustainer' },
    });
    assert.equal(granted.response.status, 200, JSON.stringify(granted.error));

    const after = await api.GET('/v1/auth/me', { headers: bearer });
    const systemRoles = (after.data?.memberships ?? []).flatMap((m) => (m.type === 'system' ? [`${m.role}:${m.status}`] : []));
    assert.ok(systemRoles.includes('sustainer:active'), systemRoles.join(', '));

    const refreshed = await api.POST('/v1/auth/refresh', { body: { refresh_token: signedIn.data.refresh_token } });
    assert.ok(refreshed.data?.access_token);
    const listed = await api.GET('/v1/auth/admin/users', { headers: admin, params: { query: { email: 'typed-member' } } });
    assert.deepEqual(
      listed.data?.items.map((u) => u.email),
      [email],
    );
  });

  it('ActiFlow: password login sets cookies; /me, organizer membership, cookie-only refresh and logout through them', async () => {
    const owner = await createUser(t.database.db, 'typed-owner@example.org');
    const member = await createUser(t.database.db, 'typed-crew@example.org');
    const login = await api.POST('/v1/auth/login', { body: { email: owner.email, password: PASSWORD } });
    assert.equal(login.data?.uuid, owner.uuid);
    const cookies = { cookie: cookieHeader(login.response), origin: ORIGIN };

    const organizer = await api.POST('/v1/auth/admin/organizers', { headers: admin, body: { name: 'Typed Events', owner_user_id: owner.uuid } });
    assert.ok(organizer.data);
    const id = organizer.data.uuid;
    const addedMember = await api.POST('/v1/auth/organizers/{id}/members', {
      params: { path: { id } },
      headers: cookies,
      body: { email: member.email, role: 'member' },
    });
    assert.equal(addedMember.data?.membership_role, 'member', JSON.stringify(addedMember.error));
    const members = await api.GET('/v1/auth/organizers/{id}/members', { params: { path: { id } }, headers: cookies });
    assert.deepEqual(members.data?.map((m) => `${m.email}:${m.membership_role}`).sort(), ['typed-crew@example.org:member', 'typed-owner@example.org:owner']);

    const me = await api.GET('/v1/auth/me', { headers: cookies });
    const organizerRoles = (me.data?.memberships ?? []).flatMap((m) => (m.type === 'organizer' ? [`${m.organizer_name}:${m.membership_role}`] : []));
    assert.deepEqual(organizerRoles, ['Typed Events:owner']);

    // A cookie client refreshes with no body at all.
    const refreshed = await api.POST('/v1/auth/refresh', { headers: { cookie: cookies.cookie, 'x-requested-with': 'openapi-fetch' } });
    assert.equal(refreshed.response.status, 200, JSON.stringify(refreshed.error));
    const fresh = { cookie: cookieHeader(refreshed.response), 'x-requested-with': 'openapi-fetch' };
    const loggedOut = await api.POST('/v1/auth/logout', { headers: fresh });
    assert.equal(loggedOut.response.status, 204);
    const gone = await api.GET('/v1/auth/me', { headers: fresh });
    assert.equal(gone.error?.code, 'not_authenticated');
  });

  it('errors are typed {detail, code} on every operation, admin ones included', async () => {
    const wrongKey = await api.GET('/v1/auth/admin/users', { headers: { 'x-api-key': 'w'.repeat(40) } });
    assert.equal(wrongKey.response.status, 401);
    assert.equal(wrongKey.error?.code, 'invalid_api_key');
    assert.equal(typeof wrongKey.error?.detail, 'string');

    const missing = await api.GET('/v1/auth/admin/users/{user_id}', { headers: admin, params: { path: { user_id: '00000000-0000-4000-8000-000000000000' } } });
    assert.equal(missing.error?.code, 'user_not_found');

    const invalid = await api.POST('/v1/auth/admin/roles', { headers: admin, body: { name: 'Not A Role Name' } });
    assert.equal(invalid.response.status, 422);
    const detail = invalid.error?.detail;
    assert.ok(Array.isArray(detail) && detail[0]?.loc.includes('name'), JSON.stringify(detail));
  });
});
