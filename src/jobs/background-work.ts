/**
 * The background work of an instance: the job queue (jobs/queue.ts) with its workers — mail
 * (jobs/mail-queue.ts) and the expiry reminders (jobs/expiry-notice-job.ts). Started when the
 * app is ready, stopped (running jobs finished, at most 10 s) when it closes. Every instance
 * runs the workers; the queue shares the jobs among them.
 */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { Mailer } from '../providers/mail.ts';
import { expiryNoticeSweep, startExpiryNotices } from './expiry-notice-job.ts';
import { invitationMailOutcome } from '../services/invitations.ts';
import { createMailQueue, mailQueueIdle, queuedMailer, startMailWorker, type MailQueue } from './mail-queue.ts';
import { createJobQueue, type JobQueue } from './queue.ts';

export interface BackgroundWork {
  /** The mailer services use: it queues. */
  readonly mailer: Mailer;
  /** The queue behind it, for mail queued inside a transaction and tagged (invitations). */
  readonly mail: MailQueue;
  readonly queue: JobQueue;
  /** Runs the expiry-reminder sweep now (tests, and `gatehouse` operators); how many were mailed. */
  readonly sweepExpiryNotices: () => Promise<number>;
  /** Until no mail can run now or is running (tests). */
  mailIdle(): Promise<void>;
  stop(): Promise<void>;
}

export function installBackgroundWork(app: FastifyInstance, deps: { db: Db; config: Config; transport: Mailer }): BackgroundWork {
  const { db, config, transport } = deps;
  const queue = createJobQueue(db, (error) => app.log.error({ err: error }, 'job queue error'));
  const mail = createMailQueue(queue, config.jwtSecret);
  const sweep = expiryNoticeSweep(db, config, mail);
  let started = false;
  app.addHook('onReady', async () => {
    await queue.start();
    started = true;
    await startMailWorker(queue, {
      db,
      transport,
      secret: config.jwtSecret,
      ratePerMinute: config.lifecycle.mailRatePerMinute,
      onOutcome: async (tag, delivered) => {
        if (tag.invitationId !== undefined) await invitationMailOutcome(db, tag.invitationId, delivered);
      },
    });
    await startExpiryNotices(queue, sweep);
  });
  return {
    mailer: queuedMailer(mail, transport),
    mail,
    queue,
    sweepExpiryNotices: sweep,
    mailIdle: () => (started ? mailQueueIdle(db) : Promise.resolve()),
    async stop(): Promise<void> {
      if (started) await queue.stop();
    },
  };
}
