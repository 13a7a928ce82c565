/**
 * Every minute, once across instances: membership.expired and invitation.expired for what ended
 * since the last run (expiry itself takes effect at its instant, read-time; this only tells the
 * webhooks), and outbox rows past their retention are deleted.
 */
import type { Db } from '../db/connect.ts';
import { deleteEventsBefore } from '../queries/webhook-events.ts';
import { announceExpiredMemberships } from '../services/expiry-notices.ts';
import { announceExpiredInvitations } from '../services/webhook-events.ts';
import type { JobQueue } from './queue.ts';

export const LIFECYCLE_EVENTS = 'lifecycle-events';

/** Events (with their deliveries and attempts) are kept 30 days: the window of a replay. */
export const EVENT_RETENTION_DAYS = 30;

export async function announceLifecycleEvents(db: Db): Promise<{ memberships: number; invitations: number }> {
  const memberships = await announceExpiredMemberships(db);
  let invitations = 0;
  for (;;) {
    const count = await db.transaction().execute((trx) => announceExpiredInvitations(trx, null, 500));
    invitations += count;
    if (count < 500) break;
  }
  await deleteEventsBefore(db, new Date(Date.now() - EVENT_RETENTION_DAYS * 86_400_000));
  return { memberships, invitations };
}

export async function startLifecycleEvents(queue: JobQueue, db: Db): Promise<void> {
  await queue.createQueue(LIFECYCLE_EVENTS);
  await queue.work(LIFECYCLE_EVENTS, { concurrency: 1, pollingIntervalSeconds: 30 }, async () => {
    await announceLifecycleEvents(db);
  });
  await queue.schedule(LIFECYCLE_EVENTS, '* * * * *');
}
