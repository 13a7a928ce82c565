/**
 * axe-core (WCAG 2.1 A and AA rules) on every page state of the hosted pages, in both languages,
 * on a desktop and on a 390×844 phone: zero violations. The pages run under their real CSP;
 * axe is evaluated through the browser's debugging protocol, not as a page script.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { after, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { SUPPORTED_LOCALES } from '../../locales/catalog.ts';
import { createOrganizer } from '../../src/services/organizers.ts';
import { importEligibleEmails } from '../../src/services/eligibility.ts';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { startBrowserWorld, type BrowserWorld } from '../helpers/browser.ts';

const AXE_SOURCE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');
const RULES = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'];
const VIEWPORTS = [
  { name: 'desktop', width: 1280, height: 900 },
  { name: 'phone', width: 390, height: 844 },
] as const;

let world: BrowserWorld;
const A11Y_KEY = 'y'.repeat(40);
let adminId = '';
let organizerId = '';
let webhookId = '';

before(async () => {
  world = await startBrowserWorld({
    BRAND_NAME: 'Run Club',
    BRAND_COLOR: '#0b6e4f',
    SUPPORT_EMAIL: 'help@runclub.example',
    API_KEY: A11Y_KEY,
    WEBHOOK_ALLOW_PRIVATE: 'true',
  });
  const admin = await createUser(world.database.db, 'a11y-admin@example.org', { roles: ['admin', 'member'] });
  adminId = admin.uuid;
  await createUser(world.database.db, 'a11y-member@example.org', { roles: ['member'] });
  organizerId = (await createOrganizer(world.database.db, 'Run Club', { user_uuid: admin.uuid }, { actor: 'system' })).uuid;
  await importEligibleEmails(world.database.db, ['a11y-member@example.org', 'invited@example.org'], 'spring', { actor: 'system' });
  // An endpoint nobody listens on: its test delivery fails, so the deliveries page has a row.
  const hook = await world.app.inject({
    method: 'POST',
    url: '/auth/admin/webhooks',
    headers: { 'x-api-key': A11Y_KEY },
    payload: { url: 'http://127.0.0.1:9/hooks', events: ['*'] },
  });
  webhookId = (hook.json() as { id: string }).id;
  await world.app.inject({ method: 'POST', url: `/auth/admin/webhooks/${webhookId}/test`, headers: { 'x-api-key': A11Y_KEY } });
});
after(() => world.close());

/** The violations axe finds on the page as it is now, one line each. */
async function violations(page: Page): Promise<string[]> {
  await page.evaluate(AXE_SOURCE);
  const found = (await page.evaluate(
    `axe.run(document, { runOnly: { type: 'tag', values: ${JSON.stringify(RULES)} } }).then((r) => r.violations.map((v) => v.id + ': ' + v.help + ' [' + v.nodes.map((n) => n.target.join(' ')).slice(0, 3).join(', ') + ']'))`,
  )) as string[];
  return found;
}

interface PageState {
  readonly name: string;
  readonly path: string;
  /** Waits for the state (and brings it about, e.g. opens a dialog). */
  readonly ready: (page: Page) => Promise<void>;
}

const heading = (page: Page): Promise<void> => page.locator('h1').first().waitFor();

const SIGNED_OUT: readonly PageState[] = [
  { name: 'sign-in', path: '/ui/sign-in', ready: heading },
  { name: 'sign-in by password', path: '/ui/sign-in/password', ready: heading },
  { name: 'register', path: '/ui/register', ready: heading },
  { name: 'forgot password', path: '/ui/forgot-password', ready: heading },
  { name: 'check your mail', path: '/ui/check-mail?email=a11y-member%40example.org', ready: heading },
  { name: 'magic-link landing', path: '/ui/magic-link?token=gh_not-a-real-token', ready: heading },
  { name: 'verify email', path: '/ui/verify-email?token=gh_not-a-real-token', ready: heading },
  { name: 'reset password', path: '/ui/reset-password?token=gh_not-a-real-token', ready: heading },
  { name: 'invitation link, dead', path: '/ui/invitations/accept?token=ghi_not-a-real-token', ready: heading },
  {
    name: 'sign-in with a refused password',
    path: '/ui/sign-in/password',
    ready: async (page) => {
      await page.locator('input[type=email]').fill('a11y-member@example.org');
      await page.locator('input[type=password]').fill('not the password at all');
      await page.locator('button[type=submit]').click();
      await page.locator('.form-error:not(:empty), [aria-invalid="true"]').first().waitFor();
    },
  },
  { name: 'page not found', path: '/ui/no-such-page', ready: heading },
];

const SIGNED_IN: () => readonly PageState[] = () => [
  { name: 'my account', path: '/ui/account', ready: (page) => page.locator('table').first().waitFor() },
  { name: 'admin users', path: '/ui/admin/users', ready: (page) => page.locator('tbody tr').first().waitFor() },
  { name: 'admin user', path: `/ui/admin/users/${adminId}`, ready: (page) => page.locator('tbody tr').first().waitFor() },
  {
    name: 'admin user, confirm dialog open',
    path: `/ui/admin/users/${adminId}`,
    ready: async (page) => {
      await page.locator('tbody tr').first().waitFor();
      await page.locator('button.btn-danger').first().click();
      await page.locator('dialog[open]').waitFor();
    },
  },
  { name: 'admin roles', path: '/ui/admin/roles', ready: (page) => page.locator('tbody tr').first().waitFor() },
  { name: 'admin eligible emails', path: '/ui/admin/eligible', ready: (page) => page.locator('tbody tr').first().waitFor() },
  { name: 'admin invitations', path: '/ui/admin/invitations', ready: heading },
  { name: 'admin organizers', path: '/ui/admin/organizers', ready: (page) => page.locator('tbody tr').first().waitFor() },
  { name: 'organizer members', path: `/ui/organizers/${organizerId}`, ready: (page) => page.locator('tbody tr').first().waitFor() },
  { name: 'admin audit log', path: '/ui/admin/audit', ready: (page) => page.locator('tbody tr').first().waitFor() },
  { name: 'admin webhooks', path: '/ui/admin/webhooks', ready: (page) => page.locator('tbody tr').first().waitFor() },
  {
    name: 'webhook deliveries, attempts open',
    path: `/ui/admin/webhooks/${webhookId}`,
    ready: async (page) => {
      await page.locator('tbody tr details').first().waitFor();
      await page.locator('tbody tr details summary').first().click();
      await page.locator('ol.attempts, .notice').first().waitFor();
    },
  },
];

describe('accessibility: axe-core WCAG 2.1 AA on every page state, both languages, desktop and phone', () => {
  for (const locale of SUPPORTED_LOCALES) {
    for (const viewport of VIEWPORTS) {
      it(`${locale}, ${viewport.name}: no violations`, async () => {
        const { context, page } = await world.newPage({ width: viewport.width, height: viewport.height, locale });
        const found: string[] = [];
        const visit = async (state: PageState): Promise<void> => {
          await page.goto(state.path);
          await state.ready(page);
          assert.equal(await page.getAttribute('html', 'lang'), locale, `${state.name}: <html lang>`);
          for (const violation of await violations(page)) found.push(`${state.name}: ${violation}`);
        };
        for (const state of SIGNED_OUT) await visit(state);
        await page.goto('/ui/sign-in/password');
        await page.locator('input[type=email]').fill('a11y-admin@example.org');
        await page.locator('input[type=password]').fill(PASSWORD);
        await page.locator('button[type=submit]').click();
        await page.waitForURL(/\/ui\/account/);
        for (const state of SIGNED_IN()) await visit(state);
        await context.close();
        assert.deepEqual(found, []);
      });
    }
  }
});
