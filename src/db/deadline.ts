/**
 * The deadline of the request being served, carried through async calls so the database layer
 * can refuse work for a request that has already been answered with 504 (guarded-dialect.ts),
 * and give back a connection whose statement is still waiting at the deadline (connect.ts).
 * Outside a request (CLI, background tasks) there is no deadline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** The reason a deadline's signal is aborted with. */
export const HANDLER_TIMEOUT = 'FST_ERR_HANDLER_TIMEOUT';

/** The error a deadline aborts its signal with (`code` tells it from other aborts). */
export function deadlineError(ms: number): Error & { code: string } {
  return Object.assign(new Error(`deadline of ${ms} ms passed`), { code: HANDLER_TIMEOUT });
}

/** Runs `work` (and everything it starts) under `signal`: once aborted, no new statement runs. */
export function runWithDeadline<T>(signal: AbortSignal, work: () => T): T {
  return deadlines.run(signal, work);
}

/** Runs `work` outside any request's deadline (work that outlives its request, like mail). */
export function runWithoutDeadline<T>(work: () => T): T {
  return deadlines.exit(work);
}

/** The current deadline's signal, if any. */
export function currentDeadline(): AbortSignal | undefined {
  return deadlines.getStore();
}

function isDeadlineReason(reason: unknown): boolean {
  return (reason as { code?: unknown } | undefined)?.code === HANDLER_TIMEOUT;
}

/**
 * True once the current request's deadline has passed. Only the deadline counts: a client that
 * hangs up does not cancel work it asked for (a fire-and-forget logout must still happen).
 */
export function isPastDeadline(): boolean {
  const signal = deadlines.getStore();
  return signal !== undefined && signal.aborted && isDeadlineReason(signal.reason);
}

/** Calls `onPassed` if `signal`'s deadline passes before `work` settles; returns `work`. */
export function whileWithinDeadline<T>(signal: AbortSignal | undefined, work: Promise<T>, onPassed: () => void): Promise<T> {
  if (signal === undefined) return work;
  if (signal.aborted) {
    if (isDeadlineReason(signal.reason)) onPassed();
    return work;
  }
  const listener = (): void => {
    if (isDeadlineReason(signal.reason)) onPassed();
  };
  signal.addEventListener('abort', listener, { once: true });
  const forget = (): void => signal.removeEventListener('abort', listener);
  work.then(forget, forget);
  return work;
}

/**
 * Runs `work` under a deadline of its own (readiness probes): past `ms`, its database work is
 * stopped as a request's is, and the returned promise rejects with `onTimeout()`.
 */
export async function withDeadline<T>(ms: number, work: () => Promise<T>, onTimeout: () => Error): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      controller.abort(deadlineError(ms));
      reject(onTimeout());
    }, ms);
  });
  try {
    return await Promise.race([runWithDeadline(controller.signal, work), expired]);
  } finally {
    clearTimeout(timer);
  }
}
