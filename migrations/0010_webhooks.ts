/**
 * Webhooks (docs/webhooks.md):
 * - webhook_events is the transactional outbox: a service writes the event row in the same
 *   transaction as the change it describes, so a rolled-back change emits nothing and a committed
 *   one is never lost. `sequence` orders all events; `relayed_at` is null until the relay
 *   (jobs/webhook-relay.ts) has fanned the event out into deliveries, one per matching endpoint.
 * - webhook_endpoints: the receivers. The signing secret must be read back to sign, so it is
 *   sealed (AES-GCM under the service secret), never stored in the clear; after a rotation the
 *   previous one signs too until previous_secret_expires_at. failing_since marks the start of an
 *   unbroken run of failed deliveries (5 days of it disables the endpoint).
 * - webhook_deliveries: one event to one endpoint, pending → succeeded | failed, with its
 *   attempts (webhook_attempts) and the next one's time. Each pending delivery has one job in the
 *   job queue that carries it out.
 * - webhook_leases: the deliveries in flight per endpoint across all instances
 *   (WEBHOOK_CONCURRENCY); a lease outlives a crashed instance only until it expires.
 * - membership.expired and invitation.expired are announced once: the former by a
 *   membership_expiry_notices row with notice_days 0, the latter by invitations.expiry_announced_at.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `create table webhook_events (
     id text primary key,
     sequence bigint generated always as identity unique,
     type text not null,
     data jsonb not null,
     created_at timestamptz not null default now(),
     relayed_at timestamptz
   )`,
  `create index webhook_events_unrelayed_idx on webhook_events (sequence) where relayed_at is null`,
  `create index webhook_events_created_at_idx on webhook_events (created_at)`,

  `create table webhook_endpoints (
     id uuid primary key default gatehouse_uuid_v7(),
     url text not null check (length(url) <= 2000),
     events text[] not null,
     description text check (length(description) <= 500),
     enabled boolean not null default true,
     secret_sealed text not null,
     previous_secret_sealed text,
     previous_secret_expires_at timestamptz,
     failing_since timestamptz,
     disabled_reason text,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now()
   )`,

  `create table webhook_deliveries (
     id uuid primary key default gatehouse_uuid_v7(),
     endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
     event_id text not null references webhook_events (id) on delete cascade,
     status text not null default 'pending' check (status in ('pending', 'succeeded', 'failed')),
     attempts integer not null default 0,
     last_status_code integer,
     last_error text,
     next_attempt_at timestamptz,
     created_at timestamptz not null default now(),
     completed_at timestamptz
   )`,
  `create index webhook_deliveries_endpoint_idx on webhook_deliveries (endpoint_id, id)`,
  `create index webhook_deliveries_pending_idx on webhook_deliveries (created_at) where status = 'pending'`,
  `create index webhook_deliveries_event_idx on webhook_deliveries (event_id)`,

  `create table webhook_attempts (
     id bigint generated always as identity primary key,
     delivery_id uuid not null references webhook_deliveries (id) on delete cascade,
     attempted_at timestamptz not null default now(),
     status_code integer,
     error text,
     duration_ms integer not null,
     response_body text check (length(response_body) <= 4096)
   )`,
  `create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id)`,

  `create table webhook_leases (
     delivery_id uuid primary key references webhook_deliveries (id) on delete cascade,
     endpoint_id uuid not null references webhook_endpoints (id) on delete cascade,
     expires_at timestamptz not null
   )`,
  `create index webhook_leases_endpoint_idx on webhook_leases (endpoint_id)`,

  `alter table invitations add column expiry_announced_at timestamptz`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}
