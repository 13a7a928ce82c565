/**
 * `gatehouse keys rotate|retire`: a rotation publishes old and new keys, new tokens use the new
 * key, tokens of the old key keep working until it is retired, and nobody is logged out:
 * a session whose access token died with a retired key refreshes into the new key.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeProtectedHeader, type JWK } from 'jose';
import { after, before, describe, it } from 'node:test';
import { listSigningKeys, retireSigningKey, rotateSigningKey } from '../src/services/key-rotation.ts';
import { newKid } from '../src/services/signing-keys.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';
import { runCli } from './helpers/processes.ts';

const RELOAD_SECONDS = 1;
/** A rotated key is published this long (plus a reload) before it signs. */
const MAX_AGE_SECONDS = 3;
const env = {
  JWT_ALGORITHM: 'EdDSA',
  JWT_SECRET: 'k'.repeat(40),
  SIGNING_KEY_RELOAD_SECONDS: String(RELOAD_SECONDS),
  JWKS_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS),
};
let a: TestApp;
let b: TestApp;

before(async () => {
  a = await createTestApp({ env });
  // A second instance on the same database: rotation must reach it too.
  b = await createTestApp({ env, database: a.database });
  await createUser(a.database.db, 'rotating@example.org');
});
after(async () => {
  await b.close();
  await a.close();
});

async function jwksKids(app: TestApp): Promise<string[]> {
  const res = await app.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
  return res
    .json<{ keys: JWK[] }>()
    .keys.map((key) => key.kid ?? '')
    .sort();
}

function kidOf(token: string): string {
  return decodeProtectedHeader(token).kid ?? '';
}

async function meStatus(app: TestApp, token: string): Promise<number> {
  return (await app.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode;
}

const waitForReload = (): Promise<void> => sleep(RELOAD_SECONDS * 1000 + 200);

describe('rotate then retire', () => {
  it('publishes both keys, signs new tokens with the new one, honours old tokens until retirement, and logs nobody out', async () => {
    const before = await login(a.app, 'rotating@example.org');
    const oldKid = kidOf(before.accessToken);

    const rotatedAt = performance.now();
    const newKid = await rotateSigningKey(a.database.db, a.config);
    await waitForReload();
    for (const instance of [a, b]) assert.deepEqual(await jwksKids(instance), [newKid, oldKid].sort(), 'JWKS publishes old and new');
    const published = await login(b.app, 'rotating@example.org');
    assert.equal(kidOf(published.accessToken), oldKid, 'published first: the new key does not sign while a verifier may still hold a JWKS without it');
    await sleep(rotatedAt + (MAX_AGE_SECONDS + RELOAD_SECONDS) * 1000 + 300 - performance.now());
    const afterRotation = await login(b.app, 'rotating@example.org');
    assert.equal(kidOf(afterRotation.accessToken), newKid, 'new tokens use the new key');
    for (const instance of [a, b]) assert.equal(await meStatus(instance, before.accessToken), 200, 'old-key tokens keep working');

    await assert.rejects(retireSigningKey(a.database.db, a.config, oldKid, { force: false }), /may still be valid until/);
    await retireSigningKey(a.database.db, a.config, oldKid, { force: false, now: new Date(Date.now() + (a.config.accessTokenTtl + 120) * 1000) });
    await waitForReload();
    for (const instance of [a, b]) assert.deepEqual(await jwksKids(instance), [newKid]);
    assert.equal(await meStatus(a, before.accessToken), 401, 'a retired key verifies nothing');
    assert.equal(await meStatus(b, afterRotation.accessToken), 200);

    // Nobody is logged out: the old session's refresh token gets a new-key access token.
    const refreshed = await a.app.inject({ method: 'POST', url: '/auth/refresh', payload: { refresh_token: before.refreshToken } });
    assert.equal(refreshed.statusCode, 200);
    const token = refreshed.json<{ access_token: string }>().access_token;
    assert.equal(kidOf(token), newKid);
    assert.equal(await meStatus(b, token), 200);
  });

  it('refuses to retire the key that signs now, an unknown kid, and any key under HS256', async () => {
    const keys = (await listSigningKeys(a.database.db)).filter((key) => key.retired_at === null);
    const current = keys[0]?.kid ?? '';
    await assert.rejects(retireSigningKey(a.database.db, a.config, current, { force: true }), /signs now/);
    await assert.rejects(retireSigningKey(a.database.db, a.config, 'no-such-kid', { force: true }), /No live EdDSA key/);
    await assert.rejects(rotateSigningKey(a.database.db, { ...a.config, jwtAlgorithm: 'HS256' }), /JWT_ALGORITHM is HS256/);
  });
});

describe('the gatehouse keys command', () => {
  it('rotate, list and retire --force through the real CLI (PostgreSQL, so that it shares the database)', async (context) => {
    if (a.database.url === null) {
      context.skip('the CLI is a separate process: it can share a PostgreSQL database, not an in-memory PGlite');
      return;
    }
    // A long lead: each CLI process takes seconds to start, and the new key must still be waiting to sign when it is listed.
    const cliEnv = { ...env, JWKS_MAX_AGE_SECONDS: '600', DATABASE_URL: a.database.url, LOG_LEVEL: 'silent' };
    const rotated = await runCli(['keys', 'rotate'], cliEnv);
    assert.equal(rotated.code, 0, rotated.stderr);
    const kid = /Added signing key ([0-9a-f]+):/.exec(rotated.stdout)?.[1] ?? '';
    assert.notEqual(kid, '');
    const listed = await runCli(['keys', 'list'], cliEnv);
    const lines = listed.stdout.split('\n');
    assert.match(lines[0] ?? '', new RegExp(`^${kid}\t.*\tpublished, signs from `), 'the new key is listed first, published and waiting to sign');
    const older = lines.find((line) => line.endsWith('\tlive'))?.split('\t')[0] ?? '';
    const refused = await runCli(['keys', 'retire', older], cliEnv);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /may still be valid until .*--force/);
    const retired = await runCli(['keys', 'retire', older, '--force'], cliEnv);
    assert.equal(retired.code, 0, retired.stderr);
    assert.match(retired.stdout, new RegExp(`Retired signing key ${older}`));
  });
});

describe('key ids', () => {
  it("are plain hex, so never read as an option on the command line (a base64url id starts with '-' one time in 64)", () => {
    const kids = new Set<string>();
    for (let i = 0; i < 2000; i++) kids.add(newKid());
    assert.equal(kids.size, 2000);
    for (const kid of kids) assert.match(kid, /^[0-9a-f]{24}$/);
  });
});
