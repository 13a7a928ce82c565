/** The scheduled sweep that mails expiry reminders (services/expiry-notices.ts), every 5 minutes, once across instances. */
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { pageUrl } from '../services/links.ts';
import { membershipExpiringMail } from '../services/mail-templates.ts';
import { sendDueExpiryNotices } from '../services/expiry-notices.ts';
import type { MailQueue } from './mail-queue.ts';
import type { JobQueue } from './queue.ts';

export const EXPIRY_NOTICES = 'membership-expiry-notices';

export function expiryNoticeSweep(db: Db, config: Config, mail: MailQueue): () => Promise<number> {
  const look = { locale: config.brand.defaultLocale, brand: config.brand };
  const account = pageUrl(config, 'account');
  return () =>
    sendDueExpiryNotices(db, {
      noticeDays: config.lifecycle.expiryNoticeDays,
      enqueueMail: (trx, message) => mail.enqueue(message, trx),
      messageFor: (notice) => membershipExpiringMail(notice.email, notice.role, notice.expires_at, notice.notice_days, account, look),
    });
}

export async function startExpiryNotices(queue: JobQueue, sweep: () => Promise<number>): Promise<void> {
  await queue.createQueue(EXPIRY_NOTICES);
  await queue.work(EXPIRY_NOTICES, { concurrency: 1, pollingIntervalSeconds: 30 }, async () => {
    await sweep();
  });
  await queue.schedule(EXPIRY_NOTICES, '*/5 * * * *');
}
