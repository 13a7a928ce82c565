/**
 * Webhook delivery on the job queue (docs/webhooks.md):
 * - the relay reads the outbox (webhook_events) in `sequence` order and, in one transaction,
 *   makes one delivery per subscribed endpoint, queues one job per delivery and marks the
 *   events relayed; locked rows are skipped, so instances relay side by side and never twice.
 *   It runs when this instance wrote an event (wake), on a poll of the outbox every 2 s (events
 *   the CLI wrote, and those a crash left behind), and at start;
 * - a delivery job POSTs the signed event and records the attempt; a failure schedules the next
 *   attempt as a new job in the same transaction (WEBHOOK_RETRY_SCHEDULE, with jitter), until
 *   the schedule is used up and the delivery is `failed`. A job cut by a crash is expired by
 *   the queue and retried. At most WEBHOOK_CONCURRENCY deliveries per endpoint are in flight
 *   across instances (leases), and an endpoint failing for 5 days is disabled and audited.
 */
import type { WebhookConfig } from '../config-webhooks.ts';
import type { Db } from '../db/connect.ts';
import { createWebhookSender, type Resolver, type WebhookAnswer } from '../providers/webhook-http.ts';
import { insertAudit } from '../queries/audit.ts';
import { hasUnrelayedEvents, lockUnrelayedEvents, markRelayed } from '../queries/webhook-events.ts';
import {
  acquireLease,
  disableEndpoint,
  failDelivery,
  findDeliveryWork,
  insertAttempt,
  insertDeliveriesForEvents,
  markEndpointFailing,
  markEndpointHealthy,
  recordDeliveryOutcome,
  releaseLease,
  type DeliveryWork,
} from '../queries/webhooks.ts';
import { decryptSecret } from '../security/key-encryption.ts';
import { eventPayload, signWebhook } from '../services/webhook-signing.ts';
import type { JobQueue } from './queue.ts';

export const WEBHOOK_DELIVERY = 'webhook-delivery';

const RELAY_BATCH = 500;
/**
 * How often the outbox is looked at when nothing woke the relay: for events another instance
 * or the CLI wrote without relaying them (an instance relays its own writes at once), and for
 * those an instance that crashed right after its commit left behind.
 */
const RELAY_POLL_MS = 2000;
const DISABLE_AFTER_MS = 5 * 86_400_000;

export interface DeliveryJob {
  readonly deliveryId: string;
}

export interface DeliveryOutcomeListener {
  (outcome: 'succeeded' | 'retrying' | 'failed', durationMs: number): void;
}

/** A delivery's job, sent inside `trx`: it exists exactly when the delivery does. */
export async function queueDeliveries(queue: JobQueue, trx: Db, deliveryIds: readonly string[], config: WebhookConfig, startAfter?: Date): Promise<void> {
  await queue.sendMany<DeliveryJob>(
    WEBHOOK_DELIVERY,
    deliveryIds.map((deliveryId) => ({ deliveryId })),
    // The queue's own retries are for a job cut short (its instance died), not for the receiver's answers.
    { db: trx, retryLimit: 10, retryDelay: 1, expireInSeconds: Math.ceil(config.timeoutMs / 1000) + 15, ...(startAfter === undefined ? {} : { startAfter }) },
  );
}

/** Fans out up to a batch of unrelayed events; how many it relayed. */
export async function relayOnce(db: Db, queue: JobQueue, config: WebhookConfig): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const events = await lockUnrelayedEvents(trx, RELAY_BATCH);
    if (events.length === 0) return 0;
    const ids = events.map((event) => event.id);
    const deliveries = await insertDeliveriesForEvents(trx, ids);
    await queueDeliveries(
      queue,
      trx,
      deliveries.map((d) => d.id),
      config,
    );
    await markRelayed(trx, ids);
    return events.length;
  });
}

function secretsOf(work: DeliveryWork, serviceSecret: string, now: number): string[] {
  const secrets = [decryptSecret(serviceSecret, work.secret_sealed, 'webhook-secret')];
  if (work.previous_secret_sealed !== null && work.previous_secret_expires_at !== null && work.previous_secret_expires_at.getTime() > now) {
    secrets.push(decryptSecret(serviceSecret, work.previous_secret_sealed, 'webhook-secret'));
  }
  return secrets;
}

/** ±20 % around the scheduled delay, so a receiver's outage does not end in a thundering herd. */
function withJitter(seconds: number): number {
  return seconds * 1000 * (0.8 + Math.random() * 0.4);
}

export interface DeliveryDeps {
  readonly db: Db;
  readonly queue: JobQueue;
  readonly config: WebhookConfig;
  readonly serviceSecret: string;
  readonly resolve?: Resolver;
  readonly onOutcome?: DeliveryOutcomeListener;
}

export interface WebhookWorker {
  /** Relay now (this instance just wrote events). */
  wake(): void;
  /** Until the outbox is relayed and no delivery job is waiting or running (tests). */
  idle(): Promise<void>;
  stop(): Promise<void>;
}

async function recordAnswer(deps: DeliveryDeps, work: DeliveryWork, answer: WebhookAnswer): Promise<'succeeded' | 'retrying' | 'failed'> {
  const { db, queue, config } = deps;
  const ok = answer.error === null;
  const attempt = work.attempts + 1;
  const delay = config.retrySchedule[attempt - 1];
  const outcome = ok ? 'succeeded' : delay === undefined ? 'failed' : 'retrying';
  await db.transaction().execute(async (trx) => {
    await insertAttempt(trx, {
      deliveryId: work.id,
      statusCode: answer.statusCode,
      error: answer.error,
      durationMs: answer.durationMs,
      responseBody: answer.body,
    });
    const next = outcome === 'retrying' && delay !== undefined ? new Date(Date.now() + withJitter(delay)) : null;
    const changed = await recordDeliveryOutcome(trx, work.id, {
      attempt,
      status: outcome === 'retrying' ? 'pending' : outcome,
      statusCode: answer.statusCode,
      error: answer.error,
      nextAttemptAt: next,
    });
    if (!changed) return;
    if (next !== null) await queueDeliveries(queue, trx, [work.id], config, next);
    if (ok) {
      await markEndpointHealthy(trx, work.endpoint_id);
      return;
    }
    const failingSince = await markEndpointFailing(trx, work.endpoint_id);
    if (Date.now() - failingSince.getTime() >= DISABLE_AFTER_MS && (await disableEndpoint(trx, work.endpoint_id, 'failing for 5 days'))) {
      await insertAudit(trx, {
        actor: 'system',
        action: 'webhook.disable',
        target: work.endpoint_id,
        after: { reason: 'failing for 5 days', failing_since: failingSince.toISOString() },
      });
    }
  });
  return outcome;
}

export async function startWebhookWorker(deps: DeliveryDeps): Promise<WebhookWorker> {
  const { db, queue, config } = deps;
  const sender = createWebhookSender({
    timeoutMs: config.timeoutMs,
    allowPrivate: config.allowPrivate,
    ...(deps.resolve === undefined ? {} : { resolve: deps.resolve }),
  });
  const leaseSeconds = Math.ceil(config.timeoutMs / 1000) + 15;

  async function deliver(job: DeliveryJob): Promise<void> {
    const work = await findDeliveryWork(db, job.deliveryId);
    if (work === null || work.status !== 'pending') return;
    // A second job of one delivery (a job the queue retried after its instance seemed gone, that
    // was only slow) finds the next attempt scheduled later: that attempt has its own job.
    if (work.next_attempt_at !== null && work.next_attempt_at.getTime() > Date.now() + 1000) return;
    if (!work.enabled) {
      // Nothing is sent to a disabled endpoint; its deliveries can be retried once it is enabled again.
      await failDelivery(db, work.id, 'endpoint disabled');
      return;
    }
    if (!(await acquireLease(db, work.endpoint_id, work.id, config.concurrency, leaseSeconds))) {
      // The endpoint has its fill in flight: try again shortly, without counting an attempt.
      await queue.send<DeliveryJob>(WEBHOOK_DELIVERY, job, {
        startAfter: new Date(Date.now() + 200 + Math.random() * 800),
        retryLimit: 10,
        retryDelay: 1,
        expireInSeconds: leaseSeconds,
      });
      return;
    }
    try {
      const now = new Date();
      const body = eventPayload({ id: work.event_id, type: work.type, created_at: work.event_created_at, sequence: work.sequence, data: work.data });
      const headers = signWebhook(secretsOf(work, deps.serviceSecret, now.getTime()), work.event_id, now, body);
      const answer = await sender.post(work.url, headers, body);
      const outcome = await recordAnswer(deps, work, answer);
      deps.onOutcome?.(outcome, answer.durationMs);
    } finally {
      await releaseLease(db, work.id);
    }
  }

  await queue.createQueue(WEBHOOK_DELIVERY);
  // As many workers as one endpoint may have in flight: more would mostly find its leases taken and bounce.
  await queue.work<DeliveryJob>(WEBHOOK_DELIVERY, { concurrency: config.concurrency, pollingIntervalSeconds: 1 }, deliver);

  let stopped = false;
  let relaying: Promise<void> | null = null;
  let again = false;
  let timer: NodeJS.Timeout | null = null;

  async function relayAll(): Promise<void> {
    do {
      again = false;
      // One cheap read first: most writes (a sign-in) emit no event.
      if (!(await hasUnrelayedEvents(db))) continue;
      while (!stopped && (await relayOnce(db, queue, config)) === RELAY_BATCH);
      queue.wake(WEBHOOK_DELIVERY);
    } while (again && !stopped);
  }

  function wake(): void {
    if (stopped) return;
    if (relaying !== null) {
      again = true;
      return;
    }
    relaying = relayAll()
      .catch(() => undefined)
      .finally(() => {
        relaying = null;
      });
  }

  function schedulePoll(): void {
    timer = setTimeout(() => {
      void (async () => {
        if (!stopped && relaying === null && (await hasUnrelayedEvents(db).catch(() => false))) wake();
        if (!stopped) schedulePoll();
      })();
    }, RELAY_POLL_MS);
    timer.unref();
  }

  wake();
  schedulePoll();

  return {
    wake,
    async idle(): Promise<void> {
      for (;;) {
        if (relaying !== null) await relaying;
        if (!(await hasUnrelayedEvents(db)) && (await queue.pending(WEBHOOK_DELIVERY)) === 0) return;
        wake();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async stop(): Promise<void> {
      stopped = true;
      if (timer !== null) clearTimeout(timer);
      if (relaying !== null) await relaying;
      sender.close();
    },
  };
}
