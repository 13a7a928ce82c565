/**
 * Mail through the job queue (pg-boss on the test's database): sealed at rest, retried after a
 * transport failure, delivered once across two instances and across a restart, at a shared rate;
 * and the expiry reminders, mailed once per membership and notice through the queue to a real
 * SMTP server.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import type { Mailer, MailMessage, OutboxEntry } from '../src/providers/mail.ts';
import { takeMailToken } from '../src/queries/mail-rate.ts';
import { decryptSecret, encryptSecret } from '../src/security/key-encryption.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createUser } from './helpers/auth.ts';
import { createTestDatabase, type TestDatabase } from './helpers/db.ts';
import { startSmtpCapture, type SmtpCapture } from './fakes/smtp-capture.ts';

const API_KEY = 'm'.repeat(40);

/** A transport that keeps what it sends, refuses the first `failures` sends, and takes `delayMs` for each. */
function flakyTransport(failures: number, delayMs = 0): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  let left = failures;
  return {
    kind: 'smtp',
    sent,
    async send(message): Promise<void> {
      await sleep(delayMs);
      if (left > 0) {
        left -= 1;
        throw new Error('421 try again later');
      }
      sent.push(message);
    },
    outbox: (): OutboxEntry[] => [],
    close: async () => undefined,
  };
}

const mail = (i: number): MailMessage => ({
  to: `reader${i}@example.org`,
  subject: `Mail ${i}`,
  text: `secret link https://x.test/ui/magic-link?token=tok${i}`,
  html: '',
});

describe('mail jobs', () => {
  let database: TestDatabase;
  before(async () => {
    database = await createTestDatabase();
  });
  after(async () => database.close());

  it('is sealed at rest, retried after a transport failure, and sent once', async () => {
    const transport = flakyTransport(1);
    const t = await createTestApp({ database, mailer: transport, env: { LOG_LEVEL: 'silent' } });
    try {
      await t.app.ready();
      await t.app.gatehouse.context.mailer.send(mail(1));
      await t.app.gatehouse.backgroundIdle();
      assert.equal(transport.sent.length, 0, 'the first attempt failed');
      const jobs = await sql<{
        state: string;
        data: string;
        retry_count: number;
      }>`select state, data::text as data, retry_count from pgboss.job where name = 'mail'`.execute(database.db);
      assert.equal(jobs.rows.length, 1);
      assert.equal(jobs.rows[0]?.state, 'retry');
      assert.ok(!jobs.rows[0]?.data.includes('tok1') && !jobs.rows[0]?.data.includes('reader1'), 'neither the link nor the address is readable in the job');
      // The retry is due in 30 s; move it to now instead of waiting.
      await sql`update pgboss.job set start_after = now() where name = 'mail'`.execute(database.db);
      t.app.gatehouse.jobs.queue.wake('mail');
      await t.app.gatehouse.backgroundIdle();
      assert.deepEqual(
        transport.sent.map((m) => m.to),
        ['reader1@example.org'],
      );
    } finally {
      await t.close();
    }
  });

  it('two instances on one database deliver each mail once; a restart in the middle loses none', async () => {
    // The first instance is slow (50 ms a mail), so its shutdown comes while mail is still queued.
    const first = flakyTransport(0, 50);
    const second = flakyTransport(0);
    const third = flakyTransport(0);
    // Instances of one deployment share JWT_SECRET, under which mail jobs are sealed.
    const env = { LOG_LEVEL: 'silent', JWT_SECRET: 'q'.repeat(40) };
    const a = await createTestApp({ database, mailer: first, env });
    const b = await createTestApp({ database, mailer: second, env });
    await Promise.all([a.app.ready(), b.app.ready()]);
    for (let i = 0; i < 30; i++) await a.app.gatehouse.context.mailer.send(mail(100 + i));
    await a.close(); // mid-way: A stops (finishing what it runs); what it had not taken stays queued
    b.app.gatehouse.jobs.queue.wake('mail');
    await b.app.gatehouse.backgroundIdle();
    const c = await createTestApp({ database, mailer: third, env });
    await c.app.ready();
    await c.app.gatehouse.backgroundIdle();
    await Promise.all([b.close(), c.close()]);
    assert.ok(first.sent.length < 30, `the first instance stopped before it had sent everything (${first.sent.length})`);
    const delivered = [...first.sent, ...second.sent, ...third.sent].map((m) => m.to).sort();
    assert.equal(delivered.length, 30, `each mail once (${first.sent.length}, ${second.sent.length} and ${third.sent.length} by the three instances)`);
    assert.equal(new Set(delivered).size, 30);
  });

  it('is sealed under a key of its own: a mail job does not open as a signing key, nor the reverse', () => {
    const secret = 'z'.repeat(40);
    assert.equal(decryptSecret(secret, encryptSecret(secret, 'link', 'mail-job'), 'mail-job'), 'link');
    assert.throws(() => decryptSecret(secret, encryptSecret(secret, 'link', 'mail-job'), 'signing-key'));
    assert.throws(() => decryptSecret(secret, encryptSecret(secret, 'key', 'signing-key'), 'mail-job'));
  });

  it('the rate is shared: of 100 concurrent draws on a bucket of 60 a minute, exactly 60 get a token', async () => {
    await sql`delete from mail_rate`.execute(database.db);
    const waits = await Promise.all(Array.from({ length: 100 }, () => takeMailToken(database.db, 60)));
    assert.equal(waits.filter((wait) => wait === 0).length, 60);
    const next = waits.find((wait) => wait > 0) ?? 0;
    assert.ok(next > 0 && next <= 1.1, `the next token is about a second away (${next} s)`);
  });
});

describe('expiry reminders', () => {
  let t: TestApp;
  let smtp: SmtpCapture;
  before(async () => {
    smtp = await startSmtpCapture();
    t = await createTestApp({ env: { LOG_LEVEL: 'silent', API_KEY, SMTP_URL: smtp.url, MEMBERSHIP_EXPIRY_NOTICE_DAYS: '30,7' } });
    await t.app.ready();
  });
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const days = (n: number): string => new Date(Date.now() + n * 86_400_000).toISOString();
  async function member(email: string, expiresAt: string | null, flags: { is_suspended?: boolean } = {}): Promise<string> {
    const user = await createUser(t.database.db, email);
    await sql`insert into system_memberships (user_uuid, role_id, config, expires_at, is_suspended)
      select ${user.uuid}, id, '{}'::jsonb, ${expiresAt}::timestamptz, ${flags.is_suspended ?? false} from roles where name = 'sustainer'`.execute(
      t.database.db,
    );
    return user.uuid;
  }

  it('mails the smallest due notice once per membership and expiry date, through the queue, over SMTP', async () => {
    await member('in-20-days@example.org', days(20));
    const soon = await member('in-5-days@example.org', days(5));
    await member('in-60-days@example.org', days(60));
    await member('expired@example.org', days(-1));
    await member('suspended@example.org', days(3), { is_suspended: true });

    assert.equal(await t.app.gatehouse.jobs.sweepExpiryNotices(), 2);
    await t.app.gatehouse.backgroundIdle();
    const to = smtp.received.map((m) => m.to[0]).sort();
    assert.deepEqual(to, ['in-20-days@example.org', 'in-5-days@example.org']);
    assert.match(smtp.received.find((m) => m.to[0] === 'in-5-days@example.org')?.text ?? '', /sustainer membership of Gatehouse ends on .* \(in 7 days\)/);
    assert.equal(await t.app.gatehouse.jobs.sweepExpiryNotices(), 0, 'a second sweep mails nothing');

    // Renewed to a new date: that date gets its own notices.
    await t.app.inject({
      method: 'PATCH',
      url: `/v1/auth/admin/users/${soon}/roles/sustainer`,
      headers: { 'x-api-key': API_KEY },
      payload: { expires_at: days(6) },
    });
    assert.equal(await t.app.gatehouse.jobs.sweepExpiryNotices(), 1);
    await t.app.gatehouse.backgroundIdle();
    assert.equal(smtp.received.length, 3);
  });

  it('runs as a job any instance can take', async () => {
    await member('queued-sweep@example.org', days(2));
    await t.app.gatehouse.jobs.queue.send('membership-expiry-notices', {});
    t.app.gatehouse.jobs.queue.wake('membership-expiry-notices');
    const mailed = await smtp.waitFor('queued-sweep@example.org', 10_000);
    assert.match(mailed.text, /in 7 days/);
  });
});
