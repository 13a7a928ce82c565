/**
 * The holes an outside security review found (each test names its defect), and the same class
 * elsewhere. Races run through concurrent HTTP requests: on PostgreSQL they overlap for real
 * (.ci/run runs this file there too); on PGlite, with one connection, they are serialized.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import type { LightMyRequestResponse } from 'fastify';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { ERROR_CATALOG } from '../src/errors.ts';
import { insertEligibleChunk } from '../src/queries/eligibility.ts';
import { findUserByEmail } from '../src/queries/users.ts';
import { mintOneTimeToken } from '../src/services/one-time-tokens.ts';
import { createTestApp, GENEROUS_LIMITS, type TestApp } from './helpers/app.ts';
import { createUser, login, ORIGIN, PASSWORD } from './helpers/auth.ts';

const API_KEY = 'k'.repeat(40);
const key = { 'x-api-key': API_KEY };
let t: TestApp;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'info', API_KEY } });
});
after(async () => t.close());

function call(method: string, url: string, payload?: unknown, headers: Record<string, string> = key): Promise<LightMyRequestResponse> {
  return t.app.inject({ method: method as 'GET', url: `/v1/auth${url}`, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

function assertCatalogued(res: LightMyRequestResponse): void {
  const body = res.json<{ detail: unknown; code: string }>();
  assert.ok(body.detail !== undefined && body.code in ERROR_CATALOG, `catalogued {detail, code}: ${res.body}`);
}

async function effectiveAdminCount(): Promise<number> {
  const rows = await sql<{ n: number }>`
    select count(*)::int as n from system_memberships m join roles r on r.id = m.role_id join users u on u.uuid = m.user_uuid
    where r.name = 'admin' and m.is_active and not m.is_suspended and u.is_active and not u.is_deleted`.execute(t.database.db);
  return rows.rows[0]?.n ?? 0;
}

/** Leaves exactly these users as the install's admins (the API key acts, so no third admin is needed). */
async function onlyAdmins(...emails: string[]): Promise<string[]> {
  await sql`delete from system_memberships where role_id = (select id from roles where name = 'admin')`.execute(t.database.db);
  const uuids: string[] = [];
  for (const email of emails) uuids.push((await createUser(t.database.db, email, { roles: ['admin'] })).uuid);
  return uuids;
}

describe('2. zero active admins by race', () => {
  const rounds: [string, (a: string, b: string) => [Promise<LightMyRequestResponse>, Promise<LightMyRequestResponse>]][] = [
    ['two deactivations', (a, b) => [call('PATCH', `/admin/users/${a}`, { is_active: false }), call('PATCH', `/admin/users/${b}`, { is_active: false })]],
    ['two deletions', (a, b) => [call('DELETE', `/admin/users/${a}`), call('DELETE', `/admin/users/${b}`)]],
    ['a deactivation and a deletion', (a, b) => [call('PATCH', `/admin/users/${a}`, { is_active: false }), call('DELETE', `/admin/users/${b}`)]],
    ['a deletion and a suspension', (a, b) => [call('DELETE', `/admin/users/${a}`), call('PATCH', `/admin/users/${b}/roles/admin`, { is_suspended: true })]],
    ['a deactivation and a revocation', (a, b) => [call('PATCH', `/admin/users/${a}`, { is_active: false }), call('DELETE', `/admin/users/${b}/roles/admin`)]],
  ];
  for (const [name, changes] of rounds) {
    it(`${name} of the last two admins: exactly one succeeds, one admin is left`, async () => {
      for (let round = 0; round < 4; round++) {
        const [a = '', b = ''] = await onlyAdmins(`race-a-${name.length}-${round}@example.org`, `race-b-${name.length}-${round}@example.org`);
        const results = await Promise.all(changes(a, b));
        const statuses = results.map((res) => res.statusCode).sort();
        assert.equal(statuses.filter((s) => s === 409).length, 1, `one refused: ${results.map((r) => r.body).join(' | ')}`);
        assert.ok(statuses.every((s) => s === 409 || s < 300));
        assert.equal(await effectiveAdminCount(), 1);
      }
    });
  }
});

describe('3. refresh-token reuse of any older generation', () => {
  async function refresh(token: string): Promise<LightMyRequestResponse> {
    return t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: token } });
  }

  it('after r0 -> r1 -> r2, replaying r0 (even inside the grace window) revokes the session: r2 stops working', async () => {
    const user = await createUser(t.database.db, 'generations@example.org');
    const r0 = (await login(t.app, user.email)).refreshToken;
    const r1 = (await refresh(r0)).json<{ refresh_token: string }>().refresh_token;
    const r2 = (await refresh(r1)).json<{ refresh_token: string }>().refresh_token;
    assert.equal((await refresh(r0)).statusCode, 401);
    assert.equal((await refresh(r2)).statusCode, 401, 'the whole session is revoked');
  });

  it('the immediately previous token inside the window still gets the current one (several tabs); after the window it revokes', async () => {
    const user = await createUser(t.database.db, 'grace@example.org');
    const r0 = (await login(t.app, user.email)).refreshToken;
    const r1 = (await refresh(r0)).json<{ refresh_token: string }>().refresh_token;
    const again = await refresh(r0);
    assert.equal(again.statusCode, 200);
    assert.equal(again.json<{ refresh_token: string }>().refresh_token, r1);
    await sql`update sessions set rotated_at = rotated_at - interval '1 minute' where user_uuid = ${user.uuid}`.execute(t.database.db);
    assert.equal((await refresh(r0)).statusCode, 401);
    assert.equal((await refresh(r1)).statusCode, 401, 'the reuse revoked the session');
  });
});

describe('4. mailed links do not outlive a credential change', () => {
  async function mailedResetToken(email: string): Promise<string> {
    assert.equal((await call('POST', '/password/forgot', { email }, {})).statusCode, 202);
    await t.app.gatehouse.backgroundIdle();
    // The outbox is newest first.
    const mail = t.app.gatehouse.mailer.outbox().find((m) => m.to === email);
    const token = /token=(gh_[\w-]+)/.exec(mail?.text ?? '')?.[1];
    assert.ok(token, 'a reset link was mailed');
    return token;
  }

  it('a password change retires an earlier reset link', async () => {
    const user = await createUser(t.database.db, 'change-then-reset@example.org');
    const resetToken = await mailedResetToken(user.email);
    const session = await login(t.app, user.email);
    const changed = await call('POST', '/password/change', { current_password: PASSWORD, new_password: 'the owner chose this one' }, session.bearer);
    assert.equal(changed.statusCode, 204);
    const reset = await call('POST', '/password/reset', { token: resetToken, password: 'an attacker chose this one' }, {});
    assert.equal(reset.statusCode, 401);
  });

  it('a reset retires the other links; deactivation and deletion retire every link', async () => {
    const user = await createUser(t.database.db, 'links-retired@example.org');
    const login1 = await mintOneTimeToken(t.database.db, user.email, 'login');
    const reset = await mailedResetToken(user.email);
    assert.equal((await call('POST', '/password/reset', { token: reset, password: 'a brand new passphrase' }, {})).statusCode, 204);
    assert.equal((await call('POST', '/authenticate', { token: login1 }, {})).statusCode, 401, 'the reset retired the sign-in link');

    const reset2 = await mailedResetToken(user.email);
    const login2 = await mintOneTimeToken(t.database.db, user.email, 'login');
    assert.equal((await call('PATCH', `/admin/users/${user.uuid}`, { is_active: false })).statusCode, 200);
    assert.equal((await call('PATCH', `/admin/users/${user.uuid}`, { is_active: true })).statusCode, 200);
    assert.equal(
      (await call('POST', '/password/reset', { token: reset2, password: 'yet another passphrase' }, {})).statusCode,
      401,
      'deactivation retired the reset link',
    );
    assert.equal((await call('POST', '/authenticate', { token: login2 }, {})).statusCode, 401, 'deactivation retired the sign-in link');

    const login3 = await mintOneTimeToken(t.database.db, user.email, 'login');
    assert.equal((await call('DELETE', `/admin/users/${user.uuid}`)).statusCode, 204);
    const left = await sql<{ n: number }>`select count(*)::int as n from one_time_tokens where email = ${user.email} and consumed_at is null`.execute(
      t.database.db,
    );
    assert.equal(left.rows[0]?.n, 0, `deletion retired ${login3.slice(0, 6)}… and every other link`);
  });
});

describe('5. an organizer is never left without an owner', () => {
  async function organizerOwnedBy(name: string, ...owners: string[]): Promise<string> {
    const created = await call('POST', '/admin/organizers', { name, owner_user_id: owners[0] });
    assert.equal(created.statusCode, 201);
    const uuid = created.json<{ uuid: string }>().uuid;
    for (const owner of owners.slice(1))
      assert.equal((await call('POST', `/organizers/${uuid}/members`, { user_uuid: owner, role: 'owner' }, await adminBearer())).statusCode, 201);
    return uuid;
  }
  let bearer: Record<string, string> | null = null;
  async function adminBearer(): Promise<Record<string, string>> {
    if (bearer === null) {
      const admin = await createUser(t.database.db, 'organizer-admin@example.org', { roles: ['admin'] });
      bearer = (await login(t.app, admin.email)).bearer;
    }
    return bearer;
  }

  it('deleting or deactivating the only owner is 409 naming the organizers; after a hand-over it succeeds', async () => {
    const owner = await createUser(t.database.db, 'sole-owner@example.org');
    await organizerOwnedBy('Harbour Rowing', owner.uuid);
    for (const res of [await call('DELETE', `/admin/users/${owner.uuid}`), await call('PATCH', `/admin/users/${owner.uuid}`, { is_active: false })]) {
      assert.equal(res.statusCode, 409, res.body);
      assert.equal(res.json().code, 'last_owner');
      assert.match(res.json().detail, /Harbour Rowing/);
    }
    const heir = await createUser(t.database.db, 'heir@example.org');
    const organizers = (await call('GET', '/admin/organizers?limit=100')).json<{ items: { uuid: string; name: string }[] }>().items;
    const harbour = organizers.find((o) => o.name === 'Harbour Rowing')?.uuid ?? '';
    assert.equal((await call('POST', `/organizers/${harbour}/members`, { user_uuid: heir.uuid, role: 'owner' }, await adminBearer())).statusCode, 201);
    assert.equal((await call('DELETE', `/admin/users/${owner.uuid}`)).statusCode, 204);
  });

  it("two concurrent deletions of an organizer's two owners: exactly one succeeds", async () => {
    for (let round = 0; round < 4; round++) {
      const a = await createUser(t.database.db, `owner-a-${round}@example.org`);
      const b = await createUser(t.database.db, `owner-b-${round}@example.org`);
      const organizer = await organizerOwnedBy(`Two Owners ${round}`, a.uuid, b.uuid);
      const results = await Promise.all([call('DELETE', `/admin/users/${a.uuid}`), call('DELETE', `/admin/users/${b.uuid}`)]);
      assert.deepEqual(results.map((r) => r.statusCode).sort(), [204, 409]);
      const owners = await sql<{ n: number }>`
        select count(*)::int as n from organizer_memberships om join users u on u.uuid = om.user_uuid
        where om.organizer_uuid = ${organizer} and om.role = 'owner' and om.is_active and not om.is_deleted and not u.is_deleted`.execute(t.database.db);
      assert.equal(owners.rows[0]?.n, 1);
    }
  });
});

describe('6. every route that checks a secret is limited', () => {
  let limited: TestApp;
  before(async () => {
    const low = { perIp: { limit: 3, window: 300 }, perAccount: { limit: 3, window: 300 } };
    limited = await createTestApp({ env: { LOG_LEVEL: 'silent' }, limits: { ...GENEROUS_LIMITS, authenticate: low, password_change: low } });
  });
  after(async () => limited.close());

  it('the form landing POST /magic-links/verify: 429 after the limit, like /authenticate', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await limited.app.inject({
        method: 'POST',
        url: '/auth/magic-links/verify',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN },
        payload: `token=gh_guess${i}`,
      });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });

  it('POST /password/change: a session guessing its current password gets 429 after the limit', async () => {
    const user = await createUser(limited.database.db, 'guesser@example.org');
    const session = await login(limited.app, user.email);
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await limited.app.inject({
        method: 'POST',
        url: '/auth/password/change',
        headers: session.bearer,
        payload: { current_password: `wrong guess number ${i}`, new_password: 'a new passphrase here' },
      });
      statuses.push(res.statusCode);
    }
    assert.deepEqual(statuses, [401, 401, 401, 429, 429]);
  });

  it('/verify-email and /password/reset count toward the same limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 3; i++)
      statuses.push(
        (await limited.app.inject({ method: 'POST', url: '/auth/verify-email', payload: { token: `gh_x${i}` }, remoteAddress: '10.9.9.9' })).statusCode,
      );
    statuses.push(
      (
        await limited.app.inject({
          method: 'POST',
          url: '/auth/password/reset',
          payload: { token: 'gh_y', password: 'long enough password' },
          remoteAddress: '10.9.9.9',
        })
      ).statusCode,
    );
    assert.deepEqual(statuses, [401, 401, 401, 429]);
  });
});

describe('7. bodies are not parsed before authentication, and are as small as the route needs', () => {
  it('an anonymous 2 MB nested body to /logout is 401, not parsed (over the old 1 MB default it was a 413)', async () => {
    const nested = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
    const res = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: { 'content-type': 'application/json' }, payload: nested });
    assert.equal(res.statusCode, 401);
  });

  it('a signed-in /logout with a body over its 1 KB limit is 413', async () => {
    const user = await createUser(t.database.db, 'big-logout@example.org');
    const session = await login(t.app, user.email);
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/logout',
      headers: { ...session.bearer, 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(4096) }),
    });
    assert.equal(res.statusCode, 413);
    assertCatalogued(res);
  });
});

describe('8. malformed input is a 4xx, never a 500', () => {
  const tampered = Buffer.from(JSON.stringify(['not-a-date', 'x'])).toString('base64url');
  for (const url of [
    `/admin/audit-log?cursor=${tampered}`,
    `/admin/organizers?cursor=${tampered}`,
    `/admin/users?cursor=${Buffer.from('[1]').toString('base64url')}`,
    '/admin/eligible-emails?cursor=%00',
  ]) {
    it(`a tampered cursor: GET ${url.split('?')[0] ?? ''} is 422`, async () => {
      const res = await call('GET', url);
      assert.equal(res.statusCode, 422, res.body);
      assertCatalogued(res);
    });
  }

  it('NUL in query strings, path parameters and body strings is a 422', async () => {
    const user = await createUser(t.database.db, 'nul-target@example.org');
    const answers = [
      await call('GET', '/admin/users?email=%00'),
      await call('GET', '/admin/eligible-emails?batch_id=a%00b'),
      await call('DELETE', '/admin/eligible-emails/a%00b@example.org'),
      await call('DELETE', '/admin/roles/ro%00le'),
      await call('PATCH', `/admin/users/${user.uuid}`, { name: 'Ann\u0000' }),
      await call('POST', '/admin/organizers', { name: 'Club\u0000' }),
      await call('POST', '/admin/eligible-emails', { email: 'x@example.org', batch_id: 'b\u0000' }),
      await call('POST', '/admin/roles', { name: 'role', description: 'd\u0000' }),
    ];
    for (const res of answers) {
      assert.equal(res.statusCode, 422, res.body);
      assertCatalogued(res);
    }
  });
});

describe('9. X-API-Key exempts from CSRF only when valid, and never a cookie request', () => {
  it('a cookie write with a foreign Origin and a junk key is refused; so is one with the valid key; the valid key alone passes', async () => {
    const admin = await createUser(t.database.db, 'csrf-admin@example.org', { roles: ['admin'] });
    const session = await login(t.app, admin.email);
    const cookie = Object.entries(session.cookies)
      .map(([name, value]) => `${name}=${value}`)
      .join('; ');
    const foreign = 'https://evil.example';
    for (const apiKey of ['junk', API_KEY]) {
      const res = await t.app.inject({
        method: 'POST',
        url: '/v1/auth/admin/roles',
        headers: { cookie, origin: foreign, 'x-api-key': apiKey },
        payload: { name: `csrf-${apiKey.length}` },
      });
      assert.equal(res.statusCode, 403, res.body);
      assert.equal(res.json().code, 'csrf_rejected');
    }
    const machine = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/roles',
      headers: { origin: foreign, 'x-api-key': API_KEY },
      payload: { name: 'machine-made' },
    });
    assert.equal(machine.statusCode, 201);
  });
});

describe('10. the router and the HTTP parser answer {detail, code} too', () => {
  async function rawAnswer(request: string): Promise<{ status: number; body: { detail: string; code: string } }> {
    if (!t.app.server.listening) await t.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = t.app.server.address() as AddressInfo;
    const text = await new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.write(request));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString('utf8')));
      socket.on('end', () => resolve(data));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(text)?.[1]);
    return { status, body: JSON.parse(text.slice(text.indexOf('\r\n\r\n') + 4)) as { detail: string; code: string } };
  }

  it('414 for a path parameter over maxParamLength, 431 for too large a header block, 400 for a bad escape', async () => {
    const long = await rawAnswer(`GET /v1/auth/organizers/${'x'.repeat(300)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    assert.deepEqual([long.status, long.body.code], [414, 'uri_too_long']);
    const headers = await rawAnswer(`GET /healthz HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20_000)}\r\n\r\n`);
    assert.deepEqual([headers.status, headers.body.code], [431, 'headers_too_large']);
    const escape = await rawAnswer('GET /v1/auth/%E0%A4%A HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
    assert.deepEqual([escape.status, escape.body.code], [400, 'bad_url']);
    for (const answer of [long, headers, escape]) assert.ok(typeof answer.body.detail === 'string' && answer.body.code in ERROR_CATALOG);
  });
});

describe('look-alike addresses and addresses in logs', () => {
  it('fullwidth letters fold (NFKC) onto the plain address; zero-width and other non-ASCII characters are a 422', async () => {
    await insertEligibleChunk(t.database.db, ['lookalike@example.org'], null);
    const fullwidth = await call('POST', '/verify-email-eligibility', { email: 'ｌｏｏｋａｌｉｋｅ@example.org' }, {});
    assert.deepEqual(fullwidth.json(), { eligible: true });
    for (const email of ['look\u200balike@example.org', 'lооkalike@example.org' /* Cyrillic o */, 'look\u00adalike@example.org']) {
      const res = await call('POST', '/admin/eligible-emails', { email });
      assert.equal(res.statusCode, 422, `${JSON.stringify(email)}: ${res.body}`);
      const register = await call('POST', '/register', { email, password: PASSWORD }, {});
      assert.equal(register.statusCode, 422);
    }
  });

  it('request logs carry no email address from a query string or a path', async () => {
    await insertEligibleChunk(t.database.db, ['logged-path@example.org'], null);
    await call('GET', '/admin/users?email=logged-query@example.org');
    await call('GET', '/admin/eligible-emails?q=logged-q%40example.org');
    await call('DELETE', '/admin/eligible-emails/logged-path@example.org');
    const text = t.logs.join('');
    assert.ok(text.includes('/admin/eligible-emails/[redacted]'), 'the path was logged, redacted');
    for (const address of ['logged-query@example.org', 'logged-q%40example.org', 'logged-q@example.org', 'logged-path@example.org'])
      assert.ok(!text.includes(address), `${address} is not in the logs`);
  });
});

describe('1. verify-email confirms a self-registered account only for its signed-in registrant', () => {
  it("a stranger's registration is not confirmed by the victim's click, and the click does not use up the link", async () => {
    await insertEligibleChunk(t.database.db, ['victim@example.org'], null);
    const reg = await call('POST', '/register', { email: 'victim@example.org', password: 'the attacker chose this' }, {});
    assert.equal(reg.statusCode, 201);
    await t.app.gatehouse.backgroundIdle();
    const token = /token=(gh_[\w-]+)/.exec(t.app.gatehouse.mailer.outbox().find((m) => m.to === 'victim@example.org')?.text ?? '')?.[1] ?? '';
    const click = await call('POST', '/verify-email', { token }, {});
    assert.equal(click.statusCode, 401);
    assert.equal(click.json().code, 'sign_in_required');
    assert.equal((await findUserByEmail(t.database.db, 'victim@example.org'))?.is_email_verified, false);
  });
});
