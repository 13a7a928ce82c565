/**
 * REQUEST_TIMEOUT_MS, owned here rather than by Fastify's handlerTimeout: that timer is cancelled
 * on the raw request's `close`, which Node emits as soon as a body has been read, so no POST,
 * PUT or PATCH ever timed out (fastify/fastify#6725). Here a timer per request runs from its
 * first hook until its response has been written, whatever the socket does:
 * - when it fires, the request's signal aborts: the database layer starts no new statement,
 *   commits nothing, and destroys a connection whose statement is still waiting
 *   (db/guarded-dialect.ts, db/connect.ts); and the client gets 504 `request_timeout` at once;
 * - the handler may still be running; whatever it returns or throws later is dropped, so every
 *   request is answered exactly once.
 * A route may set its own deadline with `config: { deadlineMs }` (the bulk imports do).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, RouteOptions } from 'fastify';
import { deadlineError } from '../db/deadline.ts';
import { AppError } from '../errors.ts';
import { sendError } from './error-handler.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** This route's deadline in ms, instead of REQUEST_TIMEOUT_MS. */
    deadlineMs?: number;
  }
}

/** Starts the request's deadline; returns the signal its work runs under. */
export function startDeadline(request: FastifyRequest, reply: FastifyReply, defaultMs: number): AbortSignal {
  const ms = request.routeOptions.config.deadlineMs ?? defaultMs;
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(deadlineError(ms));
    if (reply.sent) return;
    request.log.warn({ url: request.routeOptions.url, deadline_ms: ms }, 'request timed out');
    if (reply.raw.headersSent) {
      // Part of an answer is out already: the connection is all that can still say "failed".
      reply.raw.destroy();
      return;
    }
    sendError(reply, new AppError('request_timeout'));
  }, ms);
  // 'finish': the whole response was handed to the OS. A client that hung up ('close' alone)
  // keeps its deadline: its work is still bounded, and its connections still given back.
  reply.raw.once('finish', () => clearTimeout(timer));
  reply.raw.once('close', () => {
    if (reply.raw.writableFinished) clearTimeout(timer);
  });
  return controller.signal;
}

function isThenable(value: unknown): value is PromiseLike<unknown> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

/**
 * Wraps every route's handler so that what it returns or throws after its request was answered
 * (a 504 sent by the deadline) is dropped: Fastify would otherwise send twice and log
 * "Promise errored, but reply.sent = true" at error level.
 */
export function answerOnce(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const handler = route.handler;
    route.handler = function handleOnce(this: FastifyInstance, request: FastifyRequest, reply: FastifyReply): unknown {
      const result: unknown = handler.call(this, request, reply);
      if (!isThenable(result)) return result;
      return Promise.resolve(result).then(
        (value) => (reply.sent ? undefined : value),
        (error: unknown) => {
          if (!reply.sent) throw error;
          request.log.debug({ err: error }, 'handler failed after its request was answered');
          return undefined;
        },
      );
    };
  });
}
