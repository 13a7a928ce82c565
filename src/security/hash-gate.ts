/**
 * Admission for password hashing. argon2id costs ~20 MB and tens of milliseconds of a core per
 * hash; a flood of logins would otherwise queue without bound on libuv's thread pool, and every
 * other request (and the event loop's own DNS and file work) would wait behind it. At most
 * `concurrency` hashes run at once and `queue` wait; past that the caller gets 503 at once, so
 * a login flood costs a bounded share of the machine and cannot starve /me.
 * The limit is per process, like the thread pool it protects.
 */
import { AppError } from '../errors.ts';

export interface HashGateSettings {
  readonly concurrency: number;
  readonly queue: number;
}

export interface HashGate {
  run<T>(work: () => Promise<T>): Promise<T>;
  readonly settings: HashGateSettings;
  /** Hashes running and waiting now (for /metrics). */
  load(): { running: number; waiting: number };
}

export function createHashGate(settings: HashGateSettings): HashGate {
  let running = 0;
  const waiting: (() => void)[] = [];

  function release(): void {
    const next = waiting.shift();
    if (next === undefined) running -= 1;
    else next();
  }

  return {
    settings,
    load: () => ({ running, waiting: waiting.length }),
    async run<T>(work: () => Promise<T>): Promise<T> {
      if (running >= settings.concurrency) {
        if (waiting.length >= settings.queue) throw new AppError('overloaded', { retryAfterSeconds: 1 });
        // The slot is handed over by release(): `running` stays counted for us.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running += 1;
      }
      try {
        return await work();
      } finally {
        release();
      }
    },
  };
}
