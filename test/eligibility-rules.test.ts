/**
 * Eligibility by domain and expiring eligible entries: the one rule that every sign-up path and
 * /verify-email-eligibility use. A rule names a registrable domain (never a public suffix alone,
 * by the public-suffix list), optionally with subdomains, optionally until a date.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { ruleDomain } from '../src/services/eligibility-rules.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';

const API_KEY = 'r'.repeat(40);
const key = { 'x-api-key': API_KEY };
let t: TestApp;

before(async () => {
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY } });
});
after(async () => t.close());

async function eligible(email: string): Promise<boolean> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/verify-email-eligibility', payload: { email } });
  assert.equal(res.statusCode, 200, res.body);
  return (res.json() as { eligible: boolean }).eligible;
}

async function rule(payload: Record<string, unknown>): Promise<{ statusCode: number; body: Record<string, unknown> }> {
  const res = await t.app.inject({ method: 'POST', url: '/v1/auth/admin/eligibility-rules', headers: key, payload });
  return { statusCode: res.statusCode, body: res.json() as Record<string, unknown> };
}

describe('which domains a rule may name', () => {
  it('a registrable domain or a name under one; never a public suffix alone (ICANN or private), an address or an IP', () => {
    assert.equal(ruleDomain('School.Example.ORG.'), 'school.example.org');
    assert.equal(ruleDomain('students.uni.ac.uk'), 'students.uni.ac.uk');
    for (const bad of ['com', 'co.uk', 'github.io', 'ac.uk', 'ada@example.org', '10.0.0.1', 'exa mple.org', 'localhost']) {
      assert.throws(
        () => ruleDomain(bad),
        (error: unknown) => (error as { code?: string }).code === 'validation_error',
        bad,
      );
    }
  });
});

describe('eligibility rules', () => {
  it('POST answers 201 with the rule, 409 for the same domain again, 422 for a public suffix', async () => {
    const created = await rule({ domain: 'partner-school.org', include_subdomains: true, note: 'Partner school, 2026–27' });
    assert.equal(created.statusCode, 201);
    assert.equal(created.body.domain, 'partner-school.org');
    assert.equal(created.body.include_subdomains, true);
    assert.equal(created.body.expires_at, null);
    assert.equal((await rule({ domain: 'PARTNER-school.org' })).statusCode, 409);
    const suffix = await rule({ domain: 'co.uk' });
    assert.equal(suffix.statusCode, 422);
    assert.match(JSON.stringify(suffix.body), /public suffix/);
  });

  it('admits the domain, its subdomains only when asked, and no look-alike', async () => {
    await rule({ domain: 'sponsor.example', include_subdomains: false });
    assert.equal(await eligible('ada@partner-school.org'), true);
    assert.equal(await eligible('ada@students.partner-school.org'), true, 'include_subdomains');
    assert.equal(await eligible('ada@evilpartner-school.org'), false, 'a suffix match is not a subdomain');
    assert.equal(await eligible('ada@sponsor.example'), true);
    assert.equal(await eligible('ada@team.sponsor.example'), false, 'no subdomains for this rule');
  });

  it('stops admitting at its expiry, and so does an expired eligible-list entry; the list pages and deletes', async () => {
    const temporary = await rule({ domain: 'summer-camp.org', expires_at: new Date(Date.now() + 60_000).toISOString() });
    assert.equal(await eligible('kid@summer-camp.org'), true);
    await sql`update eligibility_rules set expires_at = now() - interval '1 second' where domain = 'summer-camp.org'`.execute(t.database.db);
    assert.equal(await eligible('kid@summer-camp.org'), false);

    await t.app.inject({ method: 'POST', url: '/v1/auth/admin/eligible-emails', headers: key, payload: { email: 'guest@elsewhere.org' } });
    assert.equal(await eligible('guest@elsewhere.org'), true);
    await sql`update eligible_emails set expires_at = now() - interval '1 second' where email = 'guest@elsewhere.org'`.execute(t.database.db);
    assert.equal(await eligible('guest@elsewhere.org'), false, 'an expired entry admits no new sign-up');

    const first = await t.app.inject({ method: 'GET', url: '/v1/auth/admin/eligibility-rules?limit=2', headers: key });
    const page1 = first.json() as { items: { domain: string }[]; next_cursor: string | null };
    assert.deepEqual(
      page1.items.map((r) => r.domain),
      ['partner-school.org', 'sponsor.example'],
    );
    const second = await t.app.inject({ method: 'GET', url: `/v1/auth/admin/eligibility-rules?limit=2&cursor=${page1.next_cursor}`, headers: key });
    assert.deepEqual(
      (second.json() as { items: { domain: string }[] }).items.map((r) => r.domain),
      ['summer-camp.org'],
    );
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: `/v1/auth/admin/eligibility-rules/${String(temporary.body.id)}`, headers: key })).statusCode,
      204,
    );
    assert.equal(
      (await t.app.inject({ method: 'DELETE', url: `/v1/auth/admin/eligibility-rules/${String(temporary.body.id)}`, headers: key })).statusCode,
      404,
    );
  });

  it('gates sign-up by a rule like by the list (SIGNUP_MODE=allowlist)', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'new.student@partner-school.org', password: 'a long student password' },
    });
    assert.equal(res.statusCode, 201, res.body);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/register',
      payload: { email: 'someone@unlisted.org', password: 'a long student password' },
    });
    assert.equal(refused.statusCode, 403);
  });
});
