/** CSRF: cookie-authenticated unsafe requests need an allowed origin; bearer requests do not. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login, ORIGIN, type SignedIn } from './helpers/auth.ts';

let t: TestApp;
const ALLOWED_SPA = 'https://app.example.org';

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', CORS_ORIGINS: ALLOWED_SPA } });
  await createUser(t.database.db, 'csrf@example.org');
  // An unsafe authenticated route that changes nothing, to probe the rule with.
  t.app.post('/test/unsafe', { preHandler: t.app.gatehouse.context.guards.requireUser }, async () => ({ ok: true }));
});
after(async () => t.close());

async function post(session: SignedIn, via: 'cookie' | 'bearer', headers: Record<string, string>): Promise<number> {
  const res = await t.app.inject({
    method: 'POST',
    url: '/test/unsafe',
    payload: {},
    headers: { ...headers, ...(via === 'bearer' ? session.bearer : {}) },
    ...(via === 'cookie' ? { cookies: session.cookies } : {}),
  });
  return res.statusCode;
}

describe('CSRF matrix', () => {
  const cases: { name: string; via: 'cookie' | 'bearer'; headers: Record<string, string>; status: number }[] = [
    { name: 'cookie + PUBLIC_URL origin', via: 'cookie', headers: { origin: ORIGIN }, status: 200 },
    { name: 'cookie + CORS_ORIGINS origin', via: 'cookie', headers: { origin: ALLOWED_SPA }, status: 200 },
    { name: 'cookie + evil origin', via: 'cookie', headers: { origin: 'https://evil.example' }, status: 403 },
    { name: 'cookie + "null" origin', via: 'cookie', headers: { origin: 'null' }, status: 403 },
    { name: 'cookie + no origin, no referer', via: 'cookie', headers: {}, status: 403 },
    { name: 'cookie + no origin + allowed referer', via: 'cookie', headers: { referer: `${ALLOWED_SPA}/account` }, status: 200 },
    { name: 'cookie + no origin + evil referer', via: 'cookie', headers: { referer: 'https://evil.example/x' }, status: 403 },
    { name: 'cookie + Sec-Fetch-Site same-origin', via: 'cookie', headers: { 'sec-fetch-site': 'same-origin' }, status: 200 },
    { name: 'cookie + Sec-Fetch-Site cross-site', via: 'cookie', headers: { 'sec-fetch-site': 'cross-site' }, status: 403 },
    { name: 'bearer + evil origin', via: 'bearer', headers: { origin: 'https://evil.example' }, status: 200 },
    { name: 'bearer + no origin', via: 'bearer', headers: {}, status: 200 },
  ];
  for (const testCase of cases) {
    it(`${testCase.name} → ${testCase.status}`, async () => {
      const session = await login(t.app, 'csrf@example.org');
      assert.equal(await post(session, testCase.via, testCase.headers), testCase.status);
    });
  }

  it('a refused request says so in {detail, code}', async () => {
    const session = await login(t.app, 'csrf@example.org');
    const res = await t.app.inject({ method: 'POST', url: '/auth/logout', cookies: session.cookies, headers: { origin: 'https://evil.example' } });
    assert.equal(res.statusCode, 403);
    assert.equal(res.json().code, 'csrf_rejected');
    assert.equal((await t.app.inject({ method: 'GET', url: '/auth/me', cookies: session.cookies })).statusCode, 200, 'the session was not logged out');
  });

  it('login from an evil origin is refused (login CSRF)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'csrf@example.org', password: 'correct horse battery staple' },
    });
    assert.equal(res.statusCode, 403);
  });

  it('safe methods are not subject to the rule', async () => {
    const session = await login(t.app, 'csrf@example.org');
    const res = await t.app.inject({ method: 'GET', url: '/auth/me', cookies: session.cookies, headers: { origin: 'https://evil.example' } });
    assert.equal(res.statusCode, 200);
  });
});

describe('CORS', () => {
  it('echoes only allowed origins, with credentials', async () => {
    const good = await t.app.inject({ method: 'OPTIONS', url: '/auth/login', headers: { origin: ALLOWED_SPA, 'access-control-request-method': 'POST' } });
    assert.equal(good.headers['access-control-allow-origin'], ALLOWED_SPA);
    assert.equal(good.headers['access-control-allow-credentials'], 'true');
    const evil = await t.app.inject({
      method: 'OPTIONS',
      url: '/auth/login',
      headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' },
    });
    assert.equal(evil.headers['access-control-allow-origin'], undefined);
  });
});
