/**
 * The `gatehouse` command against this file's own database: in-process (test/helpers/cli.ts),
 * and once as a real process (the first test), so the binary itself is proven to run.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../migrations/index.ts';
import { createEmptyPostgresDatabase, type TestDatabase } from './helpers/db.ts';

const MIGRATIONS = Object.keys(migrations);
import { runCliInProcess } from './helpers/cli.ts';
import { runCli, type RunResult } from './helpers/processes.ts';

let env: Record<string, string>;
let pgDatabase: TestDatabase | null = null;
const dir = mkdtempSync(path.join(tmpdir(), 'gh-cli-'));

before(async () => {
  pgDatabase = await createEmptyPostgresDatabase();
  env = { NODE_ENV: 'development', DATA_DIR: path.join(dir, 'data'), LOG_LEVEL: 'warn', ...(pgDatabase?.url ? { DATABASE_URL: pgDatabase.url } : {}) };
});
after(async () => pgDatabase?.close());

function cli(args: string[], input?: string): Promise<RunResult> {
  return runCliInProcess(args, env, input);
}

function csv(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('gatehouse CLI', () => {
  it('migrate applies the schema once; the second run is a no-op', async () => {
    // The command as a real process (the rest of this file runs it in-process).
    const first = await runCli(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`Applied ${MIGRATIONS.length} migration\\(s\\): ${MIGRATIONS.join(', ')}`));
    const second = await cli(['migrate']);
    assert.equal(second.code, 0, second.stderr);
    assert.match(second.stdout, /up to date; nothing to apply/);
  });

  it('import-eligible adds, reports already-present, and refuses a file with invalid lines whole', async () => {
    const good = csv('good.csv', 'name,email\nAda,Ada@Example.org\nBob, bob@example.org \nAda again,ada@example.org\n\n');
    const first = await cli(['import-eligible', good, '--batch', 'spring']);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, /added: 2, already present: 0, invalid: 0/);

    const mixed = csv('mixed.csv', 'carol@example.org\nnot-an-address\nbob@example.org\nalso bad@example.org\n');
    const refused = await cli(['import-eligible', mixed]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /line 2: invalid address "not-an-address"/);
    assert.match(refused.stderr, /line 4: invalid address "also bad@example.org"/);
    assert.match(refused.stderr, /Nothing was imported/);

    const again = await cli(['import-eligible', csv('again.csv', 'carol@example.org\nbob@example.org\n')]);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /added: 1, already present: 1/, 'carol was not written by the refused import');
  });

  it('create-admin reads the password from stdin; users, roles, grant and revoke work', async () => {
    const created = await cli(['create-admin', 'Root@Example.org', '--password-stdin'], 'a long enough passphrase\n');
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /Created admin root@example.org/);
    const tooShort = await cli(['create-admin', 'short@example.org', '--password-stdin'], 'short\n');
    assert.equal(tooShort.code, 1);
    assert.match(tooShort.stderr, /at least 12 characters/);

    const role = await cli(['roles', 'create', 'editors', '--description', 'Editors']);
    assert.equal(role.code, 0, role.stderr);
    const badRole = await cli(['roles', 'create', 'Bad Name']);
    assert.equal(badRole.code, 1);
    const roles = await cli(['roles', 'list']);
    assert.match(roles.stdout, /admin\tAdministrator with full access/);
    assert.match(roles.stdout, /editors\tEditors/);

    assert.equal((await cli(['users', 'grant', 'root@example.org', 'editors'])).code, 0);
    const listed = await cli(['users', 'list', '--role', 'editors']);
    assert.match(listed.stdout, /root@example\.org\t[0-9a-f-]{36}\tactive\tadmin,editors/);
    const lastAdmin = await cli(['users', 'revoke', 'root@example.org', 'admin']);
    assert.equal(lastAdmin.code, 1);
    assert.match(lastAdmin.stderr, /last active admin/);
    assert.equal((await cli(['users', 'revoke', 'root@example.org', 'editors'])).code, 0);
    const unknown = await cli(['users', 'grant', 'nobody@example.org', 'editors']);
    assert.equal(unknown.code, 1);
    assert.match(unknown.stderr, /No user with email nobody@example.org/);
  });

  it('users add/show, eligible list, organizers create/add-member/members/remove-member, with --json for scripts', async () => {
    const added = await cli(['users', 'add', 'Grace@Example.org', '--name', 'Grace', '--role', 'member', '--role', 'sustainer', '--json']);
    assert.equal(added.code, 0, added.stderr);
    const grace = JSON.parse(added.stdout) as { uuid: string; email: string };
    assert.equal(grace.email, 'grace@example.org');
    const shown = await cli(['users', 'show', 'grace@example.org']);
    assert.match(shown.stdout, /member \(active\)/);
    assert.match(shown.stdout, /sustainer \(active\)/);
    assert.equal((await cli(['users', 'add', 'grace@example.org'])).code, 1, 'a taken email is refused');

    const listed = await cli(['eligible', 'list', '--batch', 'spring', '--json']);
    assert.deepEqual(
      listed.stdout
        .trim()
        .split('\n')
        .map((line) => (JSON.parse(line) as { email: string }).email),
      ['ada@example.org', 'bob@example.org'],
    );

    const created = await cli(['organizers', 'create', 'Night Runners', '--owner', 'root@example.org', '--json']);
    assert.equal(created.code, 0, created.stderr);
    const organizer = JSON.parse(created.stdout) as { uuid: string };
    assert.equal((await cli(['organizers', 'add-member', 'Night Runners', 'grace@example.org', 'admin'])).code, 0);
    const members = await cli(['organizers', 'members', organizer.uuid]);
    assert.match(members.stdout, /root@example\.org\towner/);
    assert.match(members.stdout, /grace@example\.org\tadmin/);
    assert.match(members.stdout, /2 members/);
    const eligibleOnly = await cli(['organizers', 'add-member', 'Night Runners', 'ada@example.org', 'member']);
    assert.equal(eligibleOnly.code, 1);
    assert.match(eligibleOnly.stderr, /on the eligible list, and becomes a user at its first sign-in/);
    const lastOwner = await cli(['organizers', 'remove-member', 'Night Runners', 'root@example.org']);
    assert.equal(lastOwner.code, 1);
    assert.match(lastOwner.stderr, /at least one owner/);
    assert.equal((await cli(['organizers', 'remove-member', 'Night Runners', 'grace@example.org'])).code, 0);
    assert.match((await cli(['organizers', 'list'])).stdout, new RegExp(`Night Runners\t${organizer.uuid}`));
    const noSuch = await cli(['organizers', 'members', 'Day Walkers']);
    assert.match(noSuch.stderr, /No organizer is named "Day Walkers"/);
  });

  it('memberships: grant --until, the renewal (all or nothing) and who is expiring', async () => {
    for (const email of ['renewal-a@example.org', 'renewal-b@example.org']) assert.equal((await cli(['users', 'add', email])).code, 0);
    const soon = new Date(Date.now() + 10 * 86_400_000).toISOString();
    const granted = await cli(['users', 'grant', 'renewal-a@example.org', 'sustainer', '--until', soon]);
    assert.equal(granted.code, 0, granted.stderr);
    assert.match(granted.stdout, new RegExp(`until ${soon}`));
    assert.equal((await cli(['users', 'grant', 'renewal-a@example.org', 'sustainer', '--until', '2020-01-01'])).code, 1, 'a past date is refused');
    const expiring = await cli(['memberships', 'expiring', '--before', new Date(Date.now() + 30 * 86_400_000).toISOString(), '--role', 'sustainer']);
    assert.equal(expiring.stdout.trim(), `renewal-a@example.org\tsustainer\t${soon}`);

    const refused = await cli(['memberships', 'renew', 'sustainer', 'renewal-a@example.org', 'nobody-at-all@example.org', '--until', '2099-01-31']);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /No user has the email nobody-at-all@example.org/);
    const renewed = await cli(['memberships', 'renew', 'sustainer', 'renewal-a@example.org', 'renewal-b@example.org', '--until', '2099-01-31']);
    assert.equal(renewed.code, 0, renewed.stderr);
    assert.match(renewed.stdout, /Renewed 1 and granted 1 sustainer memberships until 2099-01-31T00:00:00.000Z/);
    assert.equal((await cli(['memberships', 'expiring', '--before', new Date(Date.now() + 30 * 86_400_000).toISOString()])).stdout.trim(), '');
  });

  it('invitations: send, import a CSV (all or nothing), the campaign counts, list and revoke; mails are queued for the service', async () => {
    const sent = await cli(['invitations', 'send', 'cli-invitee@example.org', '--role', 'member', '--role', 'active', '--message', 'Hi']);
    assert.equal(sent.code, 0, sent.stderr);
    assert.match(sent.stdout, /Invited cli-invitee@example.org \(member, active\) until .*: [0-9a-f-]{36}/);
    assert.equal((await cli(['invitations', 'send', 'cli-invitee@example.org'])).code, 1, 'one pending invitation per address');
    const bad = await cli(['invitations', 'import', csv('bad-invites.csv', 'email\nok@example.org\nnot an email\n'), '--batch', 'cli-camp']);
    assert.equal(bad.code, 1);
    const good = await cli([
      'invitations',
      'import',
      csv('invites.csv', 'email\nc1@example.org\nc2@example.org\ncli-invitee@example.org\n'),
      '--batch',
      'cli-camp',
    ]);
    assert.equal(good.code, 0, good.stderr);
    assert.match(good.stdout, /Invited 2; already members 0; already invited 1 \(batch cli-camp\)/);
    const counts = await cli(['invitations', 'batch', 'cli-camp', '--json']);
    assert.deepEqual(JSON.parse(counts.stdout), {
      batch_id: 'cli-camp',
      total: 2,
      pending: 2,
      accepted: 0,
      expired: 0,
      revoked: 0,
      mails_sent: 0,
      mails_failed: 0,
    });
    const listed = (await cli(['invitations', 'list', '--batch', 'cli-camp', '--json'])).stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { id: string; email: string });
    assert.deepEqual(listed.map((row) => row.email).sort(), ['c1@example.org', 'c2@example.org']);
    assert.equal((await cli(['invitations', 'revoke', listed[0]?.id ?? ''])).code, 0);
    assert.equal((JSON.parse((await cli(['invitations', 'batch', 'cli-camp', '--json'])).stdout) as { revoked: number }).revoked, 1);
    assert.equal((await cli(['organizers', 'create', 'Invite Club'])).code, 0);
    const toOrganizer = await cli(['invitations', 'send', 'org-invitee@example.org', '--organizer', 'Invite Club', '--as', 'admin']);
    assert.equal(toOrganizer.code, 0, toOrganizer.stderr);
    assert.match(toOrganizer.stdout, /Invited org-invitee@example.org to Invite Club as admin/);
  });

  it('eligibility-rules: add (a public suffix refused), list, remove', async () => {
    assert.equal((await cli(['eligibility-rules', 'add', 'co.uk'])).code, 1, 'a public suffix alone');
    const added = await cli(['eligibility-rules', 'add', 'Partner.Example.ORG', '--subdomains', '--until', '2099-01-31', '--note', 'partner']);
    assert.equal(added.code, 0, added.stderr);
    assert.match(added.stdout, /Added partner.example.org and its subdomains until 2099-01-31T00:00:00.000Z: ([0-9a-f-]{36})/);
    const rule = JSON.parse((await cli(['eligibility-rules', 'list', '--json'])).stdout.trim()) as { id: string; domain: string; note: string };
    assert.equal(rule.domain, 'partner.example.org');
    assert.equal(rule.note, 'partner');
    assert.equal((await cli(['eligibility-rules', 'remove', rule.id])).code, 0);
    assert.equal((await cli(['eligibility-rules', 'list'])).stdout.trim(), '');
  });

  it('webhooks: create (the secret once), list, test, deliveries, replay, delete', async () => {
    const local = (args: string[]): Promise<RunResult> => runCliInProcess(args, { ...env, WEBHOOK_ALLOW_PRIVATE: 'true' });
    assert.equal((await cli(['webhooks', 'create', 'http://127.0.0.1:9/hooks'])).code, 1, 'a loopback URL without WEBHOOK_ALLOW_PRIVATE');
    const created = await local(['webhooks', 'create', 'http://127.0.0.1:9/hooks', '--events', 'user.created,membership.granted']);
    assert.equal(created.code, 0, created.stderr);
    const id = /Created ([0-9a-f-]{36})/.exec(created.stdout)?.[1] ?? '';
    assert.match(created.stdout, /Signing secret \(shown once; give it to the receiver\): whsec_/);
    const listed = JSON.parse((await local(['webhooks', 'list', '--json'])).stdout.trim()) as { id: string; events: string[]; enabled: boolean };
    assert.deepEqual({ id: listed.id, events: listed.events, enabled: listed.enabled }, { id, events: ['user.created', 'membership.granted'], enabled: true });
    assert.doesNotMatch((await local(['webhooks', 'list', '--json'])).stdout, /whsec_/);
    assert.match((await local(['webhooks', 'test', id])).stdout, /Queued a webhook.test event \(evt_[0-9a-f]{32}\)/);
    const deliveries = (await local(['webhooks', 'deliveries', id, '--json'])).stdout.trim().split('\n');
    assert.equal(deliveries.length, 1);
    assert.equal((JSON.parse(deliveries[0] ?? '{}') as { type: string; status: string }).type, 'webhook.test');
    assert.match((await local(['webhooks', 'replay', id, '--since', '2020-01-01'])).stdout, /Queued \d+ deliveries/);
    assert.equal((await local(['webhooks', 'delete', id])).code, 0);
    assert.equal((await local(['webhooks', 'list'])).stdout.trim(), '');
  });

  it('a missing role is named as the role, with the roles that exist', async () => {
    const res = await cli(['users', 'grant', 'root@example.org', 'editor']);
    assert.equal(res.code, 1);
    assert.match(res.stderr, /No role named "editor" \(roles: .*admin.*\)/);
  });
});
