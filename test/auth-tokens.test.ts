/** Access tokens and sessions: forged JWTs fail, refresh rotates, revocation is immediate. */
import assert from 'node:assert/strict';
import { generateKeyPair, SignJWT, exportJWK } from 'jose';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, ORIGIN, type TestUser } from './helpers/auth.ts';
import { insertOrganizer, upsertOrganizerMembership } from '../src/queries/organizers.ts';

let t: TestApp;
let ada: TestUser;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent' } });
  ada = await createUser(t.database.db, 'ada@example.org', { roles: ['member'] });
});
after(async () => t.close());

async function me(headers: Record<string, string>, cookies?: Record<string, string>): Promise<number> {
  return (await t.app.inject({ method: 'GET', url: '/auth/me', headers, ...(cookies ? { cookies } : {}) })).statusCode;
}

function secretKey(): Uint8Array {
  return new TextEncoder().encode(t.config.jwtSecret);
}

function b64(value: object): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Valid claims for ada's live session, to forge variations of. */
async function liveClaims(): Promise<Record<string, unknown>> {
  const { accessToken } = await login(t.app, ada.email);
  return JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
}

describe('forged access tokens are refused with 401', () => {
  it('a genuine token works (the baseline for the cases below)', async () => {
    const { bearer } = await login(t.app, ada.email);
    assert.equal(await me(bearer), 200);
  });

  it('alg "none"', async () => {
    const claims = await liveClaims();
    const token = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    assert.equal(await me({ authorization: `Bearer ${token}` }), 401);
  });

  it('another algorithm: HS512 with the same secret, and EdDSA (HS/asymmetric confusion)', async () => {
    const claims = await liveClaims();
    const hs512 = await new SignJWT(claims).setProtectedHeader({ alg: 'HS512' }).sign(secretKey());
    assert.equal(await me({ authorization: `Bearer ${hs512}` }), 401);
    const { privateKey } = await generateKeyPair('EdDSA');
    const eddsa = await new SignJWT(claims).setProtectedHeader({ alg: 'EdDSA' }).sign(privateKey);
    assert.equal(await me({ authorization: `Bearer ${eddsa}` }), 401);
  });

  it('headers that name a key source (jku, jwk, x5u), even with a valid signature', async () => {
    const claims = await liveClaims();
    const { publicKey } = await generateKeyPair('EdDSA');
    const headers = [{ jku: 'https://evil.example/jwks.json' }, { jwk: await exportJWK(publicKey) }, { x5u: 'https://evil.example/cert.pem' }];
    for (const extra of headers) {
      const token = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', ...extra }).sign(secretKey());
      assert.equal(await me({ authorization: `Bearer ${token}` }), 401, JSON.stringify(Object.keys(extra)));
    }
  });

  it('expired, not yet valid, issued in the future, or from another issuer', async () => {
    const claims = await liveClaims();
    const now = Math.floor(Date.now() / 1000);
    const variants: Record<string, unknown>[] = [
      { ...claims, iat: now - 3600, exp: now - 60 },
      { ...claims, nbf: now + 3600 },
      { ...claims, iat: now + 3600, exp: now + 7200 },
      { ...claims, iss: 'https://evil.example' },
    ];
    for (const variant of variants) {
      const token = await new SignJWT(variant).setProtectedHeader({ alg: 'HS256' }).sign(secretKey());
      assert.equal(await me({ authorization: `Bearer ${token}` }), 401, JSON.stringify(variant));
    }
  });

  it('a wrong signature, or claims edited after signing', async () => {
    const claims = await liveClaims();
    const wrongKey = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another secret of at least 32 bytes!!'));
    assert.equal(await me({ authorization: `Bearer ${wrongKey}` }), 401);
    const genuine = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(secretKey());
    const [header, , signature] = genuine.split('.');
    const edited = `${header}.${b64({ ...claims, roles: ['admin'], sub: '00000000-0000-4000-8000-000000000000' })}.${signature}`;
    assert.equal(await me({ authorization: `Bearer ${edited}` }), 401);
  });

  it('a validly signed token whose session does not exist, or whose sub is another user', async () => {
    const claims = await liveClaims();
    const bob = await createUser(t.database.db, 'bob-forge@example.org');
    const otherSession = await new SignJWT({ ...claims, sid: '00000000-0000-4000-8000-000000000000' }).setProtectedHeader({ alg: 'HS256' }).sign(secretKey());
    assert.equal(await me({ authorization: `Bearer ${otherSession}` }), 401);
    const otherUser = await new SignJWT({ ...claims, sub: bob.uuid, user_id: bob.uuid }).setProtectedHeader({ alg: 'HS256' }).sign(secretKey());
    assert.equal(await me({ authorization: `Bearer ${otherUser}` }), 401, "ada's session cannot be used as bob");
  });

  it('garbage in the header or cookie', async () => {
    assert.equal(await me({ authorization: 'Bearer not.a.jwt' }), 401);
    assert.equal(await me({ authorization: 'Basic Zm9vOmJhcg==' }), 401);
    assert.equal(await me({}, { access_token: 'garbage' }), 401);
  });
});

describe('the access token', () => {
  it('carries sub, user_id, email, roles, sid, iat, exp, iss; HS256; 15 minutes', async () => {
    const claims = await liveClaims();
    assert.equal(claims.sub, ada.uuid);
    assert.equal(claims.user_id, ada.uuid);
    assert.equal(claims.email, ada.email);
    assert.deepEqual(claims.roles, ['member']);
    assert.equal(typeof claims.sid, 'string');
    assert.equal(claims.iss, t.config.publicUrl);
    assert.equal(Number(claims.exp) - Number(claims.iat), 900);
  });

  it('is accepted from the cookie and from the Authorization header', async () => {
    const session = await login(t.app, ada.email);
    assert.equal(await me({}, { access_token: session.accessToken }), 200);
    assert.equal(await me(session.bearer), 200);
  });

  it('stays under 1.5 KB in its cookie however many roles and organizer memberships the user has', async () => {
    const many = await createUser(t.database.db, 'many@example.org', { roles: Array.from({ length: 60 }, (_, i) => `role-with-a-long-name-${i}`) });
    for (let i = 0; i < 30; i++)
      await upsertOrganizerMembership(t.database.db, (await insertOrganizer(t.database.db, `Organizer ${i}`)).uuid, many.uuid, 'owner');
    const res = await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: many.email, password: 'correct horse battery staple' } });
    const cookie = (res.headers['set-cookie'] as string[]).find((c) => c.startsWith('access_token='));
    assert.ok(cookie);
    assert.ok(Buffer.byteLength(cookie) < 1536, `cookie is ${Buffer.byteLength(cookie)} bytes`);
    const payload = JSON.parse(Buffer.from(cookie.split('=')[1]?.split('.')[1] ?? '', 'base64url').toString()) as {
      roles_truncated?: boolean;
      organizers?: Record<string, string>;
      organizers_truncated?: boolean;
    };
    assert.equal(payload.roles_truncated, true);
    assert.equal(payload.organizers_truncated, true);
    assert.ok(Object.keys(payload.organizers ?? {}).length >= 5, 'the organizers claim keeps what fits');
  });

  it('a fresh sign-in always makes a new session (no fixation)', async () => {
    const first = await login(t.app, ada.email);
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      cookies: first.cookies,
      headers: { origin: ORIGIN },
      payload: { email: ada.email, password: 'correct horse battery staple' },
    });
    const second = Object.fromEntries(res.cookies.map((c) => [c.name, c.value]));
    const sid = (token: string | undefined): unknown => JSON.parse(Buffer.from((token ?? '').split('.')[1] ?? '', 'base64url').toString()).sid;
    assert.notEqual(sid(second.access_token), sid(first.accessToken));
    assert.notEqual(second.refresh_token, first.refreshToken);
  });
});

describe('refresh tokens rotate', () => {
  async function refresh(token: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: token } });
    return { status: res.statusCode, body: res.json() };
  }

  it('exchanges the refresh cookie for a new pair, like /authenticate, with no-store', async () => {
    const session = await login(t.app, ada.email);
    const res = await t.app.inject({ method: 'POST', url: '/auth/refresh', cookies: { refresh_token: session.refreshToken }, headers: { origin: ORIGIN } });
    assert.equal(res.statusCode, 200);
    const body = res.json<{ access_token: string; token_type: string; user_roles: string[]; refresh_token: string }>();
    assert.equal(body.token_type, 'bearer');
    assert.deepEqual(body.user_roles, ['member']);
    assert.notEqual(body.refresh_token, session.refreshToken);
    assert.equal(res.headers['cache-control'], 'no-store');
    assert.equal(await me({ authorization: `Bearer ${body.access_token}` }), 200);
  });

  it('concurrent refreshes with one token (several tabs) all succeed within the grace window', async () => {
    const session = await login(t.app, ada.email);
    const results = await Promise.all(Array.from({ length: 5 }, () => refresh(session.refreshToken)));
    assert.deepEqual(
      results.map((r) => r.status),
      [200, 200, 200, 200, 200],
    );
    const next = new Set(results.map((r) => r.body.refresh_token));
    assert.equal(next.size, 1, 'every tab gets the same current refresh token');
    const [current] = [...next];
    assert.equal((await refresh(String(current))).status, 200, 'and it keeps working');
  });

  it('reuse of a rotated token after the grace window revokes the whole session', async () => {
    const session = await login(t.app, ada.email);
    const rotated = await refresh(session.refreshToken);
    assert.equal(rotated.status, 200);
    await sql`update sessions set rotated_at = now() - interval '11 seconds' where previous_refresh_token_hash is not null`.execute(t.database.db);
    const reuse = await refresh(session.refreshToken);
    assert.equal(reuse.status, 401);
    assert.equal((await refresh(String(rotated.body.refresh_token))).status, 401, 'the thief and the owner are both out');
    assert.equal(await me({ authorization: `Bearer ${String(rotated.body.access_token)}` }), 401, 'access tokens of the session stop working');
  });

  it('refuses a forged, unknown, or missing refresh token', async () => {
    const session = await login(t.app, ada.email);
    const [sid, generation] = session.refreshToken.split('.');
    assert.equal((await refresh(`${sid}.${Number(generation) + 5}.forgedmac`)).status, 401);
    assert.equal((await refresh('00000000-0000-4000-8000-000000000000.0.x')).status, 401);
    const none = await t.app.inject({ method: 'POST', url: '/auth/refresh' });
    assert.equal(none.statusCode, 401);
  });
});

describe('revocation takes effect on the next request', () => {
  it('logout revokes the session and clears the cookies', async () => {
    const session = await login(t.app, ada.email);
    const res = await t.app.inject({ method: 'POST', url: '/auth/logout', headers: session.bearer });
    assert.equal(res.statusCode, 204);
    assert.equal(await me(session.bearer), 401);
    const other = await login(t.app, ada.email);
    const viaCookie = await t.app.inject({ method: 'POST', url: '/auth/logout', cookies: other.cookies, headers: { origin: ORIGIN } });
    assert.equal(viaCookie.statusCode, 204);
    const cleared = viaCookie.cookies.filter((c) => c.value === '' && (c.name === 'access_token' || c.name === 'refresh_token'));
    assert.equal(cleared.length, 2);
    assert.equal((await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: other.refreshToken } })).statusCode, 401);
  });

  it('deactivation and deletion stop a live session at once', async () => {
    const carol = await createUser(t.database.db, 'carol@example.org');
    const session = await login(t.app, carol.email);
    await t.database.db.updateTable('users').set({ is_active: false }).where('uuid', '=', carol.uuid).execute();
    assert.equal(await me(session.bearer), 403);
    await t.database.db.updateTable('users').set({ is_active: true, is_deleted: true }).where('uuid', '=', carol.uuid).execute();
    assert.equal(await me(session.bearer), 403);
  });

  it('/sessions lists own sessions; DELETE /sessions/{id} and DELETE /sessions revoke', async () => {
    const dan = await createUser(t.database.db, 'dan@example.org');
    const a = await login(t.app, dan.email);
    const b = await login(t.app, dan.email);
    const c = await login(t.app, dan.email);
    const list = await t.app.inject({ method: 'GET', url: '/auth/sessions', headers: a.bearer });
    const items = list.json<{ id: string; current: boolean }[]>();
    assert.equal(items.length, 3);
    assert.equal(items.filter((s) => s.current).length, 1);
    const bSid = JSON.parse(Buffer.from(b.accessToken.split('.')[1] ?? '', 'base64url').toString()).sid as string;
    assert.equal((await t.app.inject({ method: 'DELETE', url: `/auth/sessions/${bSid}`, headers: a.bearer })).statusCode, 204);
    assert.equal(await me(b.bearer), 401);
    const adaSession = await login(t.app, ada.email);
    const adaSid = JSON.parse(Buffer.from(adaSession.accessToken.split('.')[1] ?? '', 'base64url').toString()).sid as string;
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: `/auth/sessions/${adaSid}`, headers: a.bearer })).statusCode,
      404,
      "another user's session is not found",
    );
    assert.equal(await me(adaSession.bearer), 200);
    assert.equal((await t.app.inject({ method: 'DELETE', url: '/auth/sessions', headers: a.bearer })).statusCode, 204);
    assert.equal(await me(c.bearer), 401);
    assert.equal(await me(a.bearer), 200, 'the current session survives');
  });
});
