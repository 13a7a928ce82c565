/**
 * The deadline of the request being served, carried through async calls so the database layer
 * can refuse work for a request that has already been answered with 504 (guarded-dialect.ts).
 * Outside a request (CLI, background tasks) there is no deadline.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const deadlines = new AsyncLocalStorage<AbortSignal>();

/** Runs `work` (and everything it starts) under `signal`: once aborted, no new statement runs. */
export function runWithDeadline<T>(signal: AbortSignal, work: () => T): T {
  return deadlines.run(signal, work);
}

/** Runs `work` outside any request's deadline (work that outlives its request, like mail). */
export function runWithoutDeadline<T>(work: () => T): T {
  return deadlines.exit(work);
}

/**
 * True once the current request's deadline has passed. Only the handler timeout counts: a client
 * that hangs up does not cancel work it asked for (a fire-and-forget logout must still happen).
 */
export function isPastDeadline(): boolean {
  const signal = deadlines.getStore();
  return signal !== undefined && signal.aborted && (signal.reason as { code?: unknown } | undefined)?.code === HANDLER_TIMEOUT;
}

/** Fastify's error code for a handler that outlived handlerTimeout. */
export const HANDLER_TIMEOUT = 'FST_ERR_HANDLER_TIMEOUT';
