/** GET /metrics: Prometheus text with requests by route and status, sign-ins, limits, pool. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_LIMITS } from '../src/services/rate-limits.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';

const TOKEN = 'metrics-token-0123456789';
let t: TestApp;

before(async () => {
  // Login limited to 3 per account so a rate-limit hit can be provoked.
  t = await createTestApp({
    env: { METRICS_TOKEN: TOKEN },
    limits: { ...DEFAULT_LIMITS, login: { perIp: { limit: 1000, window: 300 }, perAccount: { limit: 3, window: 900 } } },
  });
});
after(async () => t.close());

async function scrape(): Promise<string> {
  const res = await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${TOKEN}` } });
  assert.equal(res.statusCode, 200);
  assert.match(String(res.headers['content-type']), /^text\/plain; version=0\.0\.4/);
  return res.body;
}

/** The value of one sample, or 0 when the series does not exist yet. */
function sample(text: string, series: string): number {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}

describe('GET /metrics', () => {
  it('needs the METRICS_TOKEN when one is set (401 without it or with another)', async () => {
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics' })).statusCode, 401);
    assert.equal((await t.app.inject({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer metrics-token-0123456780' } })).statusCode, 401);
  });

  it('counts requests by route template and status, with a latency histogram', async () => {
    const before = await scrape();
    await t.app.inject({ method: 'GET', url: '/v1/auth/me' });
    await t.app.inject({ method: 'GET', url: '/v1/auth/me' });
    await t.app.inject({ method: 'GET', url: '/no/such/path/123' });
    const now = await scrape();
    const me = 'gatehouse_http_requests_total{method="GET",route="/v1/auth/me",status="401"}';
    assert.equal(sample(now, me) - sample(before, me), 2);
    assert.ok(!now.includes('/no/such/path/123'), 'raw paths never become labels');
    assert.ok(sample(now, 'gatehouse_http_request_duration_seconds_count{method="GET",route="/v1/auth/me"}') >= 2);
    assert.match(now, /^process_resident_memory_bytes \d+/m);
    assert.match(now, /^nodejs_eventloop_lag_seconds /m);
  });

  it('counts sign-ins by method and outcome, and rate-limit hits by action', async () => {
    const user = await createUser(t.database.db, 'counted@example.org');
    await login(t.app, user.email);
    for (let i = 0; i < 3; i += 1) await t.app.inject({ method: 'POST', url: '/auth/login', payload: { email: user.email, password: 'wrong password here' } });
    const text = await scrape();
    assert.equal(sample(text, 'gatehouse_sign_ins_total{method="password",outcome="success"}'), 1);
    assert.equal(sample(text, 'gatehouse_sign_ins_total{method="password",outcome="failure"}'), 2);
    assert.equal(sample(text, 'gatehouse_sign_ins_total{method="password",outcome="rate_limited"}'), 1);
    assert.equal(sample(text, 'gatehouse_rate_limit_hits_total{action="login",dimension="account"}'), 1);
    assert.equal(sample(text, 'gatehouse_security_events_total{event="login_failure"}'), 2);
  });

  it('reports the PostgreSQL pool (absent on PGlite) and the password-hash gate', async () => {
    const text = await scrape();
    assert.match(text, /^gatehouse_password_hashes\{state="waiting"\} 0$/m);
    if (t.database.kind === 'postgres') {
      assert.equal(sample(text, 'gatehouse_db_pool_connections{state="max"}'), 5);
      assert.ok(sample(text, 'gatehouse_db_pool_connections{state="total"}') >= 1);
    } else {
      assert.ok(!/^gatehouse_db_pool_connections\{/m.test(text));
    }
  });
});
