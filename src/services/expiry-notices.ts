/**
 * Reminders before a membership ends: each due notice (queries/expiry-notices.ts) is recorded
 * and its mail queued in one transaction, so a notice is mailed exactly when its record commits:
 * two instances running the sweep at once, or one run interrupted and repeated, never mail twice.
 */
import type { Db } from '../db/connect.ts';
import type { MailMessage } from '../providers/mail.ts';
import { claimExpiredMemberships, dueExpiryNotices, recordExpiryNotice, type DueNotice } from '../queries/expiry-notices.ts';
import { emitMembershipLifecycle } from './webhook-events.ts';

export interface ExpiryNoticeDeps {
  readonly noticeDays: readonly number[];
  /** Queues the mail inside the given transaction. */
  readonly enqueueMail: (trx: Db, message: MailMessage) => Promise<void>;
  readonly messageFor: (notice: DueNotice) => MailMessage;
}

/** Batch size of one sweep's reads: a yearly renewal's reminders go out over several sweeps' batches. */
const BATCH = 500;

/** Sends every due notice; returns how many were mailed. */
export async function sendDueExpiryNotices(db: Db, deps: ExpiryNoticeDeps): Promise<number> {
  let sent = 0;
  for (;;) {
    const due = await dueExpiryNotices(db, deps.noticeDays, BATCH);
    for (const notice of due) {
      const mailed = await db.transaction().execute(async (trx) => {
        if (!(await recordExpiryNotice(trx, notice))) return false;
        await emitMembershipLifecycle(trx, 'membership.expiring', { ...notice, is_active: true, is_suspended: false }, notice.notice_days);
        await deps.enqueueMail(trx, deps.messageFor(notice));
        return true;
      });
      if (mailed) sent += 1;
    }
    if (due.length < BATCH) return sent;
  }
}

/** membership.expired for every membership whose end has passed, once per expiry; how many. */
export async function announceExpiredMemberships(db: Db): Promise<number> {
  let announced = 0;
  for (;;) {
    const count = await db.transaction().execute(async (trx) => {
      const expired = await claimExpiredMemberships(trx, BATCH);
      for (const membership of expired) await emitMembershipLifecycle(trx, 'membership.expired', membership, null);
      return expired.length;
    });
    announced += count;
    if (count < BATCH) return announced;
  }
}
