/**
 * Admission for password hashing. argon2id costs ~19 MiB and ~10 ms of a core per hash, on the
 * hash pool's threads (hash-pool.ts). At most `concurrency` hashes run at once; the rest wait in
 * line, as long as the wait they can expect stays under `maxWaitMs`: a burst of sign-ins is
 * served, a little later, instead of refused. Only past that bound (or past `queue` waiting, a
 * memory cap) is the caller answered 503 at once, with Retry-After the expected wait: a login
 * flood then costs a bounded wait, never an unbounded line that every sign-in stands in.
 * The expected wait is the line's length per slot times a running mean of how long a hash takes
 * here, by the hashing thread's own clock (hashes slow down when the machine is busy, and the
 * estimate follows them; a thread's start after an idle minute is not hashing, and does not count).
 * The limit is per process, like the threads it guards.
 */
import { AppError } from '../errors.ts';
import type { Timed } from './hash-pool.ts';

export interface HashGateSettings {
  readonly concurrency: number;
  /** Hashes that may wait at most (a memory cap; the wait bound usually applies first). */
  readonly queue: number;
  /** A hash whose expected wait is longer than this is refused (503) instead of queued. */
  readonly maxWaitMs: number;
}

export interface HashGate {
  /** Runs `work` in its turn (or refuses it), and learns the hash time from its answer. */
  run<T>(work: () => Promise<Timed<T>>): Promise<T>;
  readonly settings: HashGateSettings;
  /** Hashes running and waiting now, and the wait a new one would expect (for /metrics). */
  load(): { running: number; waiting: number; expectedWaitMs: number };
}

/** The defaults of PASSWORD_HASH_QUEUE and PASSWORD_HASH_MAX_WAIT_MS (config-operations.ts). */
export const DEFAULT_HASH_QUEUE = 256;
export const DEFAULT_HASH_MAX_WAIT_MS = 2_000;

/** Before the first measurement: argon2id at our parameters on a slow core. */
const INITIAL_HASH_MS = 25;
/** Weight of the newest duration in the running mean. */
const SMOOTHING = 0.2;

export function createHashGate(settings: HashGateSettings): HashGate {
  let running = 0;
  let meanHashMs = INITIAL_HASH_MS;
  const waiting: (() => void)[] = [];

  function release(): void {
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next();
  }

  /** How long a hash queued now would wait for its slot: whole rounds of the line ahead of it. */
  function expectedWaitMs(ahead: number): number {
    return Math.ceil((ahead + 1) / settings.concurrency) * meanHashMs;
  }

  return {
    settings,
    load: () => ({ running, waiting: waiting.length, expectedWaitMs: running < settings.concurrency ? 0 : expectedWaitMs(waiting.length) }),
    async run<T>(work: () => Promise<Timed<T>>): Promise<T> {
      if (running >= settings.concurrency) {
        const wait = expectedWaitMs(waiting.length);
        if (waiting.length >= settings.queue || wait > settings.maxWaitMs) {
          throw new AppError('overloaded', { retryAfterSeconds: Math.max(1, Math.ceil(wait / 1000)) });
        }
        // The slot is handed over by release(): `running` stays counted for us.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        const { value, computeMs } = await work();
        meanHashMs += SMOOTHING * (computeMs - meanHashMs);
        return value;
      } finally {
        release();
      }
    },
  };
}
