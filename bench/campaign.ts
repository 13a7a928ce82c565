/**
 * The bench's C1: an invitation campaign. 10,000 addresses by CSV through
 * POST /admin/invitations/import (invitations, their hashed links and their sealed mail jobs, in
 * one transaction), against the eligible-list CSV import of the same addresses (the same request
 * path without links or mails: what the invitations add). Then the queue's mail throughput: the
 * 10,000 mails from queued to accepted by a real SMTP server on 127.0.0.1, against nodemailer
 * sending 10,000 mails from this process to the same server over one pooled connection (the floor
 * of the transport). Gatehouse runs with MAIL_RATE_PER_MINUTE high enough not to limit it.
 */
import { createTransport } from 'nodemailer';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SmtpCapture } from '../test/fakes/smtp-capture.ts';
import type { Service } from './lib/processes.ts';

export interface CampaignResult {
  readonly addresses: number;
  readonly queueMs: number;
  readonly eligibleImportMs: number;
  readonly mailsPerSecond: number;
  readonly rawSmtpPerSecond: number;
}

function csvOf(addresses: number, domain: string): string {
  return `email\n${Array.from({ length: addresses }, (_, i) => `person${i}@${domain}`).join('\n')}\n`;
}

async function post(url: string, apiKey: string, body: string): Promise<number> {
  const started = performance.now();
  const res = await fetch(url, { method: 'POST', headers: { 'x-api-key': apiKey, 'content-type': 'text/csv' }, body });
  if (res.status !== 201) throw new Error(`${url} answered ${res.status}: ${await res.text()}`);
  return performance.now() - started;
}

async function rawSmtp(smtp: SmtpCapture, addresses: number): Promise<number> {
  const transport = createTransport(`${smtp.url}?pool=true&maxConnections=2`);
  const before = smtp.received.length;
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: 2 }, async () => {
      while (next < addresses) {
        const i = next++;
        await transport.sendMail({ from: 'bench@localhost', to: `raw${i}@raw.example.org`, subject: 'Raw', text: 'x'.repeat(600) });
      }
    }),
  );
  transport.close();
  if (smtp.received.length - before < addresses) throw new Error('raw SMTP: not every mail arrived');
  return addresses / ((performance.now() - started) / 1000);
}

export async function campaign(gatehouse: Service, apiKey: string, smtp: SmtpCapture, addresses: number): Promise<CampaignResult> {
  const eligibleImportMs = await post(
    `${gatehouse.url}/v1/auth/admin/eligible-emails/import?batch_id=bench-elig`,
    apiKey,
    csvOf(addresses, 'eligible.example.org'),
  );
  const before = smtp.received.length;
  const queueMs = await post(`${gatehouse.url}/v1/auth/admin/invitations/import?batch_id=bench-campaign`, apiKey, csvOf(addresses, 'campaign.example.org'));
  const queuedAt = performance.now();
  const deadline = Date.now() + 600_000;
  while (smtp.received.length - before < addresses) {
    if (Date.now() > deadline) throw new Error(`campaign: ${smtp.received.length - before} of ${addresses} mails arrived in 10 minutes`);
    await sleep(100);
  }
  const mailsPerSecond = addresses / ((performance.now() - queuedAt) / 1000);
  return { addresses, queueMs, eligibleImportMs, mailsPerSecond, rawSmtpPerSecond: await rawSmtp(smtp, addresses) };
}
