/**
 * A 10,000-address invitation campaign: imported from CSV in one request, its 10,000 mails
 * queued in the invitations' transaction, then sent by two instances sharing the database, one
 * of them stopped half-way and a third started: every invitee gets exactly one mail, and the
 * campaign's counts say so.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, it } from 'node:test';
import type { Mailer, MailMessage, OutboxEntry } from '../src/providers/mail.ts';
import { createTestApp, type TestApp } from './helpers/app.ts';
import { createTestDatabase } from './helpers/db.ts';

const ADDRESSES = 10_000;
const API_KEY = 'c'.repeat(40);

function recordingTransport(): Mailer & { sent: MailMessage[] } {
  const sent: MailMessage[] = [];
  return { kind: 'smtp', sent, send: async (message) => void sent.push(message), outbox: (): OutboxEntry[] => [], close: async () => undefined };
}

const database = await createTestDatabase();
after(async () => database.close());

it(`${ADDRESSES.toLocaleString('en')} invitations from one CSV: each mailed exactly once across two instances and a restart`, async () => {
  const env = { LOG_LEVEL: 'silent', API_KEY, JWT_SECRET: 'w'.repeat(40) };
  const transports = [recordingTransport(), recordingTransport(), recordingTransport()];
  const apps: TestApp[] = [];
  const start = async (i: number): Promise<TestApp> => {
    const app = await createTestApp({ database, mailer: transports[i], env });
    await app.app.ready();
    apps.push(app);
    return app;
  };
  const a = await start(0);
  const b = await start(1);
  const csv = `email\n${Array.from({ length: ADDRESSES }, (_, i) => `invitee${i}@campaign.example.org`).join('\n')}\n`;
  const queuedAt = performance.now();
  const imported = await a.app.inject({
    method: 'POST',
    url: '/v1/auth/admin/invitations/import?batch_id=big',
    headers: { 'x-api-key': API_KEY, 'content-type': 'text/csv' },
    payload: csv,
  });
  assert.equal(imported.statusCode, 201, imported.body);
  assert.deepEqual(imported.json(), { invited: ADDRESSES, already_members: 0, already_invited: 0, batch_id: 'big' });
  console.log(`queued ${ADDRESSES} invitations and their mails in ${Math.round(performance.now() - queuedAt)} ms`);

  const sent = (): number => transports.reduce((sum, transport) => sum + transport.sent.length, 0);
  a.app.gatehouse.jobs.queue.wake('mail');
  b.app.gatehouse.jobs.queue.wake('mail');
  const sendStart = performance.now();
  while (sent() < ADDRESSES / 3) await sleep(50);
  await a.close(); // one instance stops half-way; the third takes over with the second
  const c = await start(2);
  c.app.gatehouse.jobs.queue.wake('mail');
  const giveUp = Date.now() + 240_000;
  while (sent() < ADDRESSES && Date.now() < giveUp) await sleep(100);
  console.log(`all sent ${Math.round(performance.now() - sendStart)} ms after the first could go`);
  await c.app.gatehouse.backgroundIdle(); // and nothing more is on its way

  const delivered = transports.flatMap((transport) => transport.sent.map((message) => message.to));
  assert.equal(delivered.length, ADDRESSES, `each mail once (${transports.map((transport) => transport.sent.length).join(' + ')})`);
  assert.equal(new Set(delivered).size, ADDRESSES);
  assert.ok((transports[0]?.sent.length ?? 0) < ADDRESSES, 'the first instance stopped before the campaign was through');
  assert.ok((transports[1]?.sent.length ?? 0) + (transports[2]?.sent.length ?? 0) > 0, 'the others took over');
  const counts = await c.app.inject({ method: 'GET', url: '/v1/auth/admin/invitation-batches/big', headers: { 'x-api-key': API_KEY } });
  assert.deepEqual(counts.json(), {
    batch_id: 'big',
    total: ADDRESSES,
    pending: ADDRESSES,
    accepted: 0,
    expired: 0,
    revoked: 0,
    mails_sent: ADDRESSES,
    mails_failed: 0,
  });
  await Promise.all(apps.slice(1).map((app) => app.close()));
});
