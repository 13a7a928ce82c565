/**
 * What @gatehouse/verify promises about freshness, against a real listening Gatehouse:
 * - POST /v1/auth/introspect answers RFC 7662 for the API key only, with roles and organizer
 *   memberships as they are now;
 * - offline mode trusts a token until it expires (stated, and shown), introspect mode notices a
 *   revoked role, a suspension or a logout within maxAgeSeconds (the cache expires, then it asks);
 * - a truncated organizers claim is never read as "not a member": the guard asks Gatehouse, or
 *   refuses when it cannot;
 * - an expired token is refused; a key rotation in the middle of load causes no 401.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createVerifier, GatehouseAuthError, hasOrganizerRole, type Principal } from '@gatehouse/verify';
import { decodeProtectedHeader } from 'jose';
import { insertOrganizer, upsertOrganizerMembership } from '../src/queries/organizers.ts';
import { createJwtCodec } from '../src/security/jwt.ts';
import { adminSetMembershipFlags } from '../src/services/admin-users.ts';
import { rotateSigningKey } from '../src/services/key-rotation.ts';
import { grantRole, revokeRole } from '../src/services/memberships.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const SECRET = 'f'.repeat(40);
const API_KEY = 'k'.repeat(32);
const BY = { actor: 'system' };

async function refusal(work: Promise<unknown>): Promise<{ status: number; code: string }> {
  try {
    await work;
  } catch (error) {
    if (error instanceof GatehouseAuthError) return { status: error.status, code: error.code };
    throw error;
  }
  return { status: 200, code: 'none' };
}

describe('HS256: introspection and freshness', () => {
  let t: TestApp;
  // The tests' PUBLIC_URL (the tokens' issuer) is not where this Gatehouse listens: introspectionUrl says where.
  let base = '';
  before(async () => {
    t = await createTestApp({ env: { JWT_SECRET: SECRET, API_KEY, LOG_LEVEL: 'silent' } });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => t.close());

  const introspect = (body: string, headers: Record<string, string>): Promise<Response> =>
    fetch(`${base}/v1/auth/introspect`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });

  it('POST /v1/auth/introspect: the API key only; RFC 7662 for a live token, {active:false} for any other', async () => {
    const user = await createUser(t.database.db, 'introspected@example.org', { roles: ['member', 'admin'] });
    const organizer = await insertOrganizer(t.database.db, 'Chess Club');
    await upsertOrganizerMembership(t.database.db, organizer.uuid, user.uuid, 'owner');
    const session = await login(t.app, user.email);
    const form = `token=${session.accessToken}&token_type_hint=access_token`;

    const live = await introspect(form, { 'x-api-key': API_KEY });
    assert.equal(live.status, 200);
    assert.equal(live.headers.get('cache-control'), 'no-store');
    const body = (await live.json()) as Record<string, unknown>;
    assert.equal(body.active, true);
    assert.equal(body.sub, user.uuid);
    assert.deepEqual(body.roles, ['admin', 'member']);
    assert.deepEqual(body.organizers, { [organizer.uuid]: 'owner' });
    assert.equal(body.token_type, 'access_token');

    const json = await fetch(`${base}/v1/auth/introspect`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': API_KEY },
      body: JSON.stringify({ token: session.accessToken }),
    });
    assert.equal(((await json.json()) as { active: boolean }).active, true, 'a JSON body works too');

    assert.equal((await introspect(form, {})).status, 401, 'no API key');
    assert.equal((await introspect(form, { 'x-api-key': 'wrong'.repeat(8) })).status, 401, 'a wrong API key');
    assert.equal((await introspect(form, { authorization: `Bearer ${session.accessToken}` })).status, 401, 'an admin user is not a service');
    const garbage = await introspect('token=not-a-token', { 'x-api-key': API_KEY });
    assert.deepEqual(await garbage.json(), { active: false });
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: session.bearer });
    assert.deepEqual(await (await introspect(form, { 'x-api-key': API_KEY })).json(), { active: false }, 'a logged-out session');
    assert.equal((await introspect('', { 'x-api-key': API_KEY })).status, 422, 'no token at all');
  });

  it('offline mode trusts the token until it expires: a revoked role still passes until the next refresh', async () => {
    const user = await createUser(t.database.db, 'offline@example.org', { roles: ['member', 'sustainer'] });
    const session = await login(t.app, user.email);
    const verifier = createVerifier({ issuer: t.config.publicUrl, secret: SECRET });
    await revokeRole(t.database.db, user.uuid, 'sustainer', BY);
    const principal = await verifier.verify(session.accessToken);
    assert.ok(principal.roles.includes('sustainer'), 'the token still says sustainer: this is the offline trade-off');
    const refreshed = await t.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: session.refreshToken } });
    const fresh = (refreshed.json() as { access_token: string }).access_token;
    assert.ok(!(await verifier.verify(fresh)).roles.includes('sustainer'), 'the refreshed token does not');
  });

  it('introspect mode notices a revoked role, a suspension and a logout once its cache (maxAgeSeconds) expires', async () => {
    const user = await createUser(t.database.db, 'fresh@example.org', { roles: ['member', 'sustainer', 'active'] });
    const session = await login(t.app, user.email);
    const verifier = createVerifier({
      issuer: t.config.publicUrl,
      secret: SECRET,
      freshness: { mode: 'introspect', maxAgeSeconds: 3, apiKey: API_KEY, introspectionUrl: `${base}/v1/auth/introspect` },
    });
    const first = await verifier.verify(session.accessToken);
    assert.equal(first.source, 'introspection');
    assert.deepEqual([...first.roles].sort(), ['active', 'member', 'sustainer']);

    await revokeRole(t.database.db, user.uuid, 'sustainer', BY);
    await adminSetMembershipFlags(t.database.db, user.uuid, 'active', { is_suspended: true }, BY);
    assert.ok((await verifier.verify(session.accessToken)).roles.includes('sustainer'), 'within maxAgeSeconds the cached answer stands');
    await sleep(3_100);
    const after = await verifier.verify(session.accessToken);
    assert.deepEqual(after.roles, ['member'], 'after it, the revoked and the suspended role are gone');
    assert.deepEqual(await refusal(verifier.ensureSystemRole(after, session.accessToken, ['sustainer'])), { status: 403, code: 'missing_role' });

    await grantRole(t.database.db, user.uuid, 'sustainer', BY);
    await t.app.inject({ method: 'POST', url: '/auth/logout', headers: session.bearer });
    await sleep(3_100);
    assert.deepEqual(await refusal(verifier.verify(session.accessToken)), { status: 401, code: 'invalid_token' }, 'a logged-out session is refused');
  });

  it('introspect mode fails closed: Gatehouse unreachable is 503, never a pass', async () => {
    const user = await createUser(t.database.db, 'unreachable@example.org', { roles: ['member'] });
    const session = await login(t.app, user.email);
    const verifier = createVerifier({
      issuer: t.config.publicUrl,
      secret: SECRET,
      freshness: { mode: 'introspect', maxAgeSeconds: 30, apiKey: API_KEY, introspectionUrl: 'http://127.0.0.1:1/v1/auth/introspect' },
    });
    assert.deepEqual(await refusal(verifier.verify(session.accessToken)), { status: 503, code: 'service_unavailable' });
  });

  it('an expired token is refused with 401 invalid_token', async () => {
    const user = await createUser(t.database.db, 'expired@example.org', { roles: ['member'] });
    const codec = createJwtCodec({ secret: SECRET, issuer: t.config.publicUrl, ttl: 60 });
    const old = await codec.sign({ userId: user.uuid, email: user.email, roles: ['member'], sid: crypto.randomUUID() }, new Date(Date.now() - 120_000));
    const verifier = createVerifier({ issuer: t.config.publicUrl, secret: SECRET });
    assert.deepEqual(await refusal(verifier.verify(old)), { status: 401, code: 'invalid_token' });
  });

  it('a truncated organizers claim: a missing organizer is asked of Gatehouse, or refused without credentials — never guessed', async () => {
    const user = await createUser(t.database.db, 'many-organizers@example.org', { roles: ['member'] });
    const organizers: string[] = [];
    for (let i = 0; i < 12; i++) {
      const organizer = await insertOrganizer(t.database.db, `Club ${i}`);
      await upsertOrganizerMembership(t.database.db, organizer.uuid, user.uuid, 'admin');
      organizers.push(organizer.uuid);
    }
    const session = await login(t.app, user.email);
    const offline = createVerifier({ issuer: t.config.publicUrl, secret: SECRET });
    const principal: Principal = await offline.verify(session.accessToken);
    assert.equal(principal.organizersTruncated, true);
    const missing = organizers.find((uuid) => !(uuid in principal.organizers));
    assert.ok(missing !== undefined, 'some membership did not fit in the token');
    assert.equal(hasOrganizerRole(principal, missing, 'admin'), false, 'the pure helper refuses what the token does not show');
    assert.deepEqual(await refusal(offline.ensureOrganizerRole(principal, session.accessToken, missing, ['admin'])), { status: 403, code: 'missing_role' });

    const asking = createVerifier({
      issuer: t.config.publicUrl,
      secret: SECRET,
      freshness: { mode: 'offline', apiKey: API_KEY, introspectionUrl: `${base}/v1/auth/introspect` },
    });
    const completed = await asking.ensureOrganizerRole(await asking.verify(session.accessToken), session.accessToken, missing, ['admin']);
    assert.equal(completed.source, 'introspection');
    assert.equal(Object.keys(completed.organizers).length, 12, 'introspection lists every membership');
    const never = await insertOrganizer(t.database.db, 'Not Joined');
    assert.deepEqual(await refusal(asking.ensureOrganizerRole(principal, session.accessToken, never.uuid, [])), { status: 403, code: 'missing_role' });
  });
});

describe('ES256: a key rotation in the middle of load', () => {
  const MAX_AGE_SECONDS = 2;
  let t: TestApp;
  let base = '';
  before(async () => {
    t = await createTestApp({
      env: { JWT_ALGORITHM: 'ES256', JWT_SECRET: SECRET, SIGNING_KEY_RELOAD_SECONDS: '1', JWKS_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS), LOG_LEVEL: 'silent' },
    });
    await t.app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
  });
  after(async () => t.close());

  it('every token verifies while sign-ins and verifications run across `keys rotate`, and the kid changes', async () => {
    await createUser(t.database.db, 'rotating@example.org', { roles: ['member'] });
    // The verifier's key cache as long as Gatehouse's published max-age (scaled down from 300 s).
    const verifier = createVerifier({ issuer: t.config.publicUrl, jwksUrl: `${base}/.well-known/jwks.json`, jwksCacheMaxAgeSeconds: MAX_AGE_SECONDS });
    const firstKid = decodeProtectedHeader((await login(t.app, 'rotating@example.org')).accessToken).kid;
    let rotated = false;
    const started = performance.now();
    const kids = new Set<string>();
    let failures = 0;
    let verified = 0;
    // Four clients at once, each signing in and verifying its token, for the lead time and more.
    await Promise.all(
      Array.from({ length: 4 }, async () => {
        while (performance.now() - started < (MAX_AGE_SECONDS + 3) * 1000) {
          if (!rotated && performance.now() - started > 500) {
            rotated = true;
            await rotateSigningKey(t.database.db, t.config);
          }
          const token = (await login(t.app, 'rotating@example.org')).accessToken;
          kids.add(decodeProtectedHeader(token).kid ?? '');
          for (let i = 0; i < 5; i++)
            await verifier.verify(token).then(
              () => (verified += 1),
              () => (failures += 1),
            );
          await sleep(20);
        }
      }),
    );
    assert.equal(failures, 0, `no verification failed (of ${verified + failures})`);
    assert.ok(kids.size >= 2 && kids.has(firstKid ?? ''), `the new key signed during the load (kids: ${[...kids].join(', ')})`);
  });
});
