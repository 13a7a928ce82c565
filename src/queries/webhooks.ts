/** SQL for webhook endpoints, their deliveries, attempts and in-flight leases. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export interface EndpointRow {
  readonly id: string;
  readonly url: string;
  readonly events: string[];
  readonly description: string | null;
  readonly enabled: boolean;
  readonly secret_sealed: string;
  readonly previous_secret_sealed: string | null;
  readonly previous_secret_expires_at: Date | null;
  readonly failing_since: Date | null;
  readonly disabled_reason: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

export async function insertEndpoint(
  db: Db,
  endpoint: { url: string; events: readonly string[]; description: string | null; secretSealed: string },
): Promise<EndpointRow> {
  const result = await sql<EndpointRow>`
    insert into webhook_endpoints (url, events, description, secret_sealed)
    values (${endpoint.url}, ${[...endpoint.events]}::text[], ${endpoint.description}, ${endpoint.secretSealed})
    returning *`.execute(db);
  const row = result.rows[0];
  if (row === undefined) throw new Error('insert returned no row');
  return row;
}

export async function listEndpoints(db: Db): Promise<EndpointRow[]> {
  return (await sql<EndpointRow>`select * from webhook_endpoints order by created_at, id`.execute(db)).rows;
}

export async function findEndpoint(db: Db, id: string): Promise<EndpointRow | null> {
  return (await sql<EndpointRow>`select * from webhook_endpoints where id = ${id}`.execute(db)).rows[0] ?? null;
}

export interface EndpointChanges {
  readonly url?: string;
  readonly events?: readonly string[];
  readonly description?: string | null;
  readonly enabled?: boolean;
}

/** Re-enabling clears the failure record: the endpoint starts a fresh five days. */
export async function updateEndpoint(db: Db, id: string, changes: EndpointChanges): Promise<EndpointRow | null> {
  const result = await sql<EndpointRow>`
    update webhook_endpoints set
      url = coalesce(${changes.url ?? null}, url),
      events = coalesce(${changes.events === undefined ? null : [...changes.events]}::text[], events),
      description = case when ${changes.description !== undefined} then ${changes.description ?? null} else description end,
      enabled = coalesce(${changes.enabled ?? null}::boolean, enabled),
      failing_since = case when ${changes.enabled === true} then null else failing_since end,
      disabled_reason = case when ${changes.enabled === true} then null else disabled_reason end,
      updated_at = now()
    where id = ${id} returning *`.execute(db);
  return result.rows[0] ?? null;
}

export async function deleteEndpoint(db: Db, id: string): Promise<boolean> {
  const result = await sql`delete from webhook_endpoints where id = ${id}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** The new secret signs from now on; the old one also signs until `overlapUntil`. */
export async function rotateEndpointSecret(db: Db, id: string, sealed: string, overlapUntil: Date): Promise<boolean> {
  const result = await sql`
    update webhook_endpoints set previous_secret_sealed = secret_sealed, previous_secret_expires_at = ${overlapUntil},
      secret_sealed = ${sealed}, updated_at = now()
    where id = ${id}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/**
 * One delivery per enabled endpoint subscribed to each event (its type, or '*'); a test event
 * goes only to `onlyEndpoint`. Returns the deliveries made, for their jobs.
 */
export async function insertDeliveriesForEvents(db: Db, eventIds: readonly string[], onlyEndpoint: string | null = null): Promise<{ id: string }[]> {
  if (eventIds.length === 0) return [];
  const result = await sql<{ id: string }>`
    insert into webhook_deliveries (endpoint_id, event_id, next_attempt_at)
    select w.id, e.id, now() from webhook_events e join webhook_endpoints w
      on (${onlyEndpoint}::uuid is null and w.enabled and (e.type = any (w.events) or '*' = any (w.events)))
      or w.id = ${onlyEndpoint}::uuid
    where e.id = any (${[...eventIds]}::text[])
    order by e.sequence, w.id
    returning id`.execute(db);
  return result.rows;
}

export interface DeliveryWork {
  readonly id: string;
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly attempts: number;
  /** Not before: a job that comes earlier is a duplicate of the one scheduled for then. */
  readonly next_attempt_at: Date | null;
  readonly endpoint_id: string;
  readonly url: string;
  readonly enabled: boolean;
  readonly secret_sealed: string;
  readonly previous_secret_sealed: string | null;
  readonly previous_secret_expires_at: Date | null;
  readonly event_id: string;
  readonly type: string;
  readonly sequence: string;
  readonly data: unknown;
  readonly event_created_at: Date;
}

export async function findDeliveryWork(db: Db, deliveryId: string): Promise<DeliveryWork | null> {
  const result = await sql<DeliveryWork>`
    select d.id, d.status, d.attempts, d.next_attempt_at, w.id as endpoint_id, w.url, w.enabled, w.secret_sealed, w.previous_secret_sealed,
      w.previous_secret_expires_at, e.id as event_id, e.type, e.sequence::text as sequence, e.data, e.created_at as event_created_at
    from webhook_deliveries d join webhook_endpoints w on w.id = d.endpoint_id join webhook_events e on e.id = d.event_id
    where d.id = ${deliveryId}`.execute(db);
  return result.rows[0] ?? null;
}

/**
 * A slot among the endpoint's `limit` in flight, across instances, or false. The endpoint row's
 * lock makes count-then-insert atomic; a lease of a crashed instance lapses at expires_at.
 */
export async function acquireLease(db: Db, endpointId: string, deliveryId: string, limit: number, leaseSeconds: number): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    await sql`select 1 from webhook_endpoints where id = ${endpointId} for update`.execute(trx);
    await sql`delete from webhook_leases where endpoint_id = ${endpointId} and expires_at <= now()`.execute(trx);
    const held = await sql<{ n: number }>`select count(*)::int as n from webhook_leases where endpoint_id = ${endpointId}`.execute(trx);
    if ((held.rows[0]?.n ?? 0) >= limit) return false;
    // A live lease of this delivery means another worker has it (a job that ran twice): not this one.
    const inserted = await sql`
      insert into webhook_leases (delivery_id, endpoint_id, expires_at) values (${deliveryId}, ${endpointId}, now() + make_interval(secs => ${leaseSeconds}))
      on conflict (delivery_id) do nothing`.execute(trx);
    return Number(inserted.numAffectedRows ?? 0) > 0;
  });
}

export async function releaseLease(db: Db, deliveryId: string): Promise<void> {
  await sql`delete from webhook_leases where delivery_id = ${deliveryId}`.execute(db);
}

export async function insertAttempt(
  db: Db,
  attempt: { deliveryId: string; statusCode: number | null; error: string | null; durationMs: number; responseBody: string },
): Promise<void> {
  await sql`
    insert into webhook_attempts (delivery_id, status_code, error, duration_ms, response_body)
    values (${attempt.deliveryId}, ${attempt.statusCode}, ${attempt.error === null ? null : attempt.error.slice(0, 1000)}, ${attempt.durationMs}, ${attempt.responseBody.slice(0, 4096)})`.execute(
    db,
  );
}

/**
 * The delivery's outcome after attempt number `attempt`. Only a pending delivery that has had
 * `attempt - 1` attempts changes: of two workers that ran one attempt twice, one records it.
 */
export async function recordDeliveryOutcome(
  db: Db,
  deliveryId: string,
  outcome: { attempt: number; status: 'pending' | 'succeeded' | 'failed'; statusCode: number | null; error: string | null; nextAttemptAt: Date | null },
): Promise<boolean> {
  const result = await sql`
    update webhook_deliveries set status = ${outcome.status}, attempts = attempts + 1, last_status_code = ${outcome.statusCode},
      last_error = ${outcome.error === null ? null : outcome.error.slice(0, 1000)}, next_attempt_at = ${outcome.nextAttemptAt},
      completed_at = case when ${outcome.status} = 'pending' then null else now() end
    where id = ${deliveryId} and status = 'pending' and attempts = ${outcome.attempt - 1}`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

/** Failed without an attempt (its endpoint is disabled). */
export async function failDelivery(db: Db, deliveryId: string, error: string): Promise<void> {
  await sql`
    update webhook_deliveries set status = 'failed', last_error = ${error}, next_attempt_at = null, completed_at = now()
    where id = ${deliveryId} and status = 'pending'`.execute(db);
}

/** A failing run starts at its first failure and ends at a success. */
export async function markEndpointFailing(db: Db, endpointId: string): Promise<Date> {
  const result = await sql<{ failing_since: Date }>`
    update webhook_endpoints set failing_since = coalesce(failing_since, now()) where id = ${endpointId} returning failing_since`.execute(db);
  return result.rows[0]?.failing_since ?? new Date();
}

export async function markEndpointHealthy(db: Db, endpointId: string): Promise<void> {
  await sql`update webhook_endpoints set failing_since = null where id = ${endpointId} and failing_since is not null`.execute(db);
}

export async function disableEndpoint(db: Db, endpointId: string, reason: string): Promise<boolean> {
  const result = await sql`
    update webhook_endpoints set enabled = false, disabled_reason = ${reason}, updated_at = now() where id = ${endpointId} and enabled`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export interface DeliveryRow {
  readonly id: string;
  readonly event_id: string;
  readonly type: string;
  readonly status: 'pending' | 'succeeded' | 'failed';
  readonly attempts: number;
  readonly last_status_code: number | null;
  readonly last_error: string | null;
  readonly next_attempt_at: Date | null;
  readonly created_at: Date;
}

const DELIVERY_COLUMNS = sql`d.id, d.event_id, e.type, d.status, d.attempts, d.last_status_code, d.last_error, d.next_attempt_at, d.created_at`;

export async function findDelivery(db: Db, endpointId: string, deliveryId: string): Promise<DeliveryRow | null> {
  const result = await sql<DeliveryRow>`
    select ${DELIVERY_COLUMNS} from webhook_deliveries d join webhook_events e on e.id = d.event_id
    where d.id = ${deliveryId} and d.endpoint_id = ${endpointId}`.execute(db);
  return result.rows[0] ?? null;
}

/** Newest first (ids are time-ordered), after the cursor id. */
export async function listDeliveries(db: Db, endpointId: string, filter: { status?: string; beforeId?: string; limit: number }): Promise<DeliveryRow[]> {
  const result = await sql<DeliveryRow>`
    select ${DELIVERY_COLUMNS} from webhook_deliveries d join webhook_events e on e.id = d.event_id
    where d.endpoint_id = ${endpointId}
      and (${filter.status ?? null}::text is null or d.status = ${filter.status ?? null})
      and (${filter.beforeId ?? null}::uuid is null or d.id < ${filter.beforeId ?? null}::uuid)
    order by d.id desc limit ${filter.limit}`.execute(db);
  return result.rows;
}

export interface AttemptRow {
  readonly delivery_id: string;
  readonly attempted_at: Date;
  readonly status_code: number | null;
  readonly error: string | null;
  readonly duration_ms: number;
  readonly response_body: string | null;
}

export async function attemptsOf(db: Db, deliveryIds: readonly string[]): Promise<AttemptRow[]> {
  if (deliveryIds.length === 0) return [];
  const result = await sql<AttemptRow>`
    select delivery_id, attempted_at, status_code, error, duration_ms, response_body from webhook_attempts
    where delivery_id = any (${[...deliveryIds]}::uuid[]) order by id`.execute(db);
  return result.rows;
}

/** A failed (or succeeded) delivery goes again: pending now. False when it is not this endpoint's. */
export async function reopenDelivery(db: Db, endpointId: string, deliveryId: string): Promise<boolean> {
  const result = await sql`
    update webhook_deliveries set status = 'pending', next_attempt_at = now(), completed_at = null
    where id = ${deliveryId} and endpoint_id = ${endpointId} and status <> 'pending'`.execute(db);
  return Number(result.numAffectedRows ?? 0) > 0;
}

export async function deliveryBelongs(db: Db, endpointId: string, deliveryId: string): Promise<boolean> {
  const result = await sql`select 1 from webhook_deliveries where id = ${deliveryId} and endpoint_id = ${endpointId}`.execute(db);
  return result.rows.length > 0;
}

export interface DeliveryStats {
  readonly pending: number;
  readonly oldest_pending_seconds: number;
}

export async function deliveryStats(db: Db): Promise<DeliveryStats> {
  const result = await sql<DeliveryStats>`
    select count(*)::int as pending, coalesce(extract(epoch from now() - min(created_at)), 0)::float8 as oldest_pending_seconds
    from webhook_deliveries where status = 'pending'`.execute(db);
  return result.rows[0] ?? { pending: 0, oldest_pending_seconds: 0 };
}
