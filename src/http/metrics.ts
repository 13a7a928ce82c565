/**
 * GET /metrics in Prometheus text format: requests by route and status with latency, sign-ins by
 * method and outcome, security events and rate-limit hits, overload refusals, database pool and
 * password-hash load, plus the Node process defaults (CPU, memory, event-loop lag).
 * Each app has its own registry, so tests and embedders never share counters.
 */
import type { FastifyInstance } from 'fastify';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { PoolStats } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { passwordHashLoad } from '../security/passwords.ts';
import { constantTimeEqual } from '../security/tokens.ts';
import type { RejectionReason } from './admission.ts';
import { bearerToken } from './credentials.ts';

export type SignInMethod = 'password' | 'magic_link';

export interface Metrics {
  securityEvent(event: string, fields: Readonly<Record<string, unknown>>): void;
  overloadRejected(reason: RejectionReason): void;
  /** One webhook delivery attempt's outcome and duration. */
  webhookAttempt(outcome: 'succeeded' | 'retrying' | 'failed', seconds: number): void;
}

export interface MetricsOptions {
  readonly poolStats: () => PoolStats | null;
  /** When set, scrapes must send `Authorization: Bearer <token>`. */
  readonly token: string | null;
  /** Pending webhook deliveries and the oldest one's age, read at each scrape. */
  readonly webhookBacklog: () => Promise<{ pending: number; oldest_pending_seconds: number }>;
}

/** Sign-in outcome from the answer's status: the same labels whichever method was used. */
function signInOutcome(status: number): string {
  if (status < 300) return 'success';
  if (status === 401) return 'failure';
  if (status === 403) return 'refused';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'unavailable';
  return status < 500 ? 'invalid' : 'error';
}

/** The route template, never the raw path: unknown paths must not grow the label set. */
function routeLabel(url: string | undefined): string {
  return url ?? 'unmatched';
}

function registerPoolGauges(registry: Registry, poolStats: () => PoolStats | null): void {
  new Gauge({
    name: 'gatehouse_db_pool_connections',
    help: 'PostgreSQL pool connections by state (absent on embedded PGlite)',
    labelNames: ['state'],
    registers: [registry],
    collect(): void {
      const stats = poolStats();
      if (stats === null) return;
      this.set({ state: 'total' }, stats.total);
      this.set({ state: 'idle' }, stats.idle);
      this.set({ state: 'waiting_requests' }, stats.waiting);
      this.set({ state: 'max' }, stats.max);
    },
  });
  new Gauge({
    name: 'gatehouse_password_hashes',
    help: 'argon2id hashes running and waiting for a slot',
    labelNames: ['state'],
    registers: [registry],
    collect(): void {
      const load = passwordHashLoad();
      this.set({ state: 'running' }, load.running);
      this.set({ state: 'waiting' }, load.waiting);
    },
  });
  new Gauge({
    name: 'gatehouse_password_hash_expected_wait_seconds',
    help: 'How long a password hash queued now would expect to wait (refused past PASSWORD_HASH_MAX_WAIT_MS)',
    registers: [registry],
    collect(): void {
      this.set(passwordHashLoad().expectedWaitMs / 1000);
    },
  });
}

/** The backlog, read from the database at scrape time (one query for both gauges). */
function registerWebhookGauges(registry: Registry, backlog: MetricsOptions['webhookBacklog']): void {
  let reading: Promise<{ pending: number; oldest_pending_seconds: number }> | null = null;
  const read = (): Promise<{ pending: number; oldest_pending_seconds: number }> => {
    reading ??= backlog()
      .catch(() => ({ pending: 0, oldest_pending_seconds: 0 }))
      .finally(() => setImmediate(() => (reading = null)));
    return reading;
  };
  new Gauge({
    name: 'gatehouse_webhook_queue_depth',
    help: 'Webhook deliveries pending (waiting for an attempt or a retry)',
    registers: [registry],
    async collect(): Promise<void> {
      this.set((await read()).pending);
    },
  });
  new Gauge({
    name: 'gatehouse_webhook_oldest_pending_seconds',
    help: 'Age of the oldest pending webhook delivery',
    registers: [registry],
    async collect(): Promise<void> {
      this.set((await read()).oldest_pending_seconds);
    },
  });
}

export function registerMetrics(app: FastifyInstance, options: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: 'gatehouse_http_requests_total',
    help: 'HTTP requests by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'gatehouse_http_request_duration_seconds',
    help: 'Time from request to response, by route',
    labelNames: ['method', 'route'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  const signIns = new Counter({
    name: 'gatehouse_sign_ins_total',
    help: 'Sign-in attempts by method and outcome',
    labelNames: ['method', 'outcome'],
    registers: [registry],
  });
  const events = new Counter({
    name: 'gatehouse_security_events_total',
    help: 'Security events (see docs/operations.md)',
    labelNames: ['event'],
    registers: [registry],
  });
  const rateLimited = new Counter({
    name: 'gatehouse_rate_limit_hits_total',
    help: 'Requests refused by an abuse limit',
    labelNames: ['action', 'dimension'],
    registers: [registry],
  });
  const refused = new Counter({
    name: 'gatehouse_overload_rejections_total',
    help: 'Requests refused with 503 because the instance was overloaded',
    labelNames: ['reason'],
    registers: [registry],
  });
  registerPoolGauges(registry, options.poolStats);
  const webhookAttempts = new Counter({
    name: 'gatehouse_webhook_deliveries_total',
    help: 'Webhook delivery attempts by outcome (succeeded; retrying: failed, another attempt is scheduled; failed: the last attempt failed)',
    labelNames: ['outcome'],
    registers: [registry],
  });
  const webhookDuration = new Histogram({
    name: 'gatehouse_webhook_delivery_duration_seconds',
    help: 'Time from request to answer of webhook deliveries',
    buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 15],
    registers: [registry],
  });
  registerWebhookGauges(registry, options.webhookBacklog);

  app.addHook('onResponse', (request, reply, done) => {
    // routeOptions builds a new object at each read: read it once.
    const options = request.routeOptions;
    const route = routeLabel(options.url);
    const seconds = reply.elapsedTime / 1000;
    requests.inc({ method: request.method, route, status: reply.statusCode });
    duration.observe({ method: request.method, route }, seconds);
    const method = (options.config as { signIn?: SignInMethod } | undefined)?.signIn;
    if (method !== undefined) signIns.inc({ method, outcome: signInOutcome(reply.statusCode) });
    done();
  });

  app.get(
    '/metrics',
    { config: { ops: true }, schema: { tags: ['operations'], summary: 'Prometheus metrics', produces: ['text/plain'] } },
    async (request, reply) => {
      if (options.token !== null) {
        const presented = bearerToken(request);
        // Constant-time: the token is a secret.
        if (presented === null || !constantTimeEqual(presented, options.token)) throw new AppError('not_authenticated');
      }
      return reply.type(registry.contentType).send(await registry.metrics());
    },
  );

  return {
    securityEvent(event, fields): void {
      events.inc({ event });
      if (event === 'rate_limit_hit') rateLimited.inc({ action: String(fields.action), dimension: String(fields.dimension) });
    },
    overloadRejected(reason): void {
      refused.inc({ reason });
    },
    webhookAttempt(outcome, seconds): void {
      webhookAttempts.inc({ outcome });
      webhookDuration.observe(seconds);
    },
  };
}
