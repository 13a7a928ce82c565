/** SQL for the outbox (webhook_events): written inside the change's transaction, read by the relay. */
import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export interface EventRow {
  readonly id: string;
  /** bigint: a string from both drivers. */
  readonly sequence: string;
  readonly type: string;
  readonly data: unknown;
  readonly created_at: Date;
}

/** `evt_` and 32 hex digits (a random UUID's 122 bits). */
export function newEventId(): string {
  return `evt_${randomUUID().replaceAll('-', '')}`;
}

let written = 0;

/**
 * How many event rows this process has written (committed or not): the relay is woken after a
 * request only when this moved, so a request that emitted nothing (a sign-in) costs no query.
 */
export function eventsWritten(): number {
  return written;
}

/** Call it with the transaction of the change it describes: the event exists exactly when the change commits. */
export async function insertEvent(db: Db, type: string, data: object): Promise<string> {
  written += 1;
  const id = newEventId();
  await sql`insert into webhook_events (id, type, data) values (${id}, ${type}, ${JSON.stringify(data)}::jsonb)`.execute(db);
  return id;
}

/** An event that goes to one endpoint only (webhook.test): written relayed, its delivery made by the caller. */
export async function insertDirectEvent(db: Db, type: string, data: object): Promise<string> {
  const id = newEventId();
  await sql`insert into webhook_events (id, type, data, relayed_at) values (${id}, ${type}, ${JSON.stringify(data)}::jsonb, now())`.execute(db);
  return id;
}

/** Many events in one statement (a bulk invitation), in this order, inside the change's transaction. */
export async function insertEvents(db: Db, events: readonly { type: string; data: object }[]): Promise<void> {
  if (events.length === 0) return;
  written += events.length;
  const ids = events.map(() => newEventId());
  await sql`
    insert into webhook_events (id, type, data)
    select t.id, t.type, t.data::jsonb from unnest(${ids}::text[], ${events.map((e) => e.type)}::text[], ${events.map((e) => JSON.stringify(e.data))}::text[])
      with ordinality as t(id, type, data, n)
    order by t.n`.execute(db);
}

/** Events not yet fanned out, oldest first, locked for this relay (other instances skip them). */
export async function lockUnrelayedEvents(db: Db, limit: number): Promise<EventRow[]> {
  const result = await sql<EventRow>`
    select id, sequence::text as sequence, type, data, created_at from webhook_events
    where relayed_at is null order by sequence limit ${limit} for update skip locked`.execute(db);
  return result.rows;
}

export async function markRelayed(db: Db, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await sql`update webhook_events set relayed_at = now() where id = any (${[...ids]}::text[])`.execute(db);
}

export async function hasUnrelayedEvents(db: Db): Promise<boolean> {
  const result = await sql<{ one: number }>`select 1 as one from webhook_events where relayed_at is null limit 1`.execute(db);
  return result.rows.length > 0;
}

export async function findEvent(db: Db, id: string): Promise<EventRow | null> {
  const result = await sql<EventRow>`select id, sequence::text as sequence, type, data, created_at from webhook_events where id = ${id}`.execute(db);
  return result.rows[0] ?? null;
}

/** Events of these types (or any, for '*') since `since`, for a replay; at most `limit`. */
export async function eventIdsSince(db: Db, since: Date, types: readonly string[], limit: number): Promise<string[]> {
  const any = types.includes('*');
  const result = await sql<{ id: string }>`
    select id from webhook_events
    where created_at >= ${since} and type <> 'webhook.test' and (${any} or type = any (${[...types]}::text[]))
    order by sequence limit ${limit}`.execute(db);
  return result.rows.map((row) => row.id);
}

/** Events (and their deliveries) older than the retention are deleted by the sweep. */
export async function deleteEventsBefore(db: Db, before: Date): Promise<number> {
  const result = await sql`delete from webhook_events where created_at < ${before} and relayed_at is not null`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
