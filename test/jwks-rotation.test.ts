/**
 * Key rotation as an offline verifier sees it: jose's remote JWKS (the cache most Node services
 * use) in front of a listening Gatehouse. A rotated key is published JWKS_MAX_AGE_SECONDS plus a
 * key reload before it signs, so a verifier whose cache is still fresh never meets an unknown
 * kid; the JWKS carries the max-age it promises and an ETag. (Scaled down: a 2 s cache here, for
 * the default 300 s.)
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { createRemoteJWKSet, decodeProtectedHeader, jwtVerify } from 'jose';
import { rotateSigningKey } from '../src/services/key-rotation.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const MAX_AGE_SECONDS = 2;
const env = {
  JWT_ALGORITHM: 'ES256',
  JWT_SECRET: 'r'.repeat(40),
  SIGNING_KEY_RELOAD_SECONDS: '1',
  JWKS_MAX_AGE_SECONDS: String(MAX_AGE_SECONDS),
  LOG_LEVEL: 'silent',
};
let t: TestApp;
let base = '';

before(async () => {
  t = await createTestApp({ env });
  await createUser(t.database.db, 'verifier@example.org');
  await t.app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(t.app.server.address() as AddressInfo).port}`;
});
after(async () => t.close());

describe('rotation through a jose remote JWKS with a cache as long as the max-age', () => {
  it('no token fails verification across a rotation, and the kid changes only after the lead', async (context) => {
    // jose's defaults but for the cache age, which follows the JWKS's Cache-Control (2 s here);
    // its 30 s cooldown means an unknown kid inside a fresh cache is a failure, not a refetch.
    const jwks = createRemoteJWKSet(new URL(`${base}/.well-known/jwks.json`), { cacheMaxAge: MAX_AGE_SECONDS * 1000, cooldownDuration: 30_000 });
    const verify = async (token: string): Promise<void> => {
      await jwtVerify(token, jwks, { issuer: t.config.publicUrl, algorithms: ['ES256'] });
    };
    const first = await login(t.app, 'verifier@example.org');
    await verify(first.accessToken);
    const oldKid = decodeProtectedHeader(first.accessToken).kid;

    const rotatedAt = performance.now();
    await rotateSigningKey(t.database.db, t.config);
    const kids: string[] = [];
    let failures = 0;
    while (performance.now() - rotatedAt < (MAX_AGE_SECONDS + 3) * 1000) {
      const token = (await login(t.app, 'verifier@example.org')).accessToken;
      kids.push(decodeProtectedHeader(token).kid ?? '');
      await verify(token).catch(() => (failures += 1));
      await sleep(100);
    }
    assert.equal(failures, 0, 'every token verified');
    assert.equal(kids[0], oldKid, 'right after the rotation the old key still signs');
    assert.notEqual(kids.at(-1), oldKid, 'after the lead the new key signs');
    context.diagnostic(`${kids.length} tokens across the rotation, ${kids.filter((kid) => kid === oldKid).length} with the old kid, 0 verification failures`);
  });

  it('the JWKS says how long it may be cached, and answers 304 to its ETag', async () => {
    const res = await fetch(`${base}/.well-known/jwks.json`);
    assert.equal(res.headers.get('cache-control'), `public, max-age=${MAX_AGE_SECONDS}`);
    const etag = res.headers.get('etag') ?? '';
    assert.match(etag, /^"[\w-]+"$/);
    const again = await fetch(`${base}/.well-known/jwks.json`, { headers: { 'if-none-match': etag } });
    assert.equal(again.status, 304);
  });

  it('by default a JWKS may be cached 300 s, and a rotated key waits 300 s + the 60 s reload before it signs', () => {
    const defaults = testConfig({ JWT_ALGORITHM: 'ES256', JWT_SECRET: 'r'.repeat(40) }).operations;
    assert.equal(defaults.jwksMaxAgeSeconds, 300);
    assert.equal(defaults.signingKeyReloadSeconds, 60);
  });
});
