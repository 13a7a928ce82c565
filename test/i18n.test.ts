/**
 * Languages and branding: the catalogs are complete, the hosted pages' sources write no text
 * outside them, the request's language and the club's name reach the pages and the mails.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { CATALOGS, SUPPORTED_LOCALES } from '../locales/catalog.ts';
import { ConfigError, loadConfig } from '../src/config.ts';
import { negotiateLocale } from '../src/http/locale.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser } from './helpers/auth.ts';

const placeholders = (text: string): string[] => [...text.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1] ?? '').sort();

/** Every source of the hosted pages. */
const TRANSLATED_SOURCES = [
  'web/src/pages/admin/users.ts',
  'web/src/pages/admin/roles.ts',
  'web/src/pages/admin/eligible.ts',
  'web/src/pages/admin/organizers.ts',
  'web/src/pages/admin/audit.ts',
  'web/src/confirm.ts',
  'web/src/pager.ts',
  'web/src/pages/sign-in.ts',
  'web/src/pages/register.ts',
  'web/src/pages/mailed-links.ts',
  'web/src/pages/account.ts',
  'web/src/pages/dev-outbox.ts',
  'web/src/main.ts',
  'web/src/page-guards.ts',
  'web/src/forms.ts',
  'web/src/api.ts',
  'web/src/session.ts',
  'web/src/dom.ts',
];

describe('the message catalogs', () => {
  it('every language has every key of en, with the same placeholders, and no key en lacks', () => {
    const en = CATALOGS.en;
    for (const locale of SUPPORTED_LOCALES) {
      const catalog = CATALOGS[locale];
      assert.deepEqual(Object.keys(catalog).sort(), Object.keys(en).sort(), `${locale}: keys`);
      for (const [key, text] of Object.entries(en)) {
        assert.ok((catalog[key] ?? '').trim() !== '', `${locale}: ${key} is empty`);
        assert.deepEqual(placeholders(catalog[key] ?? ''), placeholders(text), `${locale}: ${key} placeholders`);
      }
    }
  });

  it('the pages write no English sentence outside the catalogs', () => {
    // A quoted literal that starts with a capital and has a space is a sentence for people.
    const sentence = /(['`])([A-Z][a-z]+(?: [A-Za-z'’,.?!()]+)+)\1/g;
    const found: string[] = [];
    for (const file of TRANSLATED_SOURCES) {
      const source = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '');
      for (const match of source.matchAll(sentence)) found.push(`${file}: ${match[2]}`);
    }
    assert.deepEqual(found, []);
  });
});

describe('negotiating the language', () => {
  it('finds zh-CN for every way a browser asks for Chinese, honours q, and falls back to DEFAULT_LOCALE', () => {
    assert.equal(negotiateLocale('zh-CN,zh;q=0.9,en;q=0.8', 'en'), 'zh-CN');
    assert.equal(negotiateLocale('zh', 'en'), 'zh-CN');
    assert.equal(negotiateLocale('zh-Hans-CN', 'en'), 'zh-CN');
    assert.equal(negotiateLocale('en-GB,zh;q=0.5', 'zh-CN'), 'en');
    assert.equal(negotiateLocale('fr-FR,de;q=0.9', 'zh-CN'), 'zh-CN');
    assert.equal(negotiateLocale(undefined, 'en'), 'en');
    assert.equal(negotiateLocale('*;q=1, \u0000bad, en;q=0', 'zh-CN'), 'zh-CN');
  });

  it('BRAND_* and DEFAULT_LOCALE are validated at start-up', () => {
    const base = { NODE_ENV: 'test' };
    assert.throws(
      () => loadConfig({ ...base, BRAND_COLOR: 'red' }),
      (e: unknown) => e instanceof ConfigError && /BRAND_COLOR/.test(e.message),
    );
    assert.throws(
      () => loadConfig({ ...base, DEFAULT_LOCALE: 'fr' }),
      (e: unknown) => e instanceof ConfigError && /DEFAULT_LOCALE.*en, zh-CN/.test(e.message),
    );
    assert.throws(() => loadConfig({ ...base, BRAND_LOGO_URL: 'javascript:alert(1)' }), ConfigError);
    assert.throws(() => loadConfig({ ...base, SUPPORT_EMAIL: 'nobody' }), ConfigError);
    assert.equal(loadConfig(base).config.brand.name, 'Gatehouse');
  });
});

let t: TestApp;
const BRAND = { BRAND_NAME: 'Run Club', BRAND_COLOR: '#0B6E4F', BRAND_LOGO_URL: 'https://club.example/logo.svg', SUPPORT_EMAIL: 'help@club.example' };

before(async () => {
  t = await createTestApp({ env: BRAND });
  await createUser(t.database.db, 'mail-zh@example.org', { password: null });
  await createUser(t.database.db, 'mail-en@example.org', { password: null });
});
after(() => t.close());

describe('the pages and mails, in the request’s language and under the club’s name', () => {
  it('the shell: lang, title and skip link in the chosen language; ?lang= is kept in a cookie; the brand colour is a stylesheet', async () => {
    const zh = await t.app.inject({ method: 'GET', url: '/ui/sign-in', headers: { 'accept-language': 'zh-CN,zh;q=0.9' } });
    assert.match(zh.body, /<html lang="zh-CN">/);
    assert.match(zh.body, /<title>Run Club<\/title>/);
    assert.match(zh.body, /跳到主要内容/);
    assert.match(zh.body, /<img class="brand-logo" src="https:\/\/club\.example\/logo\.svg"/);
    assert.match(zh.headers.vary as string, /accept-language/);

    const chosen = await t.app.inject({ method: 'GET', url: '/ui/sign-in?lang=en', headers: { 'accept-language': 'zh-CN' } });
    assert.match(chosen.body, /<html lang="en">/);
    const cookie = chosen.cookies.find((c) => c.name === 'gatehouse_lang');
    assert.equal(cookie?.value, 'en');
    const next = await t.app.inject({ method: 'GET', url: '/ui/account', headers: { 'accept-language': 'zh-CN', cookie: 'gatehouse_lang=en' } });
    assert.match(next.body, /<html lang="en">/, 'the choice outlasts Accept-Language');

    const css = /href="(\/ui\/assets\/brand\.css\?v=[0-9a-f]+)"/.exec(zh.body)?.[1] ?? '';
    const brand = await t.app.inject({ method: 'GET', url: css });
    assert.equal(brand.body.trim(), ':root { --accent: #0b6e4f; }');
  });

  it('a sign-in mail in Chinese for a Chinese browser, in English for an English one, both under the club’s name with its support address', async () => {
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/magic-links/send',
      headers: { 'accept-language': 'zh-CN' },
      payload: { email: 'mail-zh@example.org' },
    });
    await t.app.inject({
      method: 'POST',
      url: '/v1/auth/magic-links/send',
      headers: { 'accept-language': 'en-US' },
      payload: { email: 'mail-en@example.org' },
    });
    await t.app.gatehouse.backgroundIdle();
    const zh = t.app.gatehouse.mailer.outbox().find((m) => m.to === 'mail-zh@example.org');
    const en = t.app.gatehouse.mailer.outbox().find((m) => m.to === 'mail-en@example.org');
    assert.equal(zh?.subject, '你的 Run Club 登录链接');
    assert.match(zh?.text ?? '', /该链接仅可使用一次，10 分钟后失效/);
    assert.match(zh?.text ?? '', /help@club\.example/);
    assert.equal(en?.subject, 'Your Run Club sign-in link');
    assert.match(en?.text ?? '', /sign in to Run Club/);
    assert.match(en?.text ?? '', /Questions\? Write to help@club\.example\./);
  });
});
