/**
 * One conformance suite, two providers: the same sign-in scenarios run against the built-in
 * provider (links mailed over real SMTP to a capture server) and against Stytch (the real SDK
 * talking to a fake Stytch on 127.0.0.1).
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import { after, before, describe, it } from 'node:test';
import { insertEligibleChunk } from '../src/queries/eligibility.ts';
import { findUserByEmail } from '../src/queries/users.ts';
import { mintOneTimeToken } from '../src/services/one-time-tokens.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser } from './helpers/auth.ts';
import { startFakeStytch, type FakeStytch } from './fakes/stytch-server.ts';
import { startSmtpCapture, type SmtpCapture } from './fakes/smtp-capture.ts';

interface Harness {
  readonly t: TestApp;
  /** Asks for a link through the API and returns the token that reached the user. */
  requestLink(email: string, extra?: { code_challenge?: string }): Promise<string>;
  /** A token for this email that was never sent (as if handed over by someone else). */
  unsentToken(email: string): Promise<string>;
  expire(token: string): Promise<void>;
  /** How many links went out to this email so far. */
  linksSentTo(email: string): number;
  close(): Promise<void>;
}

async function builtinHarness(): Promise<Harness> {
  const smtp: SmtpCapture = await startSmtpCapture();
  const t = await createTestApp({ env: { LOG_LEVEL: 'silent', SMTP_URL: smtp.url } });
  return {
    t,
    async requestLink(email, extra = {}): Promise<string> {
      const mail = smtp.waitFor(email);
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email, ...extra } });
      assert.equal(res.statusCode, 202);
      const match = /\/ui\/magic-link\?token=(gh_[\w-]+)/.exec((await mail).text);
      assert.ok(match?.[1], 'the mail holds a landing-page link with the token');
      return match[1];
    },
    unsentToken: (email) => mintOneTimeToken(t.database.db, email, 'login'),
    async expire(): Promise<void> {
      await sql`update one_time_tokens set expires_at = now() - interval '1 second' where purpose = 'login' and consumed_at is null`.execute(t.database.db);
    },
    linksSentTo: (email) => smtp.received.filter((m) => m.to.includes(email)).length,
    async close(): Promise<void> {
      await t.close();
      await smtp.close();
    },
  };
}

async function stytchHarness(): Promise<Harness> {
  const fake: FakeStytch = await startFakeStytch();
  const t = await createTestApp({ env: { LOG_LEVEL: 'silent', STYTCH_PROJECT_ID: fake.projectId, STYTCH_SECRET: fake.secret, STYTCH_ENV: fake.url } });
  return {
    t,
    async requestLink(email, extra = {}): Promise<string> {
      const before = fake.sent.length;
      const res = await t.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email, ...extra } });
      assert.equal(res.statusCode, 202);
      await t.app.gatehouse.backgroundIdle();
      const link = fake.sent.slice(before).find((s) => s.email === email);
      assert.ok(link, 'Stytch was asked to send a link');
      assert.ok(link.url.startsWith(`${t.config.publicUrl}/ui/magic-link?`), 'the link lands on the hosted landing page at PUBLIC_URL');
      return link.token;
    },
    unsentToken: async (email) => fake.mintToken(email),
    async expire(token): Promise<void> {
      fake.expire(token);
    },
    linksSentTo: (email) => fake.sent.filter((s) => s.email === email).length,
    async close(): Promise<void> {
      await t.close();
      await fake.close();
    },
  };
}

async function authenticate(
  h: Harness,
  token: string,
  codeVerifier?: string,
): Promise<{ status: number; body: Record<string, unknown>; cookies: Record<string, string> }> {
  const res = await h.t.app.inject({
    method: 'POST',
    url: '/v1/auth/authenticate',
    payload: { token, ...(codeVerifier ? { code_verifier: codeVerifier } : {}) },
  });
  return { status: res.statusCode, body: res.json(), cookies: Object.fromEntries(res.cookies.map((c) => [c.name, c.value])) };
}

for (const [provider, makeHarness] of [
  ['builtin', builtinHarness],
  ['stytch', stytchHarness],
] as const) {
  describe(`magic-link sign-in conformance: ${provider}`, () => {
    let h: Harness;
    before(async () => {
      h = await makeHarness();
      await insertEligibleChunk(h.t.database.db, ['new@example.org', 'pkce@example.org', 'gone@example.org', 'invitee@example.org'], 'conformance');
    });
    after(async () => h.close());

    it("account pre-hijacking: a stranger registers the address with a password; the owner's link makes the account theirs", async () => {
      const register = await h.t.app.inject({
        method: 'POST',
        url: '/v1/auth/register',
        payload: { email: 'invitee@example.org', password: 'the attacker chose this' },
      });
      assert.equal(register.statusCode, 201);
      // Its verification mail is out before the sign-in link is asked for.
      await h.t.app.gatehouse.backgroundIdle();
      const attacker = { authorization: `Bearer ${register.cookies.find((c) => c.name === 'access_token')?.value ?? ''}` };
      assert.equal((await h.t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: attacker })).statusCode, 200);

      const owner = await authenticate(h, await h.requestLink('invitee@example.org'));
      assert.equal(owner.status, 200, JSON.stringify(owner.body));
      assert.equal((await h.t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: attacker })).statusCode, 401, "the attacker's session was revoked");
      const attackerLogin = await h.t.app.inject({
        method: 'POST',
        url: '/v1/auth/login',
        payload: { email: 'invitee@example.org', password: 'the attacker chose this' },
      });
      assert.equal(attackerLogin.statusCode, 401, "the attacker's password was removed");
      const me = await h.t.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${String(owner.body.access_token)}` } });
      assert.equal(me.statusCode, 200, 'the owner is signed in');
      const stored = await findUserByEmail(h.t.database.db, 'invitee@example.org');
      assert.equal(stored?.password_hash, null);
      assert.equal(stored?.is_email_verified, true);
    });

    it('an eligible new email signs in: 200 token body + cookies, user created with member, email verified', async () => {
      const token = await h.requestLink('new@example.org');
      const res = await authenticate(h, token);
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.token_type, 'bearer');
      assert.deepEqual(res.body.user_roles, ['member']);
      assert.ok(res.cookies.access_token);
      const me = await h.t.app.inject({ method: 'GET', url: '/auth/me', headers: { authorization: `Bearer ${String(res.body.access_token)}` } });
      assert.equal(me.json().email, 'new@example.org');
      const user = await findUserByEmail(h.t.database.db, 'new@example.org');
      assert.equal(user?.is_email_verified, true);
      assert.equal(user?.auth_provider, provider === 'builtin' ? 'magic_link' : 'stytch');
      if (provider === 'stytch') assert.match(user?.stytch_user_id ?? '', /^user-test-/);
    });

    it('a used token is refused (401)', async () => {
      const token = await h.requestLink('new@example.org');
      assert.equal((await authenticate(h, token)).status, 200);
      const again = await authenticate(h, token);
      assert.equal(again.status, 401);
      assert.deepEqual(again.body, { detail: 'Invalid authentication token', code: 'invalid_token' });
    });

    it('an expired token is refused (401)', async () => {
      const token = await h.requestLink('new@example.org');
      await h.expire(token);
      assert.equal((await authenticate(h, token)).status, 401);
    });

    it('an unknown email that is not eligible gets no link, and its token (however obtained) gets 403', async () => {
      const res = await h.t.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email: 'outsider@example.org' } });
      assert.equal(res.statusCode, 202);
      assert.deepEqual(res.json(), { sent: true });
      await h.t.app.gatehouse.backgroundIdle();
      assert.equal(h.linksSentTo('outsider@example.org'), 0);
      const denied = await authenticate(h, await h.unsentToken('outsider@example.org'));
      assert.equal(denied.status, 403);
      assert.deepEqual(denied.body, { detail: 'Email not authorized for access', code: 'email_not_eligible' });
      assert.equal(await findUserByEmail(h.t.database.db, 'outsider@example.org'), null, 'no user was created');
    });

    it('an existing user who is not on the eligible list signs in and is linked', async () => {
      const user = await createUser(h.t.database.db, 'existing@example.org', { roles: ['sustainer'] });
      const token = await h.requestLink('existing@example.org');
      const res = await authenticate(h, token);
      assert.equal(res.status, 200);
      assert.deepEqual(res.body.user_roles, ['sustainer'], 'no member role forced on an existing user');
      const stored = await findUserByEmail(h.t.database.db, 'existing@example.org');
      assert.equal(stored?.uuid, user.uuid);
      if (provider === 'stytch') assert.match(stored?.stytch_user_id ?? '', /^user-test-/);
    });

    it('a deactivated or deleted user gets no session (403) and no link', async () => {
      const user = await createUser(h.t.database.db, 'gone@example.org');
      const token = await h.unsentToken('gone@example.org');
      await h.t.database.db.updateTable('users').set({ is_active: false }).where('uuid', '=', user.uuid).execute();
      const res = await authenticate(h, token);
      assert.equal(res.status, 403);
      assert.equal(res.cookies.access_token, undefined);
      const sentBefore = h.linksSentTo('gone@example.org');
      await h.t.app.inject({ method: 'POST', url: '/v1/auth/magic-links/send', payload: { email: 'gone@example.org' } });
      await h.t.app.gatehouse.backgroundIdle();
      assert.equal(h.linksSentTo('gone@example.org'), sentBefore, 'no mail for a deactivated user, even though eligible');
    });

    it('PKCE: no verifier or a wrong one is 401; the right one signs in', async () => {
      const verifier = randomBytes(32).toString('base64url');
      const challenge = createHash('sha256').update(verifier).digest('base64url');
      const token = await h.requestLink('pkce@example.org', { code_challenge: challenge });
      assert.equal((await authenticate(h, token)).status, 401);
      assert.equal((await authenticate(h, token, randomBytes(32).toString('base64url'))).status, 401);
      if (provider === 'builtin') {
        assert.equal((await authenticate(h, token, verifier)).status, 200, 'a wrong verifier did not burn the token');
      } else {
        // Stytch consumes nothing on a PKCE mismatch either; its fake checks before use.
        assert.equal((await authenticate(h, token, verifier)).status, 200);
      }
    });

    it('garbage tokens are 401', async () => {
      assert.equal((await authenticate(h, 'gh_not-a-real-token')).status, 401);
      assert.equal((await authenticate(h, 'something-else-entirely')).status, 401);
    });
  });
}
