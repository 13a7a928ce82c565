/**
 * Managing webhook endpoints and their deliveries (docs/webhooks.md): what the admin API, the
 * CLI and the console call. A secret is shown once, at creation or rotation, and stored sealed;
 * every change is audited; a retry, replay or test event queues its deliveries' jobs in the
 * transaction that makes them.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import { AppError, fieldError } from '../errors.ts';
import { queueDeliveries } from '../jobs/webhook-delivery.ts';
import type { JobQueue } from '../jobs/queue.ts';
import type { Resolver } from '../providers/webhook-http.ts';
import { insertAudit } from '../queries/audit.ts';
import { eventIdsSince, insertDirectEvent } from '../queries/webhook-events.ts';
import {
  attemptsOf,
  deleteEndpoint,
  deliveryBelongs,
  findDelivery,
  findEndpoint,
  insertDeliveriesForEvents,
  insertEndpoint,
  listDeliveries,
  listEndpoints,
  reopenDelivery,
  rotateEndpointSecret,
  updateEndpoint,
  type DeliveryRow,
  type EndpointRow,
} from '../queries/webhooks.ts';
import { encryptSecret } from '../security/key-encryption.ts';
import type { Actor } from './memberships.ts';
import { isWebhookEventType, TEST_EVENT_TYPE } from './webhook-event-types.ts';
import { newWebhookSecret } from './webhook-signing.ts';
import { checkEndpointUrl } from './webhook-url.ts';

export interface EndpointView {
  readonly id: string;
  readonly url: string;
  readonly events: string[];
  readonly description: string | null;
  readonly enabled: boolean;
  /** Why it was disabled automatically (5 days of failures), or null. */
  readonly disabled_reason: string | null;
  /** Since when every delivery has failed, or null. */
  readonly failing_since: string | null;
  readonly created_at: string;
}

export interface DeliveryView {
  readonly id: string;
  readonly event_id: string;
  readonly type: string;
  readonly status: DeliveryRow['status'];
  readonly attempts: number;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly next_attempt_at: string | null;
  readonly created_at: string;
}

export interface AttemptView {
  readonly attempted_at: string;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly duration_ms: number;
  readonly response_body: string | null;
}

export function endpointView(row: EndpointRow): EndpointView {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    description: row.description,
    enabled: row.enabled,
    disabled_reason: row.disabled_reason,
    failing_since: row.failing_since?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

function deliveryView(row: DeliveryRow): DeliveryView {
  return {
    id: row.id,
    event_id: row.event_id,
    type: row.type,
    status: row.status,
    attempts: row.attempts,
    last_status_code: row.last_status_code,
    last_error: row.last_error,
    next_attempt_at: row.next_attempt_at?.toISOString() ?? null,
    created_at: row.created_at.toISOString(),
  };
}

/** Known types, or exactly ["*"]; duplicates dropped. */
function checkEvents(events: readonly string[]): string[] {
  if (events.length === 0) throw fieldError(['events'], 'must name at least one event type, or "*"');
  if (events.includes('*')) {
    if (events.length > 1) throw fieldError(['events'], '"*" stands alone: it means every event type');
    return ['*'];
  }
  events.forEach((type, i) => {
    if (!isWebhookEventType(type)) throw fieldError(['events', i], `unknown event type: ${type}`, 'value_error.event_type');
  });
  return [...new Set(events)];
}

export interface NewEndpoint {
  readonly url: string;
  readonly events: readonly string[];
  readonly description?: string | null;
}

export interface WebhookDeps {
  readonly config: Config;
  readonly queue: JobQueue;
  readonly resolve?: Resolver;
}

const OVERLAP_MS = 24 * 3_600_000;

export interface WebhookService {
  create(input: NewEndpoint, by: Actor): Promise<EndpointView & { secret: string }>;
  list(): Promise<EndpointView[]>;
  get(id: string): Promise<EndpointView>;
  update(id: string, changes: { url?: string; events?: readonly string[]; description?: string | null; enabled?: boolean }, by: Actor): Promise<EndpointView>;
  remove(id: string, by: Actor): Promise<void>;
  rotateSecret(id: string, by: Actor): Promise<{ secret: string }>;
  sendTest(id: string, by: Actor): Promise<{ event_id: string }>;
  /** Newest first, before `beforeId` (the page's cursor). */
  deliveries(id: string, filter: { status?: DeliveryRow['status']; beforeId?: string; limit: number }): Promise<DeliveryView[]>;
  delivery(id: string, deliveryId: string): Promise<DeliveryView & { attempts_list: AttemptView[] }>;
  retry(id: string, deliveryId: string, by: Actor): Promise<void>;
  replay(id: string, since: Date, by: Actor): Promise<{ queued: number }>;
}

export function createWebhookService(db: Db, deps: WebhookDeps): WebhookService {
  const { config, queue } = deps;
  const seal = (secret: string): string => encryptSecret(config.jwtSecret, secret, 'webhook-secret');
  const checkUrl = (url: string): Promise<string> => checkEndpointUrl(url, config.webhooks, deps.resolve);

  async function requireEndpoint(trx: Db, id: string): Promise<EndpointRow> {
    const row = await findEndpoint(trx, id);
    if (row === null) throw new AppError('webhook_not_found');
    return row;
  }

  return {
    async create(input, by): Promise<EndpointView & { secret: string }> {
      const events = checkEvents(input.events);
      const url = await checkUrl(input.url);
      const secret = newWebhookSecret();
      const row = await db.transaction().execute(async (trx) => {
        const inserted = await insertEndpoint(trx, { url, events, description: input.description ?? null, secretSealed: seal(secret) });
        await insertAudit(trx, { ...by, action: 'webhook.create', target: inserted.id, after: { url, events } });
        return inserted;
      });
      return { ...endpointView(row), secret };
    },
    async list(): Promise<EndpointView[]> {
      return (await listEndpoints(db)).map(endpointView);
    },
    async get(id): Promise<EndpointView> {
      return endpointView(await requireEndpoint(db, id));
    },
    async update(id, changes, by): Promise<EndpointView> {
      const events = changes.events === undefined ? undefined : checkEvents(changes.events);
      const url = changes.url === undefined ? undefined : await checkUrl(changes.url);
      return db.transaction().execute(async (trx) => {
        const before = await requireEndpoint(trx, id);
        const after = await updateEndpoint(trx, id, {
          ...(url === undefined ? {} : { url }),
          ...(events === undefined ? {} : { events }),
          ...(changes.description === undefined ? {} : { description: changes.description }),
          ...(changes.enabled === undefined ? {} : { enabled: changes.enabled }),
        });
        if (after === null) throw new AppError('webhook_not_found');
        await insertAudit(trx, {
          ...by,
          action: 'webhook.update',
          target: id,
          before: { url: before.url, events: before.events, enabled: before.enabled },
          after: { url: after.url, events: after.events, enabled: after.enabled },
        });
        return endpointView(after);
      });
    },
    async remove(id, by): Promise<void> {
      await db.transaction().execute(async (trx) => {
        const before = await requireEndpoint(trx, id);
        // Its deliveries go with it (the foreign key cascades); their jobs then find nothing to do.
        await deleteEndpoint(trx, id);
        await insertAudit(trx, { ...by, action: 'webhook.delete', target: id, before: { url: before.url } });
      });
    },
    async rotateSecret(id, by): Promise<{ secret: string }> {
      const secret = newWebhookSecret();
      const overlapUntil = new Date(Date.now() + OVERLAP_MS);
      await db.transaction().execute(async (trx) => {
        if (!(await rotateEndpointSecret(trx, id, seal(secret), overlapUntil))) throw new AppError('webhook_not_found');
        await insertAudit(trx, { ...by, action: 'webhook.secret.rotate', target: id, after: { previous_signs_until: overlapUntil.toISOString() } });
      });
      return { secret };
    },
    async sendTest(id, by): Promise<{ event_id: string }> {
      return db.transaction().execute(async (trx) => {
        await requireEndpoint(trx, id);
        const eventId = await insertDirectEvent(trx, TEST_EVENT_TYPE, { endpoint_id: id, message: 'A test event from Gatehouse' });
        const deliveries = await insertDeliveriesForEvents(trx, [eventId], id);
        await queueDeliveries(
          queue,
          trx,
          deliveries.map((d) => d.id),
          config.webhooks,
        );
        await insertAudit(trx, { ...by, action: 'webhook.test', target: id, after: { event_id: eventId } });
        return { event_id: eventId };
      });
    },
    async deliveries(id, filter): Promise<DeliveryView[]> {
      await requireEndpoint(db, id);
      return (await listDeliveries(db, id, filter)).map(deliveryView);
    },
    async delivery(id, deliveryId): Promise<DeliveryView & { attempts_list: AttemptView[] }> {
      await requireEndpoint(db, id);
      const row = await findDelivery(db, id, deliveryId);
      if (row === null) throw new AppError('delivery_not_found');
      const attempts = await attemptsOf(db, [deliveryId]);
      return {
        ...deliveryView(row),
        attempts_list: attempts.map((a) => ({
          attempted_at: a.attempted_at.toISOString(),
          status_code: a.status_code,
          error: a.error,
          duration_ms: a.duration_ms,
          response_body: a.response_body,
        })),
      };
    },
    async retry(id, deliveryId, by): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await requireEndpoint(trx, id);
        if (!(await deliveryBelongs(trx, id, deliveryId))) throw new AppError('delivery_not_found');
        // A pending delivery already has its job; only a finished one needs a new one.
        if (await reopenDelivery(trx, id, deliveryId)) await queueDeliveries(queue, trx, [deliveryId], config.webhooks);
        await insertAudit(trx, { ...by, action: 'webhook.delivery.retry', target: deliveryId, after: { endpoint_id: id } });
      });
    },
    async replay(id, since, by): Promise<{ queued: number }> {
      if (Number.isNaN(since.getTime()) || since.getTime() > Date.now()) throw fieldError(['since'], 'must be a time in the past');
      return db.transaction().execute(async (trx) => {
        const endpoint = await requireEndpoint(trx, id);
        const eventIds = await eventIdsSince(trx, since, endpoint.events, 100_000);
        let queued = 0;
        for (let start = 0; start < eventIds.length; start += 1000) {
          const deliveries = await insertDeliveriesForEvents(trx, eventIds.slice(start, start + 1000), id);
          await queueDeliveries(
            queue,
            trx,
            deliveries.map((d) => d.id),
            config.webhooks,
          );
          queued += deliveries.length;
        }
        await insertAudit(trx, { ...by, action: 'webhook.replay', target: id, after: { since: since.toISOString(), queued } });
        return { queued };
      });
    },
  };
}
