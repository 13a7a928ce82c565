/**
 * The job queue: pg-boss (v10, the last line that runs on Node 20) on the service's own
 * database. Why pg-boss: its `db` option lets it run through our connection (jobs/boss-database.ts),
 * so the same library runs the same jobs over the same tables on PostgreSQL and on embedded PGlite
 * (graphile-worker needs a pg pool with LISTEN, which PGlite cannot give); jobs are fetched with
 * FOR UPDATE SKIP LOCKED, so any number of instances share them and none runs twice at once; it
 * retries with backoff, schedules cron jobs once across instances, and keeps its state in its
 * own schema (`pgboss`), which it creates and upgrades itself at start (under an advisory lock).
 * A job survives a restart: it is a row until it completes.
 *
 * A job can be sent inside a transaction of ours (`send(…, { db: trx })`): it exists exactly
 * when the change that wanted it commits.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import PgBoss from 'pg-boss';
import type { Db } from '../db/connect.ts';
import { bossDatabase, trackedBossDatabase } from './boss-database.ts';

export type JobHandler<T> = (data: T, job: { id: string; retryCount: number }) => Promise<void>;

export interface SendOptions {
  /** Send inside this transaction: the job exists only if it commits. */
  readonly db?: Db;
  readonly retryLimit?: number;
  /** Seconds before the first retry; doubled each time (with jitter) when `retryBackoff`. */
  readonly retryDelay?: number;
  readonly retryBackoff?: boolean;
  readonly startAfter?: Date;
  /** At most one job with this key waits at a time. */
  readonly singletonKey?: string;
  /** A job still running this long after it started (its instance died) is failed, and retried by its policy. */
  readonly expireInSeconds?: number;
}

export interface WorkOptions {
  /** Jobs of this queue this instance runs at once. */
  readonly concurrency?: number;
  readonly pollingIntervalSeconds?: number;
  /**
   * Jobs fetched at a time by each worker (default 1), run one after another; each one's failure
   * is its own (it is retried alone). pg-boss sorts the queue on every fetch, so a deep queue (a
   * campaign of 10,000 mails) wants a batch.
   */
  readonly batchSize?: number;
}

export interface JobQueue {
  start(): Promise<void>;
  /** Stops fetching, waits for running jobs (at most `timeoutMs`), then stops. */
  stop(timeoutMs?: number): Promise<void>;
  createQueue(name: string): Promise<void>;
  send<T extends object>(name: string, data: T, options?: SendOptions): Promise<string | null>;
  /** Many jobs of one queue in one statement (inside `db` when given). */
  sendMany<T extends object>(
    name: string,
    jobs: readonly T[],
    options?: Pick<SendOptions, 'db' | 'retryLimit' | 'retryDelay' | 'retryBackoff' | 'expireInSeconds' | 'startAfter'>,
  ): Promise<void>;
  work<T extends object>(name: string, options: WorkOptions, handler: JobHandler<T>): Promise<void>;
  /** Runs `name` on this cron schedule (UTC), once per tick across every instance. */
  schedule(name: string, cron: string): Promise<void>;
  /** Wakes this instance's workers of `name` now instead of at their next poll. */
  wake(name: string): void;
  /** Jobs of `name` waiting or running (tests, metrics). */
  pending(name: string): Promise<number>;
}

/**
 * pg-boss's set-up (its schema, a queue's partition, a schedule) takes table locks; instances
 * starting together can deadlock on them, and PostgreSQL then aborts one of them. The aborted
 * one only has to try again.
 */
async function retryingDeadlocks<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code !== '40P01' || attempt >= 5) throw error;
      await sleep(50 + Math.random() * 200 * attempt);
    }
  }
}

/**
 * `maintain: false` (the CLI): only queue jobs, for the service's workers to run; no
 * maintenance or cron timers in a short-lived process.
 */
export function createJobQueue(db: Db, onError: (error: Error) => void, options: { maintain?: boolean } = {}): JobQueue {
  const maintain = options.maintain ?? true;
  const connection = trackedBossDatabase(db);
  const boss = new PgBoss({
    db: connection,
    schema: 'pgboss',
    migrate: true,
    supervise: maintain,
    schedule: maintain,
    // Completed jobs are kept a day for inspection, then archived and deleted by pg-boss's maintenance.
    archiveCompletedAfterSeconds: 86_400,
    // How often one instance (pg-boss takes turns) fails the jobs of instances that died mid-job
    // (a job's expireInSeconds): a webhook delivery cut by a crash is retried within about this.
    maintenanceIntervalSeconds: 15,
    deleteAfterDays: 7,
  });
  boss.on('error', onError);
  const workers = new Map<string, string[]>();
  let runningHandlers = 0;

  /**
   * After boss.stop(): a fetch that was on its way still hands its job to a handler, whose
   * statements (and pg-boss's completion of the job) must finish before the database may close.
   * Quiet means no statement in flight and no handler running, twice, 20 ms apart.
   */
  async function quiesce(): Promise<void> {
    for (let quiet = 0; quiet < 2;) {
      await connection.settled();
      await sleep(20);
      quiet = runningHandlers === 0 && !connection.busy() ? quiet + 1 : 0;
    }
  }

  return {
    async start(): Promise<void> {
      await retryingDeadlocks(() => boss.start());
    },
    async stop(timeoutMs = 10_000): Promise<void> {
      await boss.stop({ graceful: true, wait: true, timeout: timeoutMs, close: false });
      await quiesce();
    },
    async createQueue(name): Promise<void> {
      await retryingDeadlocks(async () => {
        if ((await boss.getQueue(name)) !== null) return;
        try {
          await boss.createQueue(name);
        } catch (error) {
          // Another instance created it between the check and ours: what we wanted exists.
          if ((await boss.getQueue(name)) === null) throw error;
        }
      });
    },
    async send(name, data, options = {}): Promise<string | null> {
      const { db: trx, startAfter, ...rest } = options;
      return boss.send(name, data, { ...rest, ...(startAfter === undefined ? {} : { startAfter }), ...(trx === undefined ? {} : { db: bossDatabase(trx) }) });
    },
    async sendMany(name, jobs, options = {}): Promise<void> {
      const { db: trx, startAfter, ...retry } = options;
      if (jobs.length === 0) return;
      await boss.insert(
        jobs.map((data) => ({ name, data, ...retry, ...(startAfter === undefined ? {} : { startAfter }) })),
        trx === undefined ? {} : { db: bossDatabase(trx) },
      );
    },
    async work(name, options, handler): Promise<void> {
      const concurrency = options.concurrency ?? 1;
      const ids: string[] = [];
      for (let i = 0; i < concurrency; i++) {
        let id = '';
        const workOptions = { batchSize: options.batchSize ?? 1, pollingIntervalSeconds: options.pollingIntervalSeconds ?? 2, includeMetadata: true as const };
        id = await boss.work<object>(name, workOptions, async (jobs) => {
          runningHandlers += 1;
          try {
            for (const job of jobs) {
              try {
                await handler(job.data as Parameters<typeof handler>[0], { id: job.id, retryCount: job.retryCount });
                // Completed at once, not with the batch: a crash later in the batch repeats none of those done.
                if (jobs.length > 1) await boss.complete(name, job.id);
              } catch (error) {
                // This job alone fails (and is retried by its policy); pg-boss completes the others.
                await boss.fail(name, job.id, { message: error instanceof Error ? error.message : String(error) });
              }
            }
          } finally {
            runningHandlers -= 1;
          }
          // A worker that found work looks for more at once; only an empty poll waits the interval.
          if (jobs.length > 0) boss.notifyWorker(id);
        });
        ids.push(id);
      }
      workers.set(name, ids);
    },
    async schedule(name, cron): Promise<void> {
      await retryingDeadlocks(() => boss.schedule(name, cron, {}, { tz: 'UTC' }));
    },
    wake(name): void {
      for (const id of workers.get(name) ?? []) boss.notifyWorker(id);
    },
    async pending(name): Promise<number> {
      // States before `completed`: created, retry and active.
      return (await boss.getQueueSize(name, { before: 'completed' })) ?? 0;
    },
  };
}
