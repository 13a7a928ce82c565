/** The HS256 verifier on the request path: RFC 7515's example, agreement with jose, tampering. */
import assert from 'node:assert/strict';
import { createHmac, createSecretKey } from 'node:crypto';
import { describe, it } from 'node:test';
import { decodeProtectedHeader, jwtVerify, SignJWT } from 'jose';
import { signHs256, timeClaimsValid, verifyHs256Signature } from '../src/security/hs256.ts';

// RFC 7515, appendix A.1: the HS256 example (its header and payload carry CRLFs; exp 1300819380).
const RFC_KEY = createSecretKey(Buffer.from('AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow', 'base64url'));
const RFC_TOKEN =
  'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk';

const SECRET = 'a test secret of at least thirty-two bytes';
const KEY = createSecretKey(Buffer.from(SECRET, 'utf8'));
const now = Math.floor(Date.now() / 1000);

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** Signed by hand, for what jose will not sign (crit, b64, payloads that are not objects). */
function handSigned(header: unknown, payload: unknown): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${createHmac('sha256', KEY).update(input).digest('base64url')}`;
}

async function signed(header: Record<string, unknown>, payload: Record<string, unknown>, alg = 'HS256'): Promise<string> {
  return new SignJWT(payload).setProtectedHeader({ ...header, alg }).sign(new TextEncoder().encode(SECRET));
}

describe('verifyHs256Signature', () => {
  it("verifies RFC 7515's example, and its time claims hold only before exp", () => {
    const verified = verifyHs256Signature(RFC_TOKEN, RFC_KEY);
    assert.ok(verified);
    assert.equal(verified.payload.iss, 'joe');
    assert.equal(verified.payload['http://example.com/is_root'], true);
    assert.equal(timeClaimsValid(verified.payload, 1300819379), true);
    assert.equal(timeClaimsValid(verified.payload, 1300819380), false, 'exp is exclusive');
  });

  it('accepts what jose signs with the same secret, and nothing jose signs with another', async () => {
    const token = await signed({ typ: 'JWT' }, { sub: 'u', iat: now, exp: now + 60 });
    assert.deepEqual(verifyHs256Signature(token, KEY)?.payload, { sub: 'u', iat: now, exp: now + 60 });
    const other = await new SignJWT({ sub: 'u' }).setProtectedHeader({ alg: 'HS256' }).sign(new TextEncoder().encode('another secret of at least 32 bytes!'));
    assert.equal(verifyHs256Signature(other, KEY), null);
  });

  it('refuses other algorithms, alg none, and headers with extensions it does not implement', async () => {
    assert.equal(verifyHs256Signature(await signed({}, { sub: 'u' }, 'HS512'), KEY), null);
    assert.equal(verifyHs256Signature(await signed({}, { sub: 'u' }, 'HS384'), KEY), null);
    assert.equal(verifyHs256Signature(`${b64({ alg: 'none' })}.${b64({ sub: 'u' })}.`, KEY), null);
    const genuine = await signed({}, { sub: 'u' });
    const [, payload, signature] = genuine.split('.');
    assert.equal(verifyHs256Signature(`${b64({ alg: 'none' })}.${payload}.${signature}`, KEY), null, 'a swapped header breaks the MAC');
    // Validly signed, but with a critical extension or an unencoded payload: refused.
    assert.ok(verifyHs256Signature(handSigned({ alg: 'HS256' }, { sub: 'u' }), KEY), 'hand signing is right');
    assert.equal(verifyHs256Signature(handSigned({ alg: 'HS256', crit: ['exp'] }, { sub: 'u' }), KEY), null);
    assert.equal(verifyHs256Signature(handSigned({ alg: 'HS256', b64: false }, { sub: 'u' }), KEY), null);
    assert.equal(verifyHs256Signature(handSigned(['HS256'], { sub: 'u' }), KEY), null, 'a header that is not an object');
  });

  it('refuses any change to the signature, the payload or the shape', async () => {
    const genuine = await signed({}, { sub: 'u', roles: ['member'] });
    const [header = '', payload = '', signature = ''] = genuine.split('.');
    assert.ok(verifyHs256Signature(genuine, KEY));
    for (let i = 0; i < signature.length; i++) {
      const flipped = signature.slice(0, i) + (signature[i] === 'A' ? 'B' : 'A') + signature.slice(i + 1);
      assert.equal(verifyHs256Signature(`${header}.${payload}.${flipped}`, KEY), null, `signature character ${i}`);
    }
    assert.equal(verifyHs256Signature(`${header}.${b64({ sub: 'u', roles: ['admin'] })}.${signature}`, KEY), null);
    assert.equal(verifyHs256Signature(`${genuine}.`, KEY), null, 'four segments');
    assert.equal(verifyHs256Signature(`${header}.${payload}`, KEY), null, 'two segments');
    assert.equal(verifyHs256Signature(`${genuine}=`, KEY), null, 'padding');
    assert.equal(verifyHs256Signature(`${header}.${payload}.${signature.slice(0, -2)}`, KEY), null, 'short signature');
    assert.equal(verifyHs256Signature(' ' + genuine, KEY), null);
  });

  it('refuses a payload that is not a JSON object, even when signed', () => {
    for (const body of [[1, 2], 'text', 42, null]) {
      assert.equal(verifyHs256Signature(handSigned({ alg: 'HS256' }, body), KEY), null, JSON.stringify(body));
    }
  });
});

describe('signHs256', () => {
  it('makes tokens that jose verifies with the same secret, with the header {alg: HS256, typ: JWT}', async () => {
    const claims = { sub: 'u', sid: 's', roles: ['member'], iss: 'https://gatehouse.test', iat: now, exp: now + 900 };
    const token = signHs256(claims, KEY);
    assert.deepEqual(decodeProtectedHeader(token), { alg: 'HS256', typ: 'JWT' });
    const { payload } = await jwtVerify(token, new TextEncoder().encode(SECRET), { algorithms: ['HS256'], issuer: 'https://gatehouse.test' });
    assert.deepEqual(payload, claims);
    assert.deepEqual(verifyHs256Signature(token, KEY)?.payload, claims);
    await assert.rejects(jwtVerify(token, new TextEncoder().encode('another secret of at least 32 bytes!'), { algorithms: ['HS256'] }));
  });
});

describe('timeClaimsValid', () => {
  it('needs a numeric exp in the future, and a numeric nbf and iat not in the way', () => {
    assert.equal(timeClaimsValid({ exp: now + 10 }, now), true);
    assert.equal(timeClaimsValid({}, now), false, 'exp is required');
    assert.equal(timeClaimsValid({ exp: String(now + 10) }, now), false);
    assert.equal(timeClaimsValid({ exp: now }, now), false);
    assert.equal(timeClaimsValid({ exp: now + 10, nbf: now + 5 }, now), false);
    assert.equal(timeClaimsValid({ exp: now + 10, nbf: now }, now), true);
    assert.equal(timeClaimsValid({ exp: now + 10, nbf: 'soon' }, now), false);
    assert.equal(timeClaimsValid({ exp: now + 10, iat: 'then' }, now), false);
  });
});
