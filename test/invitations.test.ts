/**
 * Invitations end to end: the admin's club invitations (single, bulk, CSV, campaign counts,
 * resend, revoke), an organizer's own, and the link: a preview that never consumes it, one
 * answer for every dead link, exactly one of 20 concurrent accepts, and the account it makes.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { LightMyRequestResponse } from 'fastify';
import { insertOrganizer, upsertOrganizerMembership } from '../src/queries/organizers.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const API_KEY = 'i'.repeat(40);
const key = { 'x-api-key': API_KEY };
let t: TestApp;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
});
after(async () => t.close());

/** The link's token from the newest mail to `email`. */
async function tokenMailedTo(email: string): Promise<string> {
  await t.app.gatehouse.backgroundIdle();
  const mail = t.app.gatehouse.mailer.outbox().find((m) => m.to === email);
  assert.ok(mail, `a mail to ${email}`);
  const match = /\/ui\/invitations\/accept\?token=(ghi_[A-Za-z0-9_-]+)/.exec(mail.text);
  assert.ok(match?.[1], mail.text);
  return match[1];
}

async function invite(payload: Record<string, unknown>): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/admin/invitations', headers: key, payload });
  return { statusCode: res.statusCode, body: res.json() as Record<string, unknown> };
}

const accept = (payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<LightMyRequestResponse> =>
  t.app.inject({ method: 'POST', url: '/v1/auth/invitations/accept', payload, headers });

describe('club invitations', () => {
  it('invites, mails a link the preview does not use up, makes the address eligible, and accepting creates the verified user with the roles', async () => {
    const created = await invite({ email: 'Newcomer@Example.org', role_names: ['member', 'active'], message: 'Welcome aboard' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.body.status, 'pending');
    assert.deepEqual(created.body.role_names, ['member', 'active']);
    assert.equal((await invite({ email: 'newcomer@example.org' })).statusCode, 409, 'one pending invitation per address');
    const token = await tokenMailedTo('newcomer@example.org');

    for (let i = 0; i < 2; i++) {
      const preview = await t.app.inject({ method: 'GET', url: `/v1/auth/invitations/${token}` });
      assert.equal(preview.statusCode, 200);
      assert.equal((preview.json() as { email: string }).email, 'newcomer@example.org');
    }
    const eligibility = await t.app.inject({ method: 'POST', url: '/v1/auth/verify-email-eligibility', payload: { email: 'newcomer@example.org' } });
    assert.equal((eligibility.json() as { eligible: boolean }).eligible, true, 'a pending club invitation makes its address eligible');

    const accepted = await accept({ token, password: 'a newcomer password', name: 'New Comer' });
    assert.equal(accepted.statusCode, 200, accepted.body);
    const bearer = { authorization: `Bearer ${(accepted.json() as { access_token: string }).access_token}` };
    const me = (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer })).json() as {
      name: string;
      memberships: { role?: string; status?: string }[];
    };
    assert.equal(me.name, 'New Comer');
    assert.deepEqual(me.memberships.map((m) => `${m.role}:${m.status}`).sort(), ['active:active', 'member:active']);
    assert.equal((await login(t.app, 'newcomer@example.org', 'a newcomer password')).accessToken.length > 0, true, 'the password works');
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/auth/invitations/${token}` })).statusCode, 404, 'a used link previews as unknown');
  });

  it('every dead link answers the same 401 Invalid invitation: used, revoked, expired, unknown', async () => {
    const used = await invite({ email: 'used@example.org' });
    assert.equal(used.statusCode, 201);
    const usedToken = await tokenMailedTo('used@example.org');
    assert.equal((await accept({ token: usedToken })).statusCode, 200);
    await invite({ email: 'revoked@example.org' });
    const revokedToken = await tokenMailedTo('revoked@example.org');
    const listed = await t.app.inject({ method: 'GET', url: '/v1/auth/admin/invitations?email=revoked@example.org', headers: key });
    const revokedId = (listed.json() as { items: { id: string }[] }).items[0]?.id;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/v1/auth/admin/invitations/${revokedId}`, headers: key })).statusCode, 204);
    await invite({ email: 'expired@example.org' });
    const expiredToken = await tokenMailedTo('expired@example.org');
    await sql`update invitations set expires_at = now() - interval '1 second' where email = 'expired@example.org'`.execute(t.database.db);

    for (const token of [usedToken, revokedToken, expiredToken, 'ghi_unknown', 'not-even-ours']) {
      const res = await accept({ token });
      assert.equal(res.statusCode, 401, token);
      assert.deepEqual(res.json(), { detail: 'Invalid invitation', code: 'invalid_invitation' });
    }
    const users = await sql<{ email: string }>`select email from users where email in ('revoked@example.org', 'expired@example.org')`.execute(t.database.db);
    assert.deepEqual(users.rows, [], 'no account came of a dead link');
  });

  it('20 concurrent accepts of one invitation: exactly one succeeds', async () => {
    await invite({ email: 'racer@example.org' });
    const token = await tokenMailedTo('racer@example.org');
    const answers = await Promise.all(Array.from({ length: 20 }, () => accept({ token })));
    assert.deepEqual(answers.map((res) => res.statusCode).sort(), [200, ...Array(19).fill(401)]);
  });

  it('refuses a signed-in user of another address (403), and a deactivated account (403) without using the link', async () => {
    const other = await createUser(t.database.db, 'someone-else@example.org');
    const session = await login(t.app, other.email);
    await invite({ email: 'for-me@example.org' });
    const token = await tokenMailedTo('for-me@example.org');
    assert.equal((await accept({ token }, session.bearer)).statusCode, 403);
    const off = await createUser(t.database.db, 'deactivated-invitee@example.org');
    await sql`update users set is_active = false where uuid = ${off.uuid}`.execute(t.database.db);
    await invite({ email: 'deactivated-invitee@example.org' });
    const offToken = await tokenMailedTo('deactivated-invitee@example.org');
    assert.equal((await accept({ token: offToken })).statusCode, 403);
    assert.equal((await t.app.inject({ method: 'GET', url: `/v1/auth/invitations/${offToken}` })).statusCode, 200, 'the link is still live');
    assert.equal((await accept({ token })).statusCode, 200, 'the first link too');
  });

  it('bulk and CSV are all or nothing; a campaign counts its invitations and mails; resend is once an hour and kills the old link', async () => {
    const member = await createUser(t.database.db, 'already@example.org', { roles: ['member'] });
    assert.ok(member);
    const bad = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/invitations/bulk',
      headers: key,
      payload: { emails: ['a1@example.org', 'not an email', 'a2@example.org'], batch_id: 'spring' },
    });
    assert.equal(bad.statusCode, 422);
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/auth/admin/invitation-batches/spring', headers: key })).statusCode, 404, 'nobody was invited');
    const bulk = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/invitations/bulk',
      headers: key,
      payload: { emails: ['a1@example.org', 'A2@example.org', 'already@example.org', 'a1@example.org'], batch_id: 'spring' },
    });
    assert.deepEqual(bulk.json(), { invited: 2, already_members: 1, already_invited: 0, batch_id: 'spring' });
    const preview = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/invitations/import/preview',
      headers: { ...key, 'content-type': 'text/csv' },
      payload: 'email\na3@example.org\na1@example.org\nalready@example.org\nnope\n',
    });
    assert.deepEqual(preview.json(), { invited: 1, already_members: 1, already_invited: 1, invalid_count: 1, invalid: [{ line: 5, value: 'nope' }] });
    const csvBad = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/invitations/import?batch_id=spring',
      headers: { ...key, 'content-type': 'text/csv' },
      payload: 'email\na3@example.org\nnope\n',
    });
    assert.equal(csvBad.statusCode, 422);
    assert.match(csvBad.body, /"line",3/);
    const csv = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/invitations/import?batch_id=spring',
      headers: { ...key, 'content-type': 'text/csv' },
      payload: 'email\na3@example.org\na1@example.org\n',
    });
    assert.deepEqual(csv.json(), { invited: 1, already_members: 0, already_invited: 1, batch_id: 'spring' });
    await t.app.gatehouse.backgroundIdle();
    const counts = await t.app.inject({ method: 'GET', url: '/v1/auth/admin/invitation-batches/spring', headers: key });
    assert.deepEqual(counts.json(), { batch_id: 'spring', total: 3, pending: 3, accepted: 0, expired: 0, revoked: 0, mails_sent: 3, mails_failed: 0 });

    const first = await tokenMailedTo('a3@example.org');
    const id = (
      (await t.app.inject({ method: 'GET', url: '/v1/auth/admin/invitations?email=a3@example.org', headers: key })).json() as { items: { id: string }[] }
    ).items[0]?.id;
    assert.equal((await t.app.inject({ method: 'POST', url: `/v1/auth/admin/invitations/${id}/resend`, headers: key })).statusCode, 429, 'just mailed');
    await sql`update invitations set last_sent_at = now() - interval '2 hours' where id = ${id}`.execute(t.database.db);
    assert.equal((await t.app.inject({ method: 'POST', url: `/v1/auth/admin/invitations/${id}/resend`, headers: key })).statusCode, 202);
    const second = await tokenMailedTo('a3@example.org');
    assert.notEqual(second, first);
    assert.equal((await accept({ token: first })).statusCode, 401, 'the old link died');
    assert.equal((await accept({ token: second })).statusCode, 200);
  });
});

describe('organizer invitations', () => {
  it('owners and admins invite (only an owner invites an owner); members may not; accepting grants the organizer role', async () => {
    const organizer = await insertOrganizer(t.database.db, 'Trail Runners');
    const owner = await createUser(t.database.db, 'trail-owner@example.org');
    const admin = await createUser(t.database.db, 'trail-admin@example.org');
    const member = await createUser(t.database.db, 'trail-member@example.org');
    await upsertOrganizerMembership(t.database.db, organizer.uuid, owner.uuid, 'owner');
    await upsertOrganizerMembership(t.database.db, organizer.uuid, admin.uuid, 'admin');
    await upsertOrganizerMembership(t.database.db, organizer.uuid, member.uuid, 'member');
    const as = async (email: string): Promise<{ authorization: string }> => (await login(t.app, email)).bearer;
    const post = async (headers: Record<string, string>, payload: Record<string, unknown>): Promise<LightMyRequestResponse> =>
      t.app.inject({ method: 'POST', url: `/v1/auth/organizers/${organizer.uuid}/invitations`, headers, payload });

    assert.equal((await post(await as(member.email), { email: 'runner@example.org', role: 'member' })).statusCode, 403);
    assert.equal((await post(await as(admin.email), { email: 'runner@example.org', role: 'owner' })).statusCode, 403, 'an admin may not invite an owner');
    const invited = await post(await as(admin.email), { email: 'runner@example.org', role: 'member' });
    assert.equal(invited.statusCode, 201, invited.body);
    assert.equal((await post(await as(owner.email), { email: 'trail-member@example.org', role: 'admin' })).statusCode, 409, 'already a member');
    const listed = await t.app.inject({ method: 'GET', url: `/v1/auth/organizers/${organizer.uuid}/invitations`, headers: await as(owner.email) });
    assert.deepEqual(
      (listed.json() as { email: string }[]).map((i) => i.email),
      ['runner@example.org'],
    );
    const token = await tokenMailedTo('runner@example.org');
    const accepted = await accept({ token });
    assert.equal(accepted.statusCode, 200);
    const bearer = { authorization: `Bearer ${(accepted.json() as { access_token: string }).access_token}` };
    const me = (await t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: bearer })).json() as {
      memberships: { type: string; organizer_uuid?: string; membership_role?: string }[];
    };
    assert.deepEqual(
      me.memberships.filter((m) => m.type === 'organizer').map((m) => [m.organizer_uuid, m.membership_role]),
      [[organizer.uuid, 'member']],
    );
  });
});
