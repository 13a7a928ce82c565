/**
 * Who gets in when the service is busy, and how long they may stay:
 * - every request runs under its deadline (REQUEST_TIMEOUT_MS, http/deadline.ts), which the
 *   database layer honours (db/deadline.ts): past it, 504 and no further writes;
 * - at most MAX_IN_FLIGHT requests are inside handlers at once; past it, 503 with Retry-After,
 *   so latency for the admitted ones stays bounded instead of every request slowing down;
 * - when the event loop lags past MAX_EVENT_LOOP_DELAY_MS, 503 too. (This is what
 *   @fastify/under-pressure does; its pressure handler cannot answer in our {detail, code}
 *   shape without also running the route, so the dozen lines live here.)
 * Operations routes (config.ops) are always admitted: a load balancer must see /readyz.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { OperationsConfig } from '../config-operations.ts';
import { runWithDeadline } from '../db/deadline.ts';
import { AppError } from '../errors.ts';
import { sendError } from './error-handler.ts';
import { startDeadline } from './deadline.ts';

export type RejectionReason = 'in_flight' | 'event_loop_delay';

export interface AdmissionHooks {
  /** Called for each refused request (metrics). */
  readonly onReject?: (reason: RejectionReason) => void;
}

function isOpsRoute(request: FastifyRequest): boolean {
  return (request.routeOptions.config as { ops?: boolean } | undefined)?.ops === true;
}

function overloaded(reply: FastifyReply): FastifyReply {
  return sendError(reply, new AppError('overloaded', { retryAfterSeconds: 1 }));
}

const SAMPLE_MS = 500;

/**
 * The mean event-loop delay per half second, as @fastify/under-pressure measures it, but the
 * lower of the last two windows: one long task (parsing a big import) is not overload, and must
 * not shed the requests that arrive just after it; sustained lag shows in both windows.
 */
function watchEventLoopDelay(): { delayMs(): number; stop(): void } {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  let previous = 0;
  let delay = 0;
  const timer = setInterval(() => {
    // The histogram counts the sampling resolution itself as delay: subtract it.
    const latest = Number.isNaN(histogram.mean) ? 0 : Math.max(0, histogram.mean / 1e6 - 10);
    histogram.reset();
    delay = Math.min(previous, latest);
    previous = latest;
  }, SAMPLE_MS);
  timer.unref();
  return {
    delayMs: () => delay,
    stop(): void {
      clearInterval(timer);
      histogram.disable();
    },
  };
}

export function registerAdmission(app: FastifyInstance, settings: OperationsConfig, hooks: AdmissionHooks = {}): { inFlight(): number } {
  let inFlight = 0;
  const lag = settings.maxEventLoopDelayMs > 0 ? watchEventLoopDelay() : null;
  if (lag !== null) app.addHook('onClose', async () => lag.stop());

  /** Why this request must wait outside, or null to let it in (and count it as in flight). */
  function refusal(request: FastifyRequest, reply: FastifyReply): RejectionReason | null {
    if (isOpsRoute(request)) return null;
    if (inFlight >= settings.maxInFlight) return 'in_flight';
    if (lag !== null && lag.delayMs() > settings.maxEventLoopDelayMs) return 'event_loop_delay';
    inFlight += 1;
    // 'close' fires once for every response, finished or aborted by the client.
    reply.raw.once('close', () => {
      inFlight -= 1;
    });
    return null;
  }

  // One callback-style hook on every request's path: no promise per check. `done` runs inside
  // runWithDeadline, so the handler and everything it awaits see the request's signal
  // (AsyncLocalStorage.run needs the continuation inside it).
  app.addHook('onRequest', (request, reply, done) => {
    const reason = refusal(request, reply);
    if (reason !== null) {
      hooks.onReject?.(reason);
      overloaded(reply);
      return;
    }
    runWithDeadline(startDeadline(request, reply, settings.requestTimeoutMs), done);
  });
  return { inFlight: () => inFlight };
}
