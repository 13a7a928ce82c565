/** The admin API: shapes and seed messages, the safety rules, bulk all-or-nothing, audit. */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { findUserByEmail } from '../src/queries/users.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, type TestUser } from './helpers/auth.ts';

const API_KEY = 'a'.repeat(40);
let t: TestApp;
let root: TestUser;
let rootAuth: Record<string, string>;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
  root = await createUser(t.database.db, 'root@example.org', { roles: ['admin'] });
  rootAuth = (await login(t.app, root.email)).bearer;
});
after(async () => t.close());

function call(method: string, url: string, payload?: unknown, auth: Record<string, string> = rootAuth): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: method as 'GET', url: `/v1/auth${url}`, headers: auth, ...(payload === undefined ? {} : { payload: payload as object }) });
}

const key = { 'x-api-key': API_KEY };

describe('roles', () => {
  it('create 201 {id, name, description, created_at}; 409 exists; 422 bad name', async () => {
    const res = await call('POST', '/admin/roles', { name: 'editors', description: 'Edit things' });
    assert.equal(res.statusCode, 201);
    const body = res.json<{ id: string; name: string; description: string; created_at: string }>();
    assert.equal(body.name, 'editors');
    assert.match(body.created_at, /^\d{4}-\d\d-\d\dT/);
    assert.equal((await call('POST', '/admin/roles', { name: 'editors' })).statusCode, 409);
    assert.equal((await call('POST', '/admin/roles', { name: 'Editors!' })).statusCode, 422);
    assert.ok((await call('GET', '/admin/roles')).json<{ name: string }[]>().some((r) => r.name === 'editors'));
  });

  it('delete: 204; built-in admin and member 409; unknown 404', async () => {
    assert.equal((await call('DELETE', '/admin/roles/editors')).statusCode, 204);
    assert.equal((await call('DELETE', '/admin/roles/admin')).statusCode, 409);
    assert.equal((await call('DELETE', '/admin/roles/member')).statusCode, 409);
    assert.equal((await call('DELETE', '/admin/roles/editors')).statusCode, 404);
  });
});

describe('users', () => {
  it('create with roles; unknown role names are a 422 that lists them and creates nothing', async () => {
    const bad = await call('POST', '/admin/users', { email: 'new1@example.org', role_names: ['member', 'ghost', 'phantom'] });
    assert.equal(bad.statusCode, 422);
    assert.match(JSON.stringify(bad.json()), /ghost, phantom/);
    assert.equal(await findUserByEmail(t.database.db, 'new1@example.org'), null);
    const ok = await call('POST', '/admin/users', { email: 'New1@Example.org', name: 'New', role_names: ['member', 'active'] });
    assert.equal(ok.statusCode, 201);
    const user = ok.json<{ uuid: string; email: string; is_active: boolean; is_email_verified: boolean; memberships: unknown[] }>();
    assert.equal(user.email, 'new1@example.org');
    assert.equal(user.is_email_verified, false, 'no mass assignment');
    assert.equal(user.memberships.length, 2);
    assert.equal((await call('POST', '/admin/users', { email: 'new1@example.org' })).statusCode, 409);
    const fetched = await call('GET', `/admin/users/${user.uuid}`);
    assert.deepEqual(Object.keys(fetched.json()).sort(), ['created_at', 'email', 'is_active', 'is_email_verified', 'memberships', 'name', 'role', 'uuid']);
    assert.equal((await call('GET', '/admin/users/00000000-0000-4000-8000-000000000000')).statusCode, 404);
  });

  it('role assignment uses the seed messages; PUT sets exactly; PATCH flags returns the membership', async () => {
    const user = await createUser(t.database.db, 'roles@example.org');
    const assign = await call('POST', `/admin/users/${user.uuid}/roles`, { role_name: 'sustainer' });
    assert.deepEqual(assign.json(), { message: 'Role sustainer assigned to user successfully' });
    const missing = await call('POST', `/admin/users/${user.uuid}/roles`, { role_name: 'ghost' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().detail, 'User or role not found');
    const removed = await call('DELETE', `/admin/users/${user.uuid}/roles/sustainer`);
    assert.deepEqual(removed.json(), { message: 'Role sustainer removed from user successfully' });
    const put = await call('PUT', `/admin/users/${user.uuid}/roles`, { role_names: ['active', 'member'] });
    assert.deepEqual(put.json(), { message: 'User roles updated successfully', roles: ['active', 'member'] });
    const unknown = await call('PUT', `/admin/users/${user.uuid}/roles`, { role_names: ['active', 'nope'] });
    assert.equal(unknown.statusCode, 422);
    assert.match(JSON.stringify(unknown.json()), /nope/);
    assert.deepEqual(
      (await call('PUT', `/admin/users/${user.uuid}/roles`, { role_names: ['active', 'member'] })).json().roles,
      ['active', 'member'],
      'the refused PUT changed nothing',
    );
    const patched = await call('PATCH', `/admin/users/${user.uuid}/roles/active`, { is_suspended: true });
    assert.deepEqual(patched.json(), { type: 'system', role: 'active', status: 'suspended', expires_at: null });
  });

  it('deactivation and deletion revoke sessions on the next request; a deleted user is 404 and cannot sign in', async () => {
    const user = await createUser(t.database.db, 'leaving@example.org');
    const session = await login(t.app, user.email);
    assert.equal((await call('PATCH', `/admin/users/${user.uuid}`, { is_active: false })).json().is_active, false);
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session.bearer })).statusCode, 401);
    await call('PATCH', `/admin/users/${user.uuid}`, { is_active: true });
    const again = await login(t.app, user.email);
    assert.equal((await call('GET', `/admin/users/${user.uuid}/sessions`)).json<unknown[]>().length, 1);
    assert.equal((await call('DELETE', `/admin/users/${user.uuid}`)).statusCode, 204);
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: again.bearer })).statusCode, 401);
    assert.equal((await call('GET', `/admin/users/${user.uuid}`)).statusCode, 404);
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'correct horse battery staple' } })).statusCode,
      401,
    );
  });

  it('lists with a keyset cursor and filters by email and role', async () => {
    const first = (await call('GET', '/admin/users?limit=2')).json<{ items: { email: string }[]; next_cursor: string }>();
    assert.equal(first.items.length, 2);
    const second = (await call('GET', `/admin/users?limit=2&cursor=${first.next_cursor}`)).json<{ items: { email: string }[] }>();
    assert.ok(second.items.every((u) => u.email > (first.items[1]?.email ?? '')));
    const admins = (await call('GET', '/admin/users?role=admin')).json<{ items: { email: string }[] }>();
    assert.deepEqual(
      admins.items.map((u) => u.email),
      ['root@example.org'],
    );
    assert.equal((await call('GET', '/admin/users?cursor=not-a-cursor')).statusCode, 422);
  });
});

describe('the last admin', () => {
  it('cannot be removed, suspended, deactivated, have roles replaced, or be deleted (409)', async () => {
    const attempts: [string, string, unknown][] = [
      ['DELETE', `/admin/users/${root.uuid}/roles/admin`, undefined],
      ['PATCH', `/admin/users/${root.uuid}/roles/admin`, { is_suspended: true }],
      ['PATCH', `/admin/users/${root.uuid}/roles/admin`, { is_active: false }],
      ['PATCH', `/admin/users/${root.uuid}`, { is_active: false }],
      ['PUT', `/admin/users/${root.uuid}/roles`, { role_names: ['member'] }],
      ['DELETE', `/admin/users/${root.uuid}`, undefined],
    ];
    for (const [method, url, body] of attempts) {
      const res = await call(method, url, body, key);
      assert.equal(res.statusCode, 409, `${method} ${url}`);
      assert.equal(res.json().code, 'last_admin');
    }
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: rootAuth })).statusCode, 200, 'still an admin');
  });

  it('with a second admin, the first can step down', async () => {
    const second = await createUser(t.database.db, 'second-admin@example.org', { roles: ['admin'] });
    assert.equal((await call('DELETE', `/admin/users/${second.uuid}/roles/admin`)).statusCode, 200);
  });
});

describe('eligible emails', () => {
  it('one: 201 shape, 409 duplicate (any case), 422 invalid', async () => {
    const res = await call('POST', '/admin/eligible-emails', { email: ' One@Example.org ', batch_id: 'b1' });
    assert.equal(res.statusCode, 201);
    assert.deepEqual(Object.keys(res.json()).sort(), ['batch_id', 'created_at', 'email', 'expires_at', 'id', 'note']);
    assert.equal(res.json().expires_at, null);
    assert.equal(res.json().email, 'one@example.org');
    assert.equal((await call('POST', '/admin/eligible-emails', { email: 'ONE@example.org' })).statusCode, 409);
    assert.equal((await call('POST', '/admin/eligible-emails', { email: 'not an email' })).statusCode, 422);
  });

  it('bulk: any invalid address refuses the whole request, listing every one; nothing is written', async () => {
    const res = await call('POST', '/admin/eligible-emails/bulk', { emails: ['ok1@example.org', 'bad one', 'ok2@example.org', '@nope'], batch_id: 'bulk-bad' });
    assert.equal(res.statusCode, 422);
    const detail = res.json<{ detail: { loc: unknown[] }[] }>().detail;
    assert.deepEqual(
      detail.map((d) => d.loc),
      [
        ['body', 'emails', 1],
        ['body', 'emails', 3],
      ],
    );
    const listed = await call('GET', '/admin/eligible-emails?batch_id=bulk-bad');
    assert.deepEqual(listed.json().items, []);
  });

  it('bulk: 100,000 addresses in one request, duplicates folded, re-run adds nothing', async () => {
    const emails = Array.from({ length: 100_000 }, (_, i) => `member${i}@club.example.org`);
    emails.push('MEMBER0@club.example.org', 'one@example.org');
    const started = Date.now();
    const res = await call('POST', '/admin/eligible-emails/bulk', { emails, batch_id: 'big' }, key);
    const elapsed = Date.now() - started;
    assert.equal(res.statusCode, 201, res.body.slice(0, 300));
    assert.deepEqual(res.json(), { message: 'Successfully added 100000 eligible emails', added: 100_000, already_present: 1 });
    console.log(`# 100,000-address bulk request: ${elapsed} ms`);
    const again = await call('POST', '/admin/eligible-emails/bulk', { emails, batch_id: 'big' }, key);
    assert.deepEqual(again.json(), { message: 'Successfully added 0 eligible emails', added: 0, already_present: 100_001 });
  });

  it('CSV import: an email column or one per line; invalid lines reported by number; idempotent', async () => {
    const csv = (body: string, batch = 'csv'): Promise<LightMyRequestResponse> =>
      t.app.inject({
        method: 'POST',
        url: `/v1/auth/admin/eligible-emails/import?batch_id=${batch}`,
        headers: { ...rootAuth, 'content-type': 'text/csv' },
        payload: body,
      });
    const bad = await csv('name,email\nAda,ada@csv.example.org\nBob,not-valid\nCy,cy@csv.example.org\nDee,also bad\n');
    assert.equal(bad.statusCode, 422);
    assert.deepEqual(
      bad.json<{ detail: { loc: unknown[] }[] }>().detail.map((d) => d.loc),
      [
        ['body', 'line', 3],
        ['body', 'line', 5],
      ],
    );
    assert.equal((await call('GET', '/admin/eligible-emails?q=csv.example')).json().items.length, 0, 'nothing written');
    const ok = await csv('ada@csv.example.org\r\ncy@csv.example.org\r\n\r\nADA@csv.example.org\r\n');
    assert.deepEqual(ok.json(), { message: 'Successfully added 2 eligible emails', added: 2, already_present: 0 });
    assert.deepEqual((await csv('ada@csv.example.org\ncy@csv.example.org\n')).json(), {
      message: 'Successfully added 0 eligible emails',
      added: 0,
      already_present: 2,
    });
    const json = await t.app.inject({ method: 'POST', url: '/v1/auth/admin/eligible-emails/import', headers: rootAuth, payload: { emails: [] } });
    assert.equal(json.statusCode, 415);
    assert.equal(json.json().detail, 'Send the addresses as text/csv');
    // A type no parser takes is refused by the framework, with the same advice (not "send JSON").
    const plain = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/eligible-emails/import',
      headers: { ...rootAuth, 'content-type': 'text/plain' },
      payload: 'a@example.org',
    });
    assert.deepEqual(plain.json(), { detail: 'Unsupported media type: send text/csv', code: 'unsupported_media_type' });
  });

  it('lists with cursor and filters; deletes one (404 when absent) and a batch ({deleted}); batch_id is required', async () => {
    const page1 = (await call('GET', '/admin/eligible-emails?batch_id=csv&limit=1')).json<{ items: { email: string }[]; next_cursor: string }>();
    assert.equal(page1.items[0]?.email, 'ada@csv.example.org');
    const page2 = (await call('GET', `/admin/eligible-emails?batch_id=csv&limit=1&cursor=${page1.next_cursor}`)).json<{
      items: { email: string }[];
      next_cursor: string | null;
    }>();
    assert.equal(page2.items[0]?.email, 'cy@csv.example.org');
    assert.equal(page2.next_cursor, null);
    assert.equal((await call('DELETE', '/admin/eligible-emails/ADA%40csv.example.org')).statusCode, 204);
    assert.equal((await call('DELETE', '/admin/eligible-emails/ada%40csv.example.org')).statusCode, 404);
    assert.deepEqual((await call('DELETE', '/admin/eligible-emails?batch_id=big')).json(), { deleted: 100_000 });
    assert.equal((await call('DELETE', '/admin/eligible-emails')).statusCode, 422);
  });
});

describe('audit log', () => {
  it('records actor (user or api_key), action, target, before/after, ip and request id; filters and paginates', async () => {
    await t.app.inject({ method: 'POST', url: '/v1/auth/admin/roles', headers: { ...key, 'x-request-id': 'audit-req-1' }, payload: { name: 'audited' } });
    const byKey = (await call('GET', '/admin/audit-log?actor=api_key&action=role.create')).json<{ items: Record<string, unknown>[] }>();
    const entry = byKey.items[0];
    assert.ok(entry);
    assert.equal(entry.actor, 'api_key');
    assert.equal(entry.request_id, 'audit-req-1');
    assert.equal(entry.ip, '127.0.0.1');
    assert.deepEqual(entry.after, { name: 'audited', description: null });
    const byUser = (await call('GET', `/admin/audit-log?actor=${root.uuid}&limit=2`)).json<{ items: { created_at: string }[]; next_cursor: string }>();
    assert.equal(byUser.items.length, 2);
    const next = (await call('GET', `/admin/audit-log?actor=${root.uuid}&limit=2&cursor=${byUser.next_cursor}`)).json<{ items: { created_at: string }[] }>();
    assert.ok(next.items.length > 0);
    assert.ok((next.items[0]?.created_at ?? '') <= (byUser.items[1]?.created_at ?? ''), 'newest first across pages');
  });

  it('names people by email and organizers by name, and filters by an email', async () => {
    const subject = await createUser(t.database.db, 'audited-subject@example.org');
    assert.equal((await call('POST', `/admin/users/${subject.uuid}/roles`, { role_name: 'sustainer' })).statusCode, 200);
    const organizer = await call('POST', '/admin/organizers', { name: 'Audited Club' });
    type Entry = { actor: string; actor_email: string | null; action: string; target: string | null; target_label: string | null };
    const byEmail = (await call('GET', `/admin/audit-log?actor=${encodeURIComponent(root.email.toUpperCase())}&action=user.role.grant`)).json<{
      items: Entry[];
    }>();
    assert.ok(byEmail.items.length >= 1);
    for (const entry of byEmail.items) assert.deepEqual([entry.actor, entry.actor_email], [root.uuid, root.email]);
    const forSubject = (await call('GET', `/admin/audit-log?target=${encodeURIComponent(subject.email)}`)).json<{ items: Entry[] }>();
    assert.deepEqual(
      forSubject.items.map((e) => [e.action, e.target, e.target_label]),
      [['user.role.grant', subject.uuid, subject.email]],
    );
    const created = (await call('GET', `/admin/audit-log?target=${organizer.json().uuid}`)).json<{ items: Entry[] }>();
    assert.deepEqual(
      created.items.map((e) => [e.actor, e.actor_email, e.target_label]),
      [[root.uuid, root.email, 'Audited Club']],
    );
    assert.deepEqual((await call('GET', '/admin/audit-log?actor=nobody@example.org')).json().items, []);
  });

  it('pages through entries of the same millisecond without skipping any (the cursor keeps microseconds)', async () => {
    for (const micros of ['100', '200', '300']) {
      await sql`insert into audit_log (actor, action, target, created_at) values ('system', 'same.millisecond', ${micros}, ${`2026-01-01T00:00:00.000${micros}Z`}::timestamptz)`.execute(
        t.database.db,
      );
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/admin/audit-log?action=same.millisecond&limit=1${cursor === null ? '' : `&cursor=${cursor}`}`;
      const pageOf: { items: { target: string }[]; next_cursor: string | null } = (await call('GET', url)).json();
      seen.push(...pageOf.items.map((item) => item.target));
      cursor = pageOf.next_cursor;
    } while (cursor !== null && seen.length < 10);
    assert.deepEqual(seen, ['300', '200', '100']);
  });

  it('pages through organizers created in the same millisecond without skipping any', async () => {
    for (const name of ['Same A', 'Same B', 'Same C']) {
      await sql`insert into organizers (name, created_at) values (${name}, '2026-01-01T00:00:00.000500Z'::timestamptz + ${`${seenCount(name)} microseconds`}::interval)`.execute(
        t.database.db,
      );
    }
    const names: string[] = [];
    let cursor: string | null = null;
    do {
      const url: string = `/admin/organizers?limit=1${cursor === null ? '' : `&cursor=${cursor}`}`;
      const pageOf: { items: { name: string }[]; next_cursor: string | null } = (await call('GET', url)).json();
      names.push(...pageOf.items.map((item) => item.name));
      cursor = pageOf.next_cursor;
    } while (cursor !== null && names.length < 500);
    assert.deepEqual(
      names.filter((name) => name.startsWith('Same ')),
      ['Same A', 'Same B', 'Same C'],
    );
  });
});

/** 0, 1, 2 for the three organizers above: each a microsecond after the last, in one millisecond. */
function seenCount(name: string): number {
  return ['Same A', 'Same B', 'Same C'].indexOf(name);
}

describe('API key', () => {
  it('works for /admin/*; a wrong key is 401 even with a valid admin cookie; no API_KEY configured means no key works', async () => {
    assert.equal((await call('GET', '/admin/roles', undefined, key)).statusCode, 200);
    const wrong = await call('GET', '/admin/roles', undefined, { ...rootAuth, 'x-api-key': 'wrong' });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().code, 'invalid_api_key');
    const noKey = await createTestApp({ env: { LOG_LEVEL: 'silent' }, database: t.database });
    assert.equal((await noKey.app.inject({ method: 'GET', url: '/v1/auth/admin/roles', headers: { 'x-api-key': '' } })).statusCode, 401);
    await noKey.close();
  });
});
