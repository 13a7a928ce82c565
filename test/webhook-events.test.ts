/**
 * Webhook events, against a real receiver on 127.0.0.1 that verifies every delivery with the
 * `standardwebhooks` package: each change emits exactly its events, in sequence order, a
 * rolled-back one none, and the payloads carry public views only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { insertUser } from '../src/queries/users.ts';
import { welcomeNewUser } from '../src/services/memberships.ts';
import type { TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';
import { API, key, register, settled, startApp } from './helpers/webhook-app.ts';
import { bySequence, startReceiver, type ReceivedEvent, type Receiver } from './helpers/webhook-receiver.ts';

describe('webhook events', () => {
  let t: TestApp;
  let receiver: Receiver;
  let seen = 0;

  before(async () => {
    t = await startApp();
    receiver = await startReceiver();
    receiver.secrets = [(await register(t, receiver.url)).secret];
  });
  after(async () => {
    await t.close();
    await receiver.close();
  });

  /** The types of the events that arrived since the last call, in sequence order. */
  async function newTypes(): Promise<string[]> {
    await settled(t);
    const fresh = bySequence(receiver.events).slice(seen);
    seen = receiver.events.length;
    return fresh.map((e) => e.type);
  }

  async function call(
    method: 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    payload?: object,
    headers: Record<string, string> = key,
  ): Promise<Record<string, unknown>> {
    const res = await t.app.inject({ method, url: `${API}${url}`, headers, ...(payload === undefined ? {} : { payload }) });
    const expected = [200, 201, 202, 204];
    assert.ok(expected.includes(res.statusCode), `${method} ${url}: ${res.statusCode} ${res.body}`);
    return res.body === '' ? {} : (res.json() as Record<string, unknown>);
  }

  it('users: created (with its membership granted), updated, sessions revoked on deactivation, deleted', async () => {
    const user = await call('POST', '/admin/users', { email: 'hook-user@example.org', name: 'Hook', role_names: ['member'] });
    assert.deepEqual(await newTypes(), ['user.created', 'membership.granted']);
    const created = receiver.events.find((e) => e.type === 'user.created');
    assert.equal((created?.data.user as { email: string }).email, 'hook-user@example.org');
    assert.doesNotMatch(JSON.stringify(receiver.events), /password|hash|token|secret/i, 'no hashes, tokens or secrets in payloads');
    await call('PATCH', `/admin/users/${String(user.uuid)}`, { name: 'Hook Renamed' });
    assert.deepEqual(await newTypes(), ['user.updated']);
    await call('PATCH', `/admin/users/${String(user.uuid)}`, { name: 'Hook Renamed' });
    assert.deepEqual(await newTypes(), [], 'a change to the same value is no change');
    await call('PATCH', `/admin/users/${String(user.uuid)}`, { is_active: false });
    assert.deepEqual(await newTypes(), ['session.revoked_all', 'user.updated']);
    await call('DELETE', `/admin/users/${String(user.uuid)}`);
    assert.deepEqual(await newTypes(), ['user.deleted']);
  });

  it('memberships: granted, updated (status, expiry), revoked; PUT roles and role deletion say what changed', async () => {
    const user = await call('POST', '/admin/users', { email: 'hook-member@example.org', role_names: [] });
    assert.deepEqual(await newTypes(), ['user.created']);
    const id = String(user.uuid);
    await call('POST', `/admin/users/${id}/roles`, { role_name: 'sustainer' });
    assert.deepEqual(await newTypes(), ['membership.granted']);
    await call('PATCH', `/admin/users/${id}/roles/sustainer`, { is_suspended: true });
    await call('PATCH', `/admin/users/${id}/roles/sustainer`, { expires_at: new Date(Date.now() + 86_400_000).toISOString() });
    assert.deepEqual(await newTypes(), ['membership.updated', 'membership.updated']);
    const updated = receiver.events.at(-1);
    assert.equal((updated?.data.membership as { role: string }).role, 'sustainer');
    await call('PUT', `/admin/users/${id}/roles`, { role_names: ['sustainer', 'active'] });
    assert.deepEqual(await newTypes(), ['membership.granted']);
    await call('DELETE', `/admin/users/${id}/roles/sustainer`);
    assert.deepEqual(await newTypes(), ['membership.revoked']);
    await call('POST', '/admin/roles', { name: 'alumni' });
    await call('POST', `/admin/users/${id}/roles`, { role_name: 'alumni' });
    assert.deepEqual(await newTypes(), ['membership.granted']);
    await call('DELETE', '/admin/roles/alumni');
    assert.deepEqual(await newTypes(), ['membership.revoked'], 'deleting a role revokes its memberships');
    await call('POST', '/admin/memberships/renew', { role_name: 'active', expires_at: new Date(Date.now() + 2 * 86_400_000).toISOString(), user_ids: [id] });
    assert.deepEqual(await newTypes(), ['membership.updated']);
  });

  it('memberships: expiring (a reminder is due) and expired (its end passed), each once', async () => {
    const user = await call('POST', '/admin/users', { email: 'hook-expiry@example.org', role_names: [] });
    await newTypes();
    await call('POST', `/admin/users/${String(user.uuid)}/roles`, { role_name: 'sustainer', expires_at: new Date(Date.now() + 1500).toISOString() });
    assert.deepEqual(await newTypes(), ['membership.granted']);
    // The earlier test's renewal (in two days) is due a reminder too: look at this user's events.
    const mine = async (): Promise<ReceivedEvent[]> => {
      await newTypes();
      return bySequence(receiver.events).filter((e) => e.data.email === 'hook-expiry@example.org' && e.type.startsWith('membership.'));
    };
    await t.app.gatehouse.jobs.sweepExpiryNotices();
    await t.app.gatehouse.jobs.sweepExpiryNotices();
    assert.deepEqual(
      (await mine()).map((e) => e.type),
      ['membership.granted', 'membership.expiring'],
    );
    await new Promise((resolve) => setTimeout(resolve, 1600));
    await t.app.gatehouse.jobs.announceLifecycleEvents();
    await t.app.gatehouse.jobs.announceLifecycleEvents();
    const events = await mine();
    assert.deepEqual(
      events.map((e) => e.type),
      ['membership.granted', 'membership.expiring', 'membership.expired'],
    );
    assert.deepEqual((events.at(-1)?.data.membership as { status: string }).status, 'inactive');
  });

  it('organizers: created with its owner, updated, members added, updated and removed', async () => {
    await createUser(t.database.db, 'org-owner@example.org');
    const member = await createUser(t.database.db, 'org-member@example.org');
    const owner = (await login(t.app, 'org-owner@example.org')).bearer;
    await newTypes();
    const organizer = await call('POST', '/admin/organizers', { name: 'Hook Club', owner_email: 'org-owner@example.org' });
    assert.deepEqual(await newTypes(), ['organizer.created', 'organizer.member.added']);
    const id = String(organizer.uuid);
    await call('PATCH', `/organizers/${id}`, { name: 'Hook Club Renamed' }, owner);
    assert.deepEqual(await newTypes(), ['organizer.updated']);
    await call('POST', `/organizers/${id}/members`, { email: 'org-member@example.org', role: 'member' }, owner);
    await call('PATCH', `/organizers/${id}/members/${member.uuid}`, { role: 'admin' }, owner);
    await call('DELETE', `/organizers/${id}/members/${member.uuid}`, undefined, owner);
    assert.deepEqual(await newTypes(), ['organizer.member.added', 'organizer.member.updated', 'organizer.member.removed']);
  });

  it('invitations: created (one per address), accepted (with the user and its memberships), revoked, expired', async () => {
    await call('POST', '/admin/invitations/bulk', { emails: ['inv-a@example.org', 'inv-b@example.org'], role_names: ['member'], batch_id: 'hooks' });
    assert.deepEqual(await newTypes(), ['invitation.created', 'invitation.created']);
    const list = (await t.app.inject({ method: 'GET', url: `${API}/admin/invitations?batch_id=hooks`, headers: key })).json() as {
      items: { id: string; email: string }[];
    };
    const a = list.items.find((i) => i.email === 'inv-a@example.org');
    const b = list.items.find((i) => i.email === 'inv-b@example.org');
    assert.ok(a && b);
    await call('DELETE', `/admin/invitations/${b.id}`);
    assert.deepEqual(await newTypes(), ['invitation.revoked']);
    const mail = t.app.gatehouse.mailer.outbox().find((m) => m.to === 'inv-a@example.org');
    const token = /token=(ghi_[A-Za-z0-9_-]+)/.exec(mail?.text ?? '')?.[1];
    assert.ok(token);
    const accepted = await t.app.inject({ method: 'POST', url: `${API}/invitations/accept`, payload: { token, password: 'an invitee password' } });
    assert.equal(accepted.statusCode, 200, accepted.body);
    assert.deepEqual(await newTypes(), ['user.created', 'membership.granted', 'invitation.accepted']);
    await call('POST', '/admin/invitations', { email: 'inv-c@example.org' });
    assert.deepEqual(await newTypes(), ['invitation.created']);
    await sql`update invitations set expires_at = now() - interval '1 minute' where email = 'inv-c@example.org'`.execute(t.database.db);
    await t.app.gatehouse.jobs.announceLifecycleEvents();
    await t.app.gatehouse.jobs.announceLifecycleEvents();
    assert.deepEqual(await newTypes(), ['invitation.expired']);
  });

  it('eligible imports: one event per import with its counts; logout everywhere: session.revoked_all', async () => {
    await call('POST', '/admin/eligible-emails/bulk', { emails: ['e1@example.org', 'e2@example.org', 'e3@example.org'], batch_id: 'spring' });
    assert.deepEqual(await newTypes(), ['eligibility.imported']);
    assert.deepEqual(receiver.events.at(-1)?.data, { batch_id: 'spring', added: 3, already_present: 0 });
    await createUser(t.database.db, 'everywhere@example.org');
    await newTypes();
    const session = await login(t.app, 'everywhere@example.org');
    const res = await t.app.inject({ method: 'DELETE', url: `${API}/sessions`, headers: session.bearer });
    assert.equal(res.statusCode, 204);
    assert.deepEqual(await newTypes(), ['session.revoked_all']);
  });

  it('a change that rolls back emits nothing; the same change committed emits its events', async () => {
    const db = t.database.db;
    await assert.rejects(
      db.transaction().execute(async (trx) => {
        const user = await insertUser(trx, { email: 'rolled-back@example.org', authProvider: 'local', isEmailVerified: false });
        assert.ok(user);
        await welcomeNewUser(trx, user.uuid);
        throw new Error('the change fails after its events were written');
      }),
      /fails after/,
    );
    assert.deepEqual(await newTypes(), []);
    const count = await sql<{ n: number }>`select count(*)::int as n from webhook_events where data::text like '%rolled-back@example.org%'`.execute(db);
    assert.equal(count.rows[0]?.n, 0, 'no outbox row outlived the rollback');
    await db.transaction().execute(async (trx) => {
      const user = await insertUser(trx, { email: 'committed@example.org', authProvider: 'local', isEmailVerified: false });
      assert.ok(user);
      await welcomeNewUser(trx, user.uuid);
    });
    assert.deepEqual(await newTypes(), ['user.created', 'membership.granted']);
  });

  it('payloads: {id, type, timestamp, sequence, data}; sequence increases; webhook-id is the event id', () => {
    const sorted = bySequence(receiver.events);
    for (const event of sorted) assert.deepEqual(Object.keys(event).sort(), ['data', 'id', 'sequence', 'timestamp', 'type']);
    assert.equal(new Set(sorted.map((e) => e.sequence)).size, sorted.length, 'each sequence once');
    for (const delivery of receiver.deliveries.filter((d) => d.verified === true)) {
      assert.equal(delivery.headers['webhook-id'], (JSON.parse(delivery.body) as ReceivedEvent).id);
    }
  });
});
