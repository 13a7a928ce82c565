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
import type { Resolver } from '../providers/webhook-http.ts';
import { announceLifecycleEvents, startLifecycleEvents } from './lifecycle-events-job.ts';
import { eventsWritten } from '../queries/webhook-events.ts';
import { startWebhookWorker, type DeliveryOutcomeListener, type WebhookWorker } from './webhook-delivery.ts';

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
  /** Relay the outbox now: a request of this instance wrote events. */
  wakeWebhooks(): void;
  /** Until every event is relayed and no delivery is waiting or running (tests). */
  webhooksIdle(): Promise<void>;
  /** membership.expired / invitation.expired for what has ended (the minute's job, run now: tests, CLI). */
  announceLifecycleEvents(): Promise<{ memberships: number; invitations: number }>;
  stop(): Promise<void>;
}

export interface BackgroundDeps {
  readonly db: Db;
  readonly config: Config;
  readonly transport: Mailer;
  /** How webhook hosts are resolved (tests pass a table); DNS when absent. */
  readonly resolve?: Resolver;
  readonly onWebhookOutcome?: DeliveryOutcomeListener;
}

export function installBackgroundWork(app: FastifyInstance, deps: BackgroundDeps): BackgroundWork {
  const { db, config, transport } = deps;
  let webhooks: WebhookWorker | null = null;
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
    await startLifecycleEvents(queue, db);
    webhooks = await startWebhookWorker({
      db,
      queue,
      config: config.webhooks,
      serviceSecret: config.jwtSecret,
      ...(deps.resolve === undefined ? {} : { resolve: deps.resolve }),
      ...(deps.onWebhookOutcome === undefined ? {} : { onOutcome: deps.onWebhookOutcome }),
    });
  });
  // A request that wrote events to the outbox: relay them now, not at the next poll.
  let eventsSeen = eventsWritten();
  app.addHook('onResponse', (_request, _reply, done) => {
    const now = eventsWritten();
    if (now !== eventsSeen) {
      eventsSeen = now;
      webhooks?.wake();
    }
    done();
  });
  return {
    mailer: queuedMailer(mail, transport),
    mail,
    queue,
    sweepExpiryNotices: sweep,
    mailIdle: () => (started ? mailQueueIdle(db) : Promise.resolve()),
    wakeWebhooks: () => webhooks?.wake(),
    webhooksIdle: () => webhooks?.idle() ?? Promise.resolve(),
    announceLifecycleEvents: () => announceLifecycleEvents(db),
    async stop(): Promise<void> {
      await webhooks?.stop();
      if (started) await queue.stop();
    },
  };
}
