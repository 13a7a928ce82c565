/**
 * The hosted pages in a real browser (Debian's Chromium through playwright-core), against the
 * service on 127.0.0.1 with mail over SMTP: what a member and an admin do, and what a
 * non-admin may not. Run by `npm run test:browser` (.ci/run runs it on both databases).
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { linkIn, startBrowserWorld, type BrowserWorld } from '../helpers/browser.ts';
import { createOrganizer } from '../../src/services/organizers.ts';

let world: BrowserWorld;
const WELCOME = 'https://app.example.org/welcome';

before(async () => {
  world = await startBrowserWorld({ ALLOWED_REDIRECT_URLS: WELCOME });
});

after(async () => {
  await world.close();
});

afterEach(() => {
  assert.deepEqual(world.pageErrors.splice(0), [], 'no exception in page code');
});

async function signInWithPassword(page: Page, email: string, query = ''): Promise<void> {
  await page.goto(`/ui/sign-in/password${query}`);
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('a member', () => {
  it('signs in by magic link (read from the SMTP capture), sees their memberships, and signs out', async () => {
    const member = await createUser(world.database.db, 'member@example.org', { password: null, roles: ['member'] });
    await createOrganizer(world.database.db, 'Run Club', { user_uuid: member.uuid }, { actor: 'system' });
    const { context, page } = await world.newPage({ width: 390, height: 844 });
    await page.goto('/ui/');
    await page.getByLabel('Email address').fill('Member@Example.org');
    const mail = world.smtp.waitFor('member@example.org');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    await page.getByRole('heading', { name: 'Check your mail' }).waitFor();

    const link = new URL(linkIn((await mail).text));
    assert.equal(`${link.origin}${link.pathname}`, `${world.origin}/ui/magic-link`);
    await page.goto(link.href);
    assert.equal(new URL(page.url()).search, '', 'the token leaves the address bar before anything else');
    await page.getByRole('button', { name: 'Continue' }).click();

    await page.getByRole('heading', { name: 'My account' }).waitFor();
    const memberships = page.getByRole('table').first();
    assert.match(await memberships.innerText(), /Club role\s+member\s+active/);
    assert.match(await memberships.innerText(), /Organizer\s+Run Club \(owner\)/);
    assert.match(await page.locator('main').innerText(), /This browser \(Chrome on Linux\)/);
    // On a phone the sessions table (five columns) is one card per row, each cell labelled.
    const stacked = await page.evaluate(`(() => {
      const cell = document.querySelector('table.stack tbody td');
      return cell === null ? null : { label: getComputedStyle(cell, '::before').content, display: getComputedStyle(cell).display };
    })()`);
    assert.deepEqual(stacked, { label: '"Device"', display: 'grid' });

    await page.getByRole('navigation', { name: 'Main' }).getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    assert.equal(
      (await context.cookies()).some((cookie) => cookie.name === 'access_token' && cookie.value !== ''),
      false,
    );
    await page.goto('/ui/account');
    await page.waitForURL(/\/ui\/sign-in\?next=%2Fui%2Faccount/);
    await context.close();
  });

  it('a Chinese browser on a phone gets the sign-in card in Chinese; the password can be shown; English is one link away', async () => {
    const { context, page } = await world.newPage({ width: 390, height: 844, locale: 'zh-CN' });
    await page.goto('/ui/sign-in/password');
    await page.getByRole('heading', { name: '使用密码登录' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'zh-CN');
    const password = page.getByLabel('密码', { exact: true });
    await password.fill('not shown by default');
    assert.equal(await password.getAttribute('type'), 'password');
    const toggle = page.getByRole('button', { name: '显示密码' });
    await toggle.click();
    assert.equal(await password.getAttribute('type'), 'text');
    assert.equal(await page.getByRole('button', { name: '隐藏密码' }).getAttribute('aria-pressed'), 'true');
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Sign in with a password' }).waitFor();
    assert.equal(await page.getAttribute('html', 'lang'), 'en');
    await context.close();
  });

  it('a used link is refused on the page, and nobody is signed in', async () => {
    await createUser(world.database.db, 'twice@example.org', { password: null, roles: ['member'] });
    const { context, page } = await world.newPage();
    const mail = world.smtp.waitFor('twice@example.org');
    await page.goto('/ui/sign-in');
    await page.getByLabel('Email address').fill('twice@example.org');
    await page.getByRole('button', { name: 'Email me a sign-in link' }).click();
    const link = linkIn((await mail).text);
    const token = new URL(link).searchParams.get('token');
    const used = await page.request.post('/v1/auth/authenticate', { data: { token }, headers: { origin: world.origin } });
    assert.equal(used.status(), 200);
    await context.clearCookies();
    await page.goto(link);
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('This link is invalid, already used or expired').waitFor();
    assert.match(page.url(), /\/ui\/magic-link$/);
    await context.close();
  });

  it('is sent on to an allowed redirect_url after sign-in, and to their account for any other', async () => {
    await createUser(world.database.db, 'redirect@example.org', { roles: ['member'] });
    const { context, page } = await world.newPage();
    await page.route('https://app.example.org/**', (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<h1>front end</h1>' }));
    await signInWithPassword(page, 'redirect@example.org', `?redirect_url=${encodeURIComponent(WELCOME)}`);
    await page.waitForURL(WELCOME);
    await context.clearCookies();
    await signInWithPassword(
      page,
      'redirect@example.org',
      `?redirect_url=${encodeURIComponent('https://evil.example/steal')}&next=${encodeURIComponent('//evil.example/x')}`,
    );
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/ui/account');
    await context.close();
  });

  it('sees API errors next to the field they concern, and can sign in with the keyboard alone', async () => {
    const { context, page } = await world.newPage();
    await page.goto('/ui/register');
    await page.getByLabel('Email address').fill('not-eligible@example.org');
    await page.getByLabel('Password', { exact: true }).fill('short');
    await page.getByRole('button', { name: 'Create account' }).click();
    const password = page.getByLabel('Password', { exact: true });
    await page.locator('[aria-invalid="true"]').first().waitFor();
    assert.equal(await password.getAttribute('aria-invalid'), 'true');
    const errorId = (await password.getAttribute('aria-describedby'))?.split(' ').pop() ?? '';
    assert.match(await page.locator(`[id="${errorId}"]`).innerText(), /12/);

    await createUser(world.database.db, 'keyboard@example.org', { roles: ['member'] });
    await page.goto('/ui/sign-in/password');
    await page.getByLabel('Email address').focus();
    await page.keyboard.type('keyboard@example.org');
    await page.keyboard.press('Tab');
    await page.keyboard.type(PASSWORD);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await context.close();
  });
});

describe('an admin', () => {
  it('uploads a CSV of eligible emails with a preview, grants a role, and sees both in the audit log', async () => {
    const admin = await createUser(world.database.db, 'admin@example.org', { roles: ['admin'] });
    const grantee = await createUser(world.database.db, 'grantee@example.org', { roles: ['member'] });
    const { context, page } = await world.newPage();
    await signInWithPassword(page, 'admin@example.org');
    await page.getByRole('heading', { name: 'My account' }).waitFor();

    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('link', { name: 'Eligible emails' }).click();
    await page.getByRole('heading', { name: 'Eligible emails' }).waitFor();
    const file = (text: string): { name: string; mimeType: string; buffer: Buffer } => ({
      name: 'members.csv',
      mimeType: 'text/csv',
      buffer: Buffer.from(text),
    });
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(file('email\nnew1@example.org\nbroken-address\nnew2@example.org\n'));
    await page.getByLabel('Batch (optional)').last().fill('spring-2026');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('Invalid: 1').waitFor();
    assert.match(await page.getByRole('table', { name: 'Invalid lines' }).innerText(), /3\s+broken-address/);
    assert.equal(await page.getByRole('button', { name: /^Import/ }).isDisabled(), true, 'a file with invalid lines cannot be imported');

    await page.getByLabel('CSV file', { exact: true }).setInputFiles(file('email\nnew1@example.org\nNEW2@example.org\ngrantee@example.org\n'));
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('To add: 3').waitFor();
    await page.getByRole('button', { name: 'Import 3 new addresses' }).click();
    await page.getByText('Successfully added 3 eligible emails').waitFor();
    await page.getByLabel('Email contains').fill('new');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('cell', { name: 'new2@example.org', exact: true }).waitFor();
    assert.match(await page.getByRole('row', { name: /new1@example.org/ }).innerText(), /spring-2026/);

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByLabel('Email contains').fill('grantee');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.getByRole('link', { name: 'grantee@example.org' }).click();
    await page.getByRole('heading', { name: 'grantee@example.org' }).waitFor();
    await page.getByLabel('Role', { exact: true }).selectOption('sustainer');
    await page.getByRole('button', { name: 'Grant role' }).click();
    await page.getByText('sustainer granted.').waitFor();
    assert.match(await page.getByRole('row', { name: /sustainer/ }).innerText(), /sustainer\s+active/);

    // "Add user": an account now, so it can be named before its first sign-in.
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByText('Add user', { exact: true }).first().click();
    await page.getByLabel('Email', { exact: true }).fill('Added@Example.org');
    await page.getByLabel('Name (optional)').fill('Added Person');
    await page.getByRole('button', { name: 'Add user' }).click();
    await page.getByRole('heading', { name: 'added@example.org' }).waitFor();
    assert.match(await page.getByRole('row', { name: /member/ }).innerText(), /member\s+active/);

    await page.getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('cell', { name: 'user.role.grant' }).waitFor();
    const grant = page.getByRole('row', { name: /user\.role\.grant/ });
    const entry = await grant.innerText();
    // People by email, not by uuid; and the filter takes an email too.
    assert.ok(entry.includes('admin@example.org') && entry.includes('grantee@example.org'), `actor and target in: ${entry}`);
    assert.ok(!entry.includes(admin.uuid) && !entry.includes(grantee.uuid), `no uuids in: ${entry}`);
    await page.getByLabel('Actor').fill('Admin@Example.org');
    await page.getByRole('button', { name: 'Filter' }).click();
    // Until the filtered page is drawn, the unfiltered one is on screen: wait for it to show only the admin.
    await page.waitForFunction(
      `(() => { const cells = [...document.querySelectorAll('table tbody tr td:nth-child(2)')]; return cells.length > 0 && cells.every((cell) => cell.textContent === 'admin@example.org'); })()`,
    );
    await page.getByRole('cell', { name: 'user.role.grant' }).waitFor();
    const actors = await page.locator('table tbody tr td:nth-child(2)').allInnerTexts();
    assert.ok(actors.length > 0 && actors.every((actor) => actor === 'admin@example.org'), `only the admin's entries: ${actors.join(', ')}`);
    await page.getByRole('cell', { name: 'eligible_emails.import' }).waitFor();
    await context.close();
  });
});

describe('a non-admin', () => {
  it('is refused the console: the page says so and the API behind it answers 403', async () => {
    await createUser(world.database.db, 'plain@example.org', { roles: ['member'] });
    const { context, page } = await world.newPage();
    await signInWithPassword(page, 'plain@example.org');
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.equal(await page.getByRole('link', { name: 'Admin' }).count(), 0, 'no Admin link for members');
    for (const path of ['/ui/admin/users', '/ui/admin/eligible', '/ui/admin/audit']) {
      await page.goto(path);
      await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
      assert.equal(await page.getByRole('table').count(), 0, `${path} shows no data`);
    }
    const status = await page.evaluate(async () => (await fetch('/v1/auth/admin/users', { credentials: 'same-origin' })).status);
    assert.equal(status, 403);
    await context.close();
  });
});
