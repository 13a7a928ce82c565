import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { buildApp } from '../src/app.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';

describe('operations routes and the error contract', () => {
  let t: TestApp;
  before(async () => {
    t = await createTestApp();
    // Routes that fail on purpose, to see what a 5xx shows.
    t.app.get('/test/boom', async () => {
      throw new Error('select password_hash from users where email = $1 -- secret detail');
    });
    t.app.post('/test/echo', async (request) => request.body);
  });
  after(async () => t.close());

  it('GET /healthz is 200', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ok' });
  });

  it('GET /readyz is 200 when the database answers and migrations are current', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/readyz' });
    assert.equal(res.statusCode, 200);
    assert.deepEqual(res.json(), { status: 'ready' });
  });

  it('GET /openapi.json is an OpenAPI 3.1 document listing the routes', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json<{ openapi: string; paths: Record<string, unknown> }>();
    assert.equal(doc.openapi, '3.1.0');
    assert.ok('/readyz' in doc.paths);
  });

  it('GET /docs serves the documentation UI', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/docs/' });
    assert.equal(res.statusCode, 200);
    assert.match(res.headers['content-type'] as string, /text\/html/);
    assert.match(res.body, /swagger/i);
  });

  it('an unknown route is 404 {detail, code}', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/no/such/route' });
    assert.equal(res.statusCode, 404);
    assert.equal(res.json().code, 'not_found');
    assert.equal(typeof res.json().detail, 'string');
  });

  it('a 500 shows neither the stack nor the SQL, and is logged with the request id', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'trace-500' } });
    assert.equal(res.statusCode, 500);
    assert.deepEqual(res.json(), { detail: 'Internal server error', code: 'internal_error' });
    assert.doesNotMatch(res.body, /select|password_hash|at .*\.ts/);
    assert.ok(t.logs.some((line) => line.includes('"trace-500"') && line.includes('unhandled error')));
  });

  it('JSON routes refuse text/plain and form bodies with 415', async () => {
    for (const type of ['text/plain', 'application/x-www-form-urlencoded']) {
      const res = await t.app.inject({ method: 'POST', url: '/test/echo', headers: { 'content-type': type }, payload: 'a=1' });
      assert.equal(res.statusCode, 415, type);
      assert.equal(res.json().code, 'unsupported_media_type');
    }
  });

  it('malformed JSON is 400 invalid_json, without echoing the body', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: '{"password": "hunter2hunter2',
    });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'invalid_json');
    assert.doesNotMatch(res.body, /hunter2/);
  });

  it('an oversized body is 413', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/test/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ a: 'x'.repeat(1024 * 1024 + 10) }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'payload_too_large');
  });

  it("API responses carry OWASP's REST security headers, pages helmet's; HSTS and upgrade-insecure-requests only in production", async () => {
    const res = await t.app.inject({ method: 'GET', url: '/healthz' });
    assert.equal(res.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'");
    assert.equal(res.headers['x-content-type-options'], 'nosniff');
    assert.equal(res.headers['x-frame-options'], 'DENY');
    assert.equal(res.headers['cross-origin-resource-policy'], 'same-origin');
    assert.equal(res.headers['referrer-policy'], 'no-referrer');
    assert.equal(res.headers['strict-transport-security'], undefined);
    assert.equal(res.headers['x-dns-prefetch-control'], undefined, "helmet's document-only headers stay off JSON");
    const missing = await t.app.inject({ method: 'GET', url: '/nope' });
    assert.equal(missing.headers['x-content-type-options'], 'nosniff', 'errors too');
    assert.equal(missing.headers['content-security-policy'], "default-src 'none'; frame-ancestors 'none'", 'errors too');

    const page = await t.app.inject({ method: 'GET', url: '/ui/sign-in' });
    assert.match(String(page.headers['content-type']), /^text\/html/);
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
    assert.doesNotMatch(String(page.headers['content-security-policy']), /upgrade-insecure-requests/);
    assert.equal(page.headers['x-frame-options'], 'SAMEORIGIN');
    assert.equal(page.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(page.headers['x-content-type-options'], 'nosniff');

    const prod = await buildApp({
      config: testConfig({ LOG_LEVEL: 'silent', NODE_ENV: 'production', JWT_SECRET: 'p'.repeat(40), PUBLIC_URL: 'https://auth.example.org' }),
      db: t.database.db,
    });
    const secure = await prod.inject({ method: 'GET', url: '/healthz' });
    assert.match(String(secure.headers['strict-transport-security']), /max-age=\d+/);
    const securePage = await prod.inject({ method: 'GET', url: '/ui/sign-in' });
    assert.match(String(securePage.headers['strict-transport-security']), /max-age=\d+/);
    assert.match(String(securePage.headers['content-security-policy']), /upgrade-insecure-requests/);
    await prod.close();
  });

  it('every response carries a request id; a plain one from the caller is kept, a hostile one replaced', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'abc-123' } });
    assert.equal(kept.headers['x-request-id'], 'abc-123');
    const replaced = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'a\nb {"level":60}' } });
    assert.match(replaced.headers['x-request-id'] as string, /^[0-9a-f-]{36}$/);
  });

  it('logs never contain passwords, tokens, cookies or Authorization headers', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/test/echo?token=tok-in-query-123&limit=5',
      headers: { authorization: 'Bearer jwt-secret-abc', cookie: 'access_token=cookie-secret-xyz', 'x-api-key': 'api-key-secret' },
      payload: { password: 'pw-secret-999', token: 'body-token-777' },
    });
    const text = t.logs.join('');
    for (const secret of ['tok-in-query-123', 'jwt-secret-abc', 'cookie-secret-xyz', 'api-key-secret', 'pw-secret-999', 'body-token-777']) {
      assert.ok(!text.includes(secret), `log contains ${secret}`);
    }
    assert.ok(text.includes('token=[redacted]&limit=5'), 'the url is logged with the token redacted');
  });
});

describe('readiness when things are wrong', () => {
  it('GET /readyz is 503 when migrations are pending', async () => {
    const database = await createTestDatabase({ migrate: false });
    const app = await buildApp({ config: testConfig({ LOG_LEVEL: 'silent' }), db: database.db });
    try {
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.equal(res.json().code, 'service_unavailable');
      assert.match(res.json().detail, /migrations are pending/);
    } finally {
      await app.close();
      await database.close();
    }
  });

  it('GET /readyz is 503 when the database is gone', async () => {
    const database = await createTestDatabase();
    const app = await buildApp({ config: testConfig({ LOG_LEVEL: 'silent' }), db: database.db });
    try {
      assert.equal((await app.inject({ method: 'GET', url: '/readyz' })).statusCode, 200);
      await database.db.destroy();
      const res = await app.inject({ method: 'GET', url: '/readyz' });
      assert.equal(res.statusCode, 503);
      assert.deepEqual(Object.keys(res.json()).sort(), ['code', 'detail']);
    } finally {
      await app.close();
      await database.close().catch(() => undefined);
    }
  });
});
