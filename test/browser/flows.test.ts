/**
 * The rest of the hosted pages in a real browser, so that each one is exercised against the
 * database the suite runs on: registration with the mailed verification, forgot/reset password,
 * account sessions and password change, and the admin console's roles, users, organizers,
 * members, batches and audit filter.
 */
import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import type { Page } from 'playwright-core';
import { createUser, PASSWORD } from '../helpers/auth.ts';
import { linkIn, startBrowserWorld, type BrowserWorld } from '../helpers/browser.ts';
import { importEligibleEmails } from '../../src/services/eligibility.ts';
import { startReceiver } from '../helpers/webhook-receiver.ts';

let world: BrowserWorld;
const NEW_PASSWORD = 'a different long passphrase';

const INVITE_KEY = 'k'.repeat(40);

before(async () => {
  // A webhook receiver on this machine (the webhooks console test) needs private addresses allowed.
  world = await startBrowserWorld({ API_KEY: INVITE_KEY, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1' });
});

after(async () => {
  await world.close();
});

afterEach(() => {
  assert.deepEqual(world.pageErrors.splice(0), [], 'no exception in page code');
});

async function signIn(page: Page, email: string, password = PASSWORD): Promise<void> {
  await page.goto('/ui/sign-in/password');
  await page.getByLabel('Email address').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'My account' }).waitFor();
}

describe('self-service pages', () => {
  it('register (invited address), verify the email from the mailed link', async () => {
    await importEligibleEmails(world.database.db, ['invited@example.org'], 'invites', { actor: 'system' });
    const { context, page } = await world.newPage();
    await page.goto('/ui/register');
    await page.getByLabel('Email address').fill('invited@example.org');
    await page.getByLabel('Name (optional)').fill('Invited Person');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    const mail = world.smtp.waitFor('invited@example.org');
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.match(await page.locator('.facts').innerText(), /Invited Person/);

    const link = linkIn((await mail).text);
    assert.equal(new URL(link).pathname, '/ui/verify-email');
    await page.goto(link);
    await page.getByRole('button', { name: 'Verify my email address' }).click();
    await page.getByText('invited@example.org is verified').waitFor();
    const user = await world.database.db.selectFrom('users').select('is_email_verified').where('email', '=', 'invited@example.org').executeTakeFirstOrThrow();
    assert.equal(user.is_email_verified, true);
    await context.close();
  });

  it('an invitation: the mailed link previews, then accepting with a password creates the account and signs in', async () => {
    const invited = await world.app.inject({
      method: 'POST',
      url: '/v1/auth/admin/invitations',
      headers: { 'x-api-key': INVITE_KEY },
      payload: { email: 'guest-of-honour@example.org', role_names: ['member', 'sustainer'] },
    });
    assert.equal(invited.statusCode, 201, invited.body);
    const link = linkIn((await world.smtp.waitFor('guest-of-honour@example.org')).text);
    assert.equal(new URL(link).pathname, '/ui/invitations/accept');
    const { context, page } = await world.newPage();
    await page.goto(link);
    await page.getByText('invites you to Gatehouse').waitFor();
    await page.getByText('The invitation is for guest-of-honour@example.org').waitFor();
    await page.getByLabel('Your name (optional)').fill('Guest of Honour');
    await page.getByLabel('A password (optional)').fill(PASSWORD);
    await page.getByRole('button', { name: 'Accept and sign in' }).click();
    await page.getByRole('heading', { name: 'My account' }).waitFor();
    assert.match(await page.locator('.facts').innerText(), /Guest of Honour/);
    await page.goto(link);
    await page.getByText('This invitation link is invalid, already used, revoked or expired').waitFor();
    await context.close();
  });

  it('forgot password → mailed reset link → new password works, the old one does not', async () => {
    await createUser(world.database.db, 'forgetful@example.org', { roles: ['member'] });
    const { context, page } = await world.newPage();
    await page.goto('/ui/forgot-password');
    await page.getByLabel('Email address').fill('forgetful@example.org');
    const mail = world.smtp.waitFor('forgetful@example.org');
    await page.getByRole('button', { name: 'Email me a reset link' }).click();
    await page.getByText('a reset link is on its way').waitFor();
    await page.goto(linkIn((await mail).text));
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('New password again').fill('not the same');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('The two passwords differ.').waitFor();
    await page.getByLabel('New password again').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.getByText('Your password is changed').waitFor();

    await page.goto('/ui/sign-in/password');
    await page.getByLabel('Email address').fill('forgetful@example.org');
    await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Invalid email or password').waitFor();
    await signIn(page, 'forgetful@example.org', NEW_PASSWORD);
    await context.close();
  });

  it('account: sign out everywhere else ends the other browser’s session; change password', async () => {
    await createUser(world.database.db, 'two-browsers@example.org', { roles: ['member'] });
    const first = await world.newPage();
    const second = await world.newPage();
    await signIn(first.page, 'two-browsers@example.org');
    await signIn(second.page, 'two-browsers@example.org');
    await first.page.reload();
    await first.page.getByRole('button', { name: 'Sign out everywhere else' }).click();
    await first.page.getByText('Every other session is signed out.').waitFor();
    await second.page.goto('/ui/account');
    await second.page.waitForURL(/\/ui\/sign-in\?next=/);

    await first.page.getByLabel('Current password').fill('wrong password here');
    await first.page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await first.page.getByRole('button', { name: 'Change password' }).click();
    await first.page.locator('[aria-invalid="true"]').waitFor();
    assert.equal(await first.page.getByLabel('Current password').getAttribute('aria-invalid'), 'true', 'the error sits at the current password');
    await first.page.getByLabel('Current password').fill(PASSWORD);
    await first.page.getByRole('button', { name: 'Change password' }).click();
    await first.page.getByText('Password changed.').waitFor();
    await first.context.close();
    await second.context.close();
  });
});

describe('admin console pages', () => {
  it('invitations: invite one, a CSV campaign with its counts, revoke; a membership ends on a chosen day; the yearly renewal of a list', async () => {
    await createUser(world.database.db, 'inviter@example.org', { roles: ['admin', 'member'] });
    const renewed = await createUser(world.database.db, 'renewed@example.org', { roles: ['member'] });
    const { context, page } = await world.newPage();
    await signIn(page, 'inviter@example.org');

    await page.goto('/ui/admin/invitations');
    await page.getByLabel('Email', { exact: true }).first().fill('console-invitee@example.org');
    await page.getByRole('button', { name: 'Send the invitation' }).click();
    await page.getByText('Invitation sent to console-invitee@example.org.').waitFor();
    await page.getByRole('cell', { name: 'console-invitee@example.org', exact: true }).waitFor();
    await world.smtp.waitFor('console-invitee@example.org');

    const csv = { name: 'campaign.csv', mimeType: 'text/csv', buffer: Buffer.from('email\ncamp1@example.org\ncamp2@example.org\n') };
    await page.getByLabel('CSV file', { exact: true }).setInputFiles(csv);
    await page.getByLabel('Campaign (batch id)', { exact: true }).first().fill('autumn');
    await page.getByRole('button', { name: 'Preview' }).click();
    await page.getByText('This file would invite 2; 0 are members already, 0 have an invitation.').waitFor();
    await page.getByRole('button', { name: 'Send 2 invitations' }).click();
    await page.getByText('Invited 2; 0 were members already, 0 had an invitation.').waitFor();
    await Promise.all([world.smtp.waitFor('camp1@example.org'), world.smtp.waitFor('camp2@example.org')]);
    const counts = page.getByRole('region', { name: "A campaign's counts" });
    await counts.getByLabel('Campaign (batch id)').fill('autumn');
    await counts.getByRole('button', { name: 'Show' }).click();
    await counts.getByRole('cell', { name: 'Mails sent' }).waitFor();
    assert.match(await counts.locator('table').innerText(), /In all\s+2[\s\S]*Pending\s+2[\s\S]*Mails sent\s+2/);

    await page.getByRole('button', { name: 'Revoke the invitation of camp1@example.org' }).click();
    await page.getByText('The invitation of camp1@example.org is revoked').waitFor();

    await page.goto(`/ui/admin/users/${renewed.uuid}`);
    await page.getByLabel('member ends on').fill('2031-06-30');
    await page.getByRole('button', { name: 'Set the end' }).click();
    await page.getByText('member now ends on the day you chose.').waitFor();
    assert.match(await page.locator('tbody').innerText(), /active · until/);

    // The yearly renewal of a list, in one go (all or nothing).
    await page.goto('/ui/admin/users');
    await page.getByText('Renew memberships').click();
    await page.getByLabel('Until', { exact: true }).fill('2032-01-31');
    await page.getByLabel("Members' email addresses").fill('renewed@example.org\ninviter@example.org');
    await page.getByRole('button', { name: 'Renew', exact: true }).click();
    await page.getByText('Renewed 2 and granted 0 member memberships.').waitFor();
    const expiry = await world.database.db
      .selectFrom('system_memberships as m')
      .innerJoin('roles as r', 'r.id', 'm.role_id')
      .select('m.expires_at')
      .where('m.user_uuid', '=', renewed.uuid)
      .where('r.name', '=', 'member')
      .executeTakeFirstOrThrow();
    assert.equal(expiry.expires_at?.toISOString(), '2032-01-31T00:00:00.000Z');
    await context.close();
  });

  it('webhooks: add an endpoint (its secret shown once), send a test, see the delivery and its attempts, retry, disable', async () => {
    await createUser(world.database.db, 'hooks-admin@example.org', { roles: ['admin', 'member'] });
    const receiver = await startReceiver();
    const { context, page } = await world.newPage();
    try {
      await signIn(page, 'hooks-admin@example.org');
      await page.goto('/ui/admin/webhooks');
      await page.getByText('No webhook endpoints yet.').waitFor();
      await page.getByLabel('URL', { exact: true }).fill(receiver.url);
      await page.getByLabel('Events', { exact: true }).fill('webhook.test');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByText('unknown event type: webhook.test').waitFor();
      await page.getByLabel('Events', { exact: true }).fill('*');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page.getByText(`${receiver.url} added.`).waitFor();
      const secret = (await page.locator('code.secret').innerText()).trim();
      assert.match(secret, /^whsec_/);
      receiver.secrets = [secret];

      receiver.failNext(1);
      await page.getByRole('button', { name: `Send test to ${receiver.url}` }).click();
      await page.getByText(`A test event is on its way to ${receiver.url}.`).waitFor();
      await receiver.waitFor((events) => events.some((e) => e.type === 'webhook.test'));

      await page.getByRole('link', { name: receiver.url }).click();
      await page.getByRole('heading', { name: `Deliveries to ${receiver.url}` }).waitFor();
      await page.getByRole('cell', { name: 'succeeded' }).waitFor();
      await page.getByText('Attempts: 2').click();
      await page.getByText('500, ').first().waitFor();
      assert.match(await page.locator('ol.attempts').innerText(), /: 500, \d+ ms not now\n.*: 204, \d+ ms/);
      await page.getByRole('button', { name: 'Retry the webhook.test delivery' }).click();
      await page.getByText('The delivery will be attempted again now.').waitFor();
      await receiver.waitFor(() => receiver.deliveries.length === 3);

      await page.getByRole('link', { name: 'All endpoints' }).click();
      await page.getByRole('button', { name: 'Disable' }).click();
      await page.getByText('Endpoint disabled.').waitFor();
      await page.getByText('disabled', { exact: true }).waitFor();
    } finally {
      await context.close();
      await receiver.close();
    }
  });

  it('roles, users, organizers and members, batches and the audit filter', async () => {
    await createUser(world.database.db, 'root@example.org', { roles: ['admin'] });
    const target = await createUser(world.database.db, 'target@example.org', { roles: ['member'] });
    await createUser(world.database.db, 'owner@example.org', { roles: ['member'] });
    const { context, page } = await world.newPage();
    await signIn(page, 'root@example.org');

    await page.goto('/ui/admin/roles');
    await page.getByLabel('Name', { exact: true }).fill('Bad Name');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.locator('[aria-invalid="true"]').waitFor();
    await page.getByLabel('Name', { exact: true }).fill('volunteer');
    await page.getByRole('button', { name: 'Create role' }).click();
    await page.getByText('Role volunteer created.').waitFor();
    await page.getByRole('button', { name: 'Delete role volunteer' }).click();
    // Destructive actions ask first, in a modal dialog whose safe choice has the focus.
    const dialog = page.getByRole('dialog', { name: 'Delete the role volunteer?' });
    await dialog.waitFor();
    assert.equal(await page.evaluate('document.activeElement?.textContent'), 'Cancel', 'the focus starts on Cancel');
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('cell', { name: 'volunteer', exact: true }).count(), 1, 'cancelled: nothing deleted');
    await page.getByRole('button', { name: 'Delete role volunteer' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete role' }).click();
    await page.getByText('Role volunteer deleted.').waitFor();
    assert.equal(await page.getByRole('button', { name: 'Delete role admin' }).count(), 0, 'built-in roles have no delete button');

    await page.goto(`/ui/admin/users/${target.uuid}`);
    await page.getByRole('button', { name: 'Suspend role member' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Suspend member' }).click();
    await page.getByText('member: suspended.').waitFor();
    await page.getByRole('button', { name: 'Deactivate account' }).click();
    await page.getByRole('dialog', { name: 'Deactivate this account?' }).getByRole('button', { name: 'Deactivate' }).click();
    await page.getByText('Account deactivated').waitFor();
    assert.match(await page.locator('.facts').innerText(), /deactivated/);

    await page.goto('/ui/admin/organizers');
    await page.getByLabel('Name', { exact: true }).fill('Chess Club');
    await page.getByLabel('Owner’s email (optional)').fill('nobody@example.org');
    await page.getByRole('button', { name: 'Create organizer' }).click();
    await page.getByText('No user has the email nobody@example.org: add the user first').waitFor();
    await page.getByLabel('Owner’s email (optional)').fill('owner@example.org');
    await page.getByRole('button', { name: 'Create organizer' }).click();
    await page.getByText('Organizer Chess Club created.').waitFor();
    await page.getByRole('link', { name: 'Chess Club' }).click();
    await page.getByRole('heading', { name: 'Chess Club' }).waitFor();
    await page.getByRole('form', { name: 'Add a member' }).getByLabel('Email address').fill('root@example.org');
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText('root@example.org added.').waitFor();
    await page.getByLabel('Role of root@example.org', { exact: true }).selectOption('admin');
    await page.getByRole('button', { name: 'Change role of root@example.org' }).click();
    await page.getByText('root@example.org is now admin.').waitFor();
    await page.getByRole('button', { name: 'Remove owner@example.org' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Remove member' }).click();
    await page.getByText('An organizer must keep at least one owner').waitFor();

    await importEligibleEmails(world.database.db, ['b1@example.org', 'b2@example.org'], 'old-batch', { actor: 'system' });
    await page.goto('/ui/admin/eligible');
    await page.getByRole('form', { name: 'Delete a batch' }).getByLabel('Batch').fill('old-batch');
    await page.getByRole('button', { name: 'Delete batch' }).click();
    await page.getByRole('dialog').getByRole('button', { name: 'Delete batch' }).click();
    await page.getByText('2 addresses removed.').waitFor();

    await page.goto('/ui/admin/audit');
    await page.getByLabel('Action').fill('organizer.member.role');
    // The unfiltered list shows this action too: wait for the filtered one (other actions gone).
    await page.getByRole('cell', { name: 'organizer.create' }).first().waitFor();
    await page.getByRole('button', { name: 'Filter' }).click();
    await page.getByRole('cell', { name: 'organizer.create' }).first().waitFor({ state: 'detached' });
    await page.getByRole('cell', { name: 'organizer.member.role' }).waitFor();
    assert.equal(await page.getByRole('cell', { name: 'organizer.create' }).count(), 0, 'the filter leaves other actions out');
    await context.close();
  });

  it('revoking your own admin role asks twice, then the page says you may no longer act (no stale table)', async () => {
    const me = await createUser(world.database.db, 'self@example.org', { roles: ['admin', 'member'] });
    await createUser(world.database.db, 'another-admin@example.org', { roles: ['admin'] });
    const { context, page } = await world.newPage();
    await signIn(page, 'self@example.org');
    await page.goto(`/ui/admin/users/${me.uuid}`);
    await page.getByRole('button', { name: 'Revoke role admin' }).click();
    await page.getByRole('dialog', { name: 'Revoke admin?' }).getByRole('button', { name: 'Revoke admin' }).click();
    const second = page.getByRole('dialog', { name: 'This is your own account' });
    await second.getByText('you lose the admin console at once').waitFor();
    await second.getByRole('button', { name: 'Cancel' }).click();
    await second.waitFor({ state: 'detached' });
    assert.equal(await page.getByRole('button', { name: 'Revoke role admin' }).count(), 1, 'cancelled at the second question: still admin');

    await page.getByRole('button', { name: 'Revoke role admin' }).click();
    await page.getByRole('dialog', { name: 'Revoke admin?' }).getByRole('button', { name: 'Revoke admin' }).click();
    await page.getByRole('dialog', { name: 'This is your own account' }).getByRole('button', { name: 'Yes, revoke admin for myself' }).click();
    await page.getByRole('heading', { name: 'Not allowed' }).waitFor();
    assert.equal(await page.getByRole('table').count(), 0, 'the old table is gone');
    await context.close();
  });
});
