/** EdDSA / ES256 access tokens, their published JWKS, and the attacks on that path. */
import assert from 'node:assert/strict';
import { createLocalJWKSet, decodeProtectedHeader, jwtVerify, SignJWT, type JWK } from 'jose';
import { after, before, describe, it } from 'node:test';
import { createTestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

let database: TestDatabase;
before(async () => {
  database = await createTestDatabase();
  await createUser(database.db, 'keys@example.org', { roles: ['member'] });
});
after(async () => database.close());

describe('HS256 (the default)', () => {
  it('publishes no JWKS', async () => {
    const t = await createTestApp({ env: { LOG_LEVEL: 'silent' }, database });
    const res = await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    assert.equal(res.statusCode, 404);
    await t.close();
  });
});

for (const algorithm of ['EdDSA', 'ES256'] as const) {
  describe(`JWT_ALGORITHM=${algorithm}`, () => {
    it('signs with a kid that the published JWKS verifies offline; /me accepts it', async () => {
      const t = await createTestApp({ env: { LOG_LEVEL: 'silent', JWT_ALGORITHM: algorithm }, database });
      const session = await login(t.app, 'keys@example.org');
      const header = decodeProtectedHeader(session.accessToken);
      assert.equal(header.alg, algorithm);
      assert.equal(typeof header.kid, 'string');
      const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: JWK[] }>();
      assert.ok(jwks.keys.some((key) => key.kid === header.kid));
      assert.ok(
        jwks.keys.every((key) => key.d === undefined),
        'no private parts are published',
      );
      const { payload } = await jwtVerify(session.accessToken, createLocalJWKSet(jwks), { issuer: t.config.publicUrl });
      assert.equal(payload.email, 'keys@example.org');
      assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', headers: session.bearer })).statusCode, 200);
      await t.close();
    });

    it('another instance on the same database verifies the token (keys are shared), and the private key is encrypted at rest', async () => {
      const shared = { LOG_LEVEL: 'silent', JWT_ALGORITHM: algorithm, JWT_SECRET: 's'.repeat(40) };
      const a = await createTestApp({ env: shared, database });
      const b = await createTestApp({ env: shared, database });
      const session = await login(a.app, 'keys@example.org');
      assert.equal((await b.app.inject({ method: 'GET', url: '/auth/me', headers: session.bearer })).statusCode, 200);
      const rows = await database.db.selectFrom('signing_keys').select(['private_jwk_encrypted']).where('alg', '=', algorithm).execute();
      assert.ok(rows.length >= 1);
      for (const row of rows) assert.doesNotMatch(row.private_jwk_encrypted, /"d"|"kty"/);
      await a.close();
      await b.close();
    });

    it('refuses HS256 tokens (even signed with the public key as the HMAC secret), unknown kids and alg none', async () => {
      const t = await createTestApp({ env: { LOG_LEVEL: 'silent', JWT_ALGORITHM: algorithm }, database });
      const session = await login(t.app, 'keys@example.org');
      const claims = JSON.parse(Buffer.from(session.accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;
      const jwks = (await t.app.inject({ method: 'GET', url: '/.well-known/jwks.json' })).json<{ keys: JWK[] }>();
      const kid = decodeProtectedHeader(session.accessToken).kid;
      const me = async (token: string): Promise<number> =>
        (await t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${token}` } })).statusCode;
      const publicAsSecret = new TextEncoder().encode(JSON.stringify(jwks.keys[0]));
      assert.equal(await me(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid }).sign(publicAsSecret)), 401);
      assert.equal(await me(await new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode(t.config.jwtSecret))), 401);
      const [, body, signature] = session.accessToken.split('.');
      const otherKid = Buffer.from(JSON.stringify({ alg: algorithm, kid: 'no-such-kid' })).toString('base64url');
      assert.equal(await me(`${otherKid}.${body}.${signature}`), 401);
      const none = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
      assert.equal(await me(`${none}.${body}.`), 401);
      await t.close();
    });
  });
}
