/**
 * Mail leaves through the job queue, never inside a request: send() stores the message as a
 * job (sealed with AES-256-GCM under a key from JWT_SECRET, because a sign-in or reset link is
 * a secret and the job is a database row) and wakes this instance's worker. The worker draws
 * from the shared rate (MAIL_RATE_PER_MINUTE), opens the message and hands it to the transport
 * (SMTP, or the log in development). A failure is retried with backoff (30 s, 1, 2, 4, 8 min,
 * with jitter), then the job is failed; a restart loses nothing, since the job is a row until
 * the transport took it. At-least-once: a crash between the SMTP answer and the job's
 * completion sends that mail again.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/connect.ts';
import type { Mailer, MailMessage } from '../providers/mail.ts';
import { runnableJobs } from '../queries/jobs.ts';
import { takeMailToken } from '../queries/mail-rate.ts';
import { decryptSecret, encryptSecret } from '../security/key-encryption.ts';
import type { JobQueue } from './queue.ts';

export const MAIL_QUEUE = 'mail';

interface MailJob {
  /** The MailMessage as JSON, sealed (security/key-encryption.ts). */
  readonly sealed: string;
  /** The invitation this mail is for: its campaign counts learn the outcome. */
  readonly invitation_id?: string;
}

/** What a mail is for, reported back when it was handed over or given up on. */
export interface MailTag {
  readonly invitationId?: string;
}

const RETRY_LIMIT = 5;

/** The longest one wait for a rate token lasts before the worker looks again. */
const MAX_RATE_WAIT_MS = 5_000;

export interface MailQueue {
  /** Queues the message; inside `trx` when given (then it leaves only if that commits). */
  enqueue(message: MailMessage, trx?: Db, tag?: MailTag): Promise<void>;
  /** Many at once, in one statement (a campaign), inside `trx`. */
  enqueueMany(mails: readonly { message: MailMessage; tag: MailTag }[], trx: Db): Promise<void>;
}

const RETRIES = { retryLimit: RETRY_LIMIT, retryDelay: 30, retryBackoff: true } as const;

/** Invitations' mails, with their tags, queued in one statement inside `trx` (their transaction). */
export function invitationMailer(mail: MailQueue): (trx: Db, mails: readonly { message: MailMessage; invitationId: string }[]) => Promise<void> {
  return (trx, mails) =>
    mail.enqueueMany(
      mails.map(({ message, invitationId }) => ({ message, tag: { invitationId } })),
      trx,
    );
}

export function createMailQueue(queue: JobQueue, secret: string): MailQueue {
  const jobOf = (message: MailMessage, tag: MailTag): MailJob => ({
    sealed: encryptSecret(secret, JSON.stringify(message), 'mail-job'),
    ...(tag.invitationId === undefined ? {} : { invitation_id: tag.invitationId }),
  });
  return {
    async enqueueMany(mails, trx): Promise<void> {
      await queue.sendMany(
        MAIL_QUEUE,
        mails.map((mail) => jobOf(mail.message, mail.tag)),
        { db: trx, ...RETRIES },
      );
    },
    async enqueue(message, trx, tag = {}): Promise<void> {
      await queue.send(MAIL_QUEUE, jobOf(message, tag), { ...RETRIES, ...(trx === undefined ? {} : { db: trx }) });
      // Inside a transaction the job is not visible yet: the worker's next poll takes it.
      if (trx === undefined) queue.wake(MAIL_QUEUE);
    },
  };
}

/** What services call `mailer.send` on: it queues. Reading the outbox reads the transport's. */
export function queuedMailer(mail: MailQueue, transport: Mailer): Mailer {
  return {
    kind: transport.kind,
    send: (message: MailMessage) => mail.enqueue(message),
    outbox: () => transport.outbox(),
    close: async () => undefined,
  };
}

export interface MailWorkerOptions {
  readonly db: Db;
  readonly transport: Mailer;
  readonly secret: string;
  readonly ratePerMinute: number;
  /** After a tagged mail was handed over (true) or its last attempt failed (false). */
  readonly onOutcome?: (tag: MailTag, delivered: boolean) => Promise<void>;
}

/** Waits for a token of the shared rate. */
async function awaitRate(db: Db, ratePerMinute: number): Promise<void> {
  for (;;) {
    const waitSeconds = await takeMailToken(db, ratePerMinute);
    if (waitSeconds === 0) return;
    await sleep(Math.min(MAX_RATE_WAIT_MS, Math.ceil(waitSeconds * 1000)));
  }
}

export async function startMailWorker(queue: JobQueue, options: MailWorkerOptions): Promise<void> {
  await queue.createQueue(MAIL_QUEUE);
  await queue.work<MailJob>(MAIL_QUEUE, { concurrency: 2, batchSize: 20, pollingIntervalSeconds: 2 }, async (job, meta) => {
    const tag: MailTag = job.invitation_id === undefined ? {} : { invitationId: job.invitation_id };
    await awaitRate(options.db, options.ratePerMinute);
    try {
      const message = JSON.parse(decryptSecret(options.secret, job.sealed, 'mail-job')) as MailMessage;
      await options.transport.send(message);
    } catch (error) {
      if (meta.retryCount >= RETRY_LIMIT) await options.onOutcome?.(tag, false);
      throw error;
    }
    await options.onOutcome?.(tag, true);
  });
}

/** Until no mail job can run now or is running (tests; a retry scheduled for later does not count). */
export async function mailQueueIdle(db: Db, timeoutMs = 15_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while ((await runnableJobs(db, MAIL_QUEUE)) > 0) {
    if (Date.now() > until) throw new Error('mail queue not idle');
    await sleep(20);
  }
}
