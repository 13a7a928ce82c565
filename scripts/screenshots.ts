/**
 * Retakes docs/screenshots/*.png: the main hosted pages with example data, in Debian's Chromium
 * (the browser tests' set-up). Run with `npm run screenshots`; the pictures are committed docs.
 */
import path from 'node:path';
import type { Page } from 'playwright-core';
import { createUser, PASSWORD } from '../test/helpers/auth.ts';
import { linkIn, startBrowserWorld } from '../test/helpers/browser.ts';
import { insertEligibleChunk } from '../src/queries/eligibility.ts';
import { ROOT } from '../test/helpers/processes.ts';
import { createOrganizer } from '../src/services/organizers.ts';
import { importEligibleEmails } from '../src/services/eligibility.ts';
import { startReceiver } from '../test/helpers/webhook-receiver.ts';

const SCREENSHOT_KEY = 's'.repeat(40);

const OUT = path.join(ROOT, 'docs/screenshots');

async function shoot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: path.join(OUT, `${name}.png`), fullPage: true });
  console.log(`docs/screenshots/${name}.png`);
}

async function main(): Promise<void> {
  // Branded as a club would brand it (the README shows these).
  const world = await startBrowserWorld({
    BRAND_NAME: 'Run Club',
    BRAND_COLOR: '#0b6e4f',
    SUPPORT_EMAIL: 'help@runclub.example',
    WEBHOOK_ALLOW_PRIVATE: 'true',
    WEBHOOK_RETRY_SCHEDULE: '1',
    API_KEY: SCREENSHOT_KEY,
  });
  try {
    const db = world.database.db;
    const admin = await createUser(db, 'ada@example.org', { roles: ['admin', 'member'] });
    const grace = await createUser(db, 'grace@example.org', { roles: ['member', 'sustainer'] });
    await createUser(db, 'linus@example.org', { roles: ['member'] });
    const club = await createOrganizer(db, 'Run Club', { user_uuid: admin.uuid }, { actor: 'system' });
    await createOrganizer(db, 'Book Circle', { user_uuid: grace.uuid }, { actor: 'system' });
    await importEligibleEmails(db, ['ada@example.org', 'grace@example.org', 'linus@example.org', 'margaret@example.org'], 'founders', { actor: 'system' });

    // A self-registered address confirmed from a signed-out browser: the page asks to sign in first.
    await insertEligibleChunk(db, ['new.member@example.org'], 'screenshots');
    const verifyMail = world.smtp.waitFor('new.member@example.org');
    await world.app.inject({ method: 'POST', url: '/auth/register', payload: { email: 'new.member@example.org', password: PASSWORD } });
    const signedOut = await world.newPage({ width: 390, height: 844 });
    await signedOut.page.goto(linkIn((await verifyMail).text));
    await signedOut.page.getByRole('button', { name: 'Verify my email address' }).click();
    await signedOut.page.getByRole('link', { name: 'Sign in to confirm' }).waitFor();
    await shoot(signedOut.page, 'verify-email-sign-in-phone');
    await signedOut.context.close();

    const phone = await world.newPage({ width: 390, height: 844 });
    await phone.page.goto('/ui/sign-in');
    await phone.page.getByRole('heading', { name: 'Sign in' }).waitFor();
    await shoot(phone.page, 'sign-in-phone');
    await phone.page.goto('/ui/sign-in?lang=zh-CN');
    await phone.page.getByRole('heading', { name: '登录' }).waitFor();
    await shoot(phone.page, 'sign-in-phone-zh');
    await phone.page.goto('/ui/check-mail?email=ada%40example.org');
    await phone.page.getByRole('heading', { name: '请查收邮件' }).waitFor();
    await shoot(phone.page, 'check-mail-phone-zh');
    await phone.context.close();

    const desktop = await world.newPage({ width: 1100, height: 760 });
    await desktop.page.goto('/ui/sign-in/password?lang=en');
    await desktop.page.getByRole('heading', { name: 'Sign in with a password' }).waitFor();
    await shoot(desktop.page, 'sign-in-desktop');
    await desktop.page.goto('/ui/sign-in/password?lang=zh-CN');
    await desktop.page.getByRole('heading', { name: '使用密码登录' }).waitFor();
    await desktop.page.getByLabel('密码', { exact: true }).fill('a secret');
    await desktop.page.getByRole('button', { name: '显示密码' }).click();
    await shoot(desktop.page, 'sign-in-desktop-zh');
    await desktop.context.close();

    const { page } = await world.newPage({ width: 1100, height: 800 });
    await page.goto('/ui/sign-in/password');
    await page.getByLabel('Email address').fill('ada@example.org');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    await shoot(page, 'account');

    await page.goto('/ui/admin/users');
    await page.getByRole('cell', { name: 'grace@example.org', exact: true }).waitFor();
    await shoot(page, 'admin-users');

    await page.goto('/ui/admin/eligible');
    await page
      .getByLabel('CSV file', { exact: true })
      .setInputFiles({ name: 'spring.csv', mimeType: 'text/csv', buffer: Buffer.from('email\nnew.member@example.org\ngrace@example.org\nnot-an-address\n') });
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('Invalid: 1').waitFor();
    await shoot(page, 'admin-eligible-preview');

    await page.goto(`/ui/organizers/${club.uuid}`);
    await page.getByRole('heading', { name: 'Members' }).waitFor();
    await shoot(page, 'organizer-members');

    // An invitation campaign: one invitation sent, then a CSV previewed with an invalid line.
    await page.goto('/ui/admin/invitations');
    await page.getByLabel('Email', { exact: true }).first().fill('margaret@example.org');
    const invitationMail = world.smtp.waitFor('margaret@example.org');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByText('Invitation sent to margaret@example.org.').waitFor();
    await page
      .getByLabel('CSV file', { exact: true })
      .setInputFiles({ name: 'autumn.csv', mimeType: 'text/csv', buffer: Buffer.from('email\nkatherine@example.org\ngrace@example.org\nnot-an-address\n') });
    await page.getByLabel('Campaign (batch id)', { exact: true }).first().fill('autumn-2026');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('lines are not email addresses').waitFor();
    await page.getByRole('cell', { name: 'margaret@example.org', exact: true }).waitFor();
    await shoot(page, 'admin-invitations');

    // The mailed link, opened signed out: what the invitation offers, before anything is used up.
    const invitee = await world.newPage({ width: 1100, height: 800 });
    await invitee.page.goto(linkIn((await invitationMail).text));
    await invitee.page.getByRole('button', { name: 'Accept and sign in' }).waitFor();
    await shoot(invitee.page, 'invitation-accept');
    await invitee.context.close();

    // Webhooks: a receiver that takes one delivery, refuses the next, then has gone away.
    const receiver = await startReceiver();
    const created = await world.app.inject({
      method: 'POST',
      url: '/auth/admin/webhooks',
      headers: { 'x-api-key': SCREENSHOT_KEY },
      payload: { url: receiver.url, events: ['*'], description: 'Mailing list sync' },
    });
    const endpoint = created.json() as { id: string; secret: string };
    receiver.secrets = [endpoint.secret];
    await world.app.inject({ method: 'POST', url: `/auth/admin/webhooks/${endpoint.id}/test`, headers: { 'x-api-key': SCREENSHOT_KEY } });
    await receiver.waitFor((events) => events.length === 1);
    receiver.failNext(2);
    await world.app.inject({ method: 'POST', url: '/auth/admin/organizers', headers: { 'x-api-key': SCREENSHOT_KEY }, payload: { name: 'Trail Runners' } });
    await world.app.gatehouse.jobs.webhooksIdle();
    await receiver.close();
    await page.goto('/ui/admin/webhooks');
    await page.getByRole('link', { name: receiver.url }).waitFor();
    await shoot(page, 'admin-webhooks');
    await page.getByRole('link', { name: receiver.url }).click();
    await page.getByRole('cell', { name: 'failed' }).first().waitFor();
    await page.getByText('Attempts: 2').first().click();
    await page.locator('ol.attempts').first().waitFor();
    await shoot(page, 'admin-webhook-deliveries');

    await page.goto('/ui/admin/audit');
    await page.getByRole('cell', { name: 'organizer.create' }).first().waitFor();
    await shoot(page, 'admin-audit');
  } finally {
    await world.close();
  }
}

await main();
