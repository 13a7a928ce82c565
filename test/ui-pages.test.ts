/**
 * The hosted pages' server side: the shell, its assets, the CSP they live under, UI_PATH, the
 * mailed links that open them, and the CSV preview the admin console shows before importing.
 * What the pages do in a browser is test/browser/*.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { LightMyRequestResponse } from 'fastify';
import { ConfigError } from '../src/config.ts';
import { createTestApp, testConfig, type TestApp } from './helpers/app.ts';
import { createUser, login } from './helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';

let database: TestDatabase;
let t: TestApp;

before(async () => {
  database = await createTestDatabase();
  t = await createTestApp({ env: { LOG_LEVEL: 'silent', ALLOWED_REDIRECT_URLS: 'https://app.example.org/welcome' }, database });
});

after(async () => {
  await t.close();
  await database.close();
});

describe('the page shell', () => {
  it('every page path answers the same HTML shell, not cached, with the settings block', async () => {
    for (const url of ['/ui', '/ui/', '/ui/sign-in', '/ui/admin/users/5e0c7f6e-0000-4000-8000-000000000000', '/ui/reset-password?token=abc']) {
      const res = await t.app.inject({ url });
      assert.equal(res.statusCode, 200, url);
      assert.match(String(res.headers['content-type']), /^text\/html/);
      assert.equal(res.headers['cache-control'], 'no-store', 'pages opened from mails carry tokens in the URL');
      const settings = /<script type="application\/json" id="gatehouse-config">(.*?)<\/script>/.exec(res.body)?.[1];
      assert.ok(settings, url);
      assert.deepEqual(JSON.parse(settings), {
        uiPath: '/ui',
        apiPrefix: '/v1/auth',
        signupMode: 'allowlist',
        allowedRedirectUrls: ['https://app.example.org/welcome'],
        development: false,
        locale: 'en',
        brand: { name: 'Gatehouse', logoUrl: null, supportEmail: null },
      });
    }
  });

  it('runs under the CSP with no inline script: every executable script is a same-origin file', async () => {
    const res = await t.app.inject({ url: '/ui/account' });
    const csp = String(res.headers['content-security-policy']);
    const scriptSrc = /script-src ([^;]*)/.exec(csp)?.[1];
    assert.equal(scriptSrc, "'self'");
    assert.match(csp, /script-src-attr 'none'/);
    const scripts = [...res.body.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.equal(scripts.length, 2);
    for (const [, attributes, content] of scripts) {
      const isFile = /src="\/ui\/assets\/app\.js\?v=[0-9a-f]{16}"/.test(attributes ?? '') && content === '';
      const isData = /type="application\/json"/.test(attributes ?? '');
      assert.ok(isFile || isData, `unexpected script: ${attributes}`);
    }
    assert.doesNotMatch(res.body, /\son[a-z]+=/i, 'no inline event handlers');
  });

  it('serves the bundled script and stylesheet, cacheable by content hash; unknown assets are 404', async () => {
    const shell = (await t.app.inject({ url: '/ui/' })).body;
    const scriptUrl = /src="(\/ui\/assets\/app\.js\?v=[0-9a-f]+)"/.exec(shell)?.[1] ?? '';
    const script = await t.app.inject({ url: scriptUrl });
    assert.equal(script.statusCode, 200);
    assert.match(String(script.headers['content-type']), /^text\/javascript/);
    assert.match(String(script.headers['cache-control']), /immutable/);
    assert.match(script.body, /gatehouse-config/, 'the bundle is the page code');
    const styles = await t.app.inject({ url: '/ui/assets/app.css' });
    assert.equal(styles.statusCode, 200);
    assert.match(String(styles.headers['content-type']), /^text\/css/);
    const missing = await t.app.inject({ url: '/ui/assets/other.js' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().code, 'not_found');
  });
});

describe('UI_PATH', () => {
  it('moves the pages and the mailed links; off removes them and links use the server-rendered landing page', async () => {
    const moved = await createTestApp({ env: { LOG_LEVEL: 'silent', UI_PATH: '/members' }, database });
    try {
      assert.equal((await moved.app.inject({ url: '/members/sign-in' })).statusCode, 200);
      assert.match((await moved.app.inject({ url: '/members/' })).body, /src="\/members\/assets\/app\.js/);
      assert.equal((await moved.app.inject({ url: '/ui/sign-in' })).statusCode, 404);
      assert.equal(moved.app.gatehouse.context.magicLinks.landingUrl(), `${moved.config.publicUrl}/members/magic-link`);
    } finally {
      await moved.close();
    }
    const off = await createTestApp({ env: { LOG_LEVEL: 'silent', UI_PATH: 'off' }, database });
    try {
      assert.equal((await off.app.inject({ url: '/ui/' })).statusCode, 404);
      assert.equal(off.app.gatehouse.context.magicLinks.landingUrl(), `${off.config.publicUrl}/v1/auth/magic-links/verify`);
    } finally {
      await off.close();
    }
  });

  it('refuses a value that is not a path', () => {
    for (const value of ['ui', '/ui/', 'https://x.example/ui', '/u i']) {
      assert.throws(
        () => testConfig({ UI_PATH: value }),
        (error: unknown) => error instanceof ConfigError && error.message.startsWith('UI_PATH:'),
        value,
      );
    }
  });
});

describe('mailed links open the hosted pages', () => {
  it('password reset and email verification links point at /ui on PUBLIC_URL', async () => {
    await createUser(database.db, 'links@example.org');
    const sent = t.app.gatehouse.mailer.outbox().length;
    assert.equal((await t.app.inject({ method: 'POST', url: '/v1/auth/password/forgot', payload: { email: 'links@example.org' } })).statusCode, 202);
    await t.app.gatehouse.backgroundIdle();
    const reset = t.app.gatehouse.mailer
      .outbox()
      .slice(sent)
      .find((mail) => mail.to === 'links@example.org');
    assert.match(reset?.text ?? '', new RegExp(`${t.config.publicUrl.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}/ui/reset-password\\?token=`));
  });
});

describe('POST /admin/eligible-emails/import/preview', () => {
  const csv = 'email\nnew1@example.org\nalready@example.org\nnot-an-email\nNEW1@example.org\nnew2@example.org\n@bad\n';
  let adminCookies: Record<string, string>;
  let memberCookies: Record<string, string>;

  before(async () => {
    await createUser(database.db, 'preview-admin@example.org', { roles: ['admin'] });
    await createUser(database.db, 'preview-member@example.org', { roles: ['member'] });
    adminCookies = (await login(t.app, 'preview-admin@example.org')).cookies;
    memberCookies = (await login(t.app, 'preview-member@example.org')).cookies;
    const seeded = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/eligible-emails',
      cookies: adminCookies,
      headers: { origin: t.config.publicUrl },
      payload: { email: 'already@example.org' },
    });
    assert.equal(seeded.statusCode, 201);
  });

  const preview = (cookies: Record<string, string>): Promise<LightMyRequestResponse> =>
    t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/eligible-emails/import/preview',
      cookies,
      headers: { origin: t.config.publicUrl, 'content-type': 'text/csv' },
      payload: csv,
    });

  it('counts what the import would add, what is there already, and the invalid lines, and writes nothing', async () => {
    const countRows = async (table: 'eligible_emails' | 'audit_log'): Promise<number> =>
      Number(
        (
          await database.db
            .selectFrom(table)
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = { eligible: await countRows('eligible_emails'), audit: await countRows('audit_log') };
    const res = await preview(adminCookies);
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(res.json(), {
      added: 2,
      already_present: 1,
      invalid_count: 2,
      invalid: [
        { line: 4, value: 'not-an-email' },
        { line: 7, value: '@bad' },
      ],
    });
    assert.deepEqual({ eligible: await countRows('eligible_emails'), audit: await countRows('audit_log') }, before);
  });

  it('is for admins only, and takes text/csv only', async () => {
    assert.equal(
      (await t.app.inject({ method: 'POST', url: '/v1/auth/admin/eligible-emails/import/preview', headers: { 'content-type': 'text/csv' }, payload: csv }))
        .statusCode,
      401,
    );
    assert.equal((await preview(memberCookies)).statusCode, 403);
    const wrongType = await t.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/eligible-emails/import/preview',
      cookies: adminCookies,
      headers: { origin: t.config.publicUrl },
      payload: { emails: ['a@b.org'] },
    });
    assert.equal(wrongType.statusCode, 415);
  });
});
