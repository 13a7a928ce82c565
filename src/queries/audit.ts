/** SQL for the append-only audit log. */
import type { Db } from '../db/connect.ts';
import { sql } from 'kysely';
import { CURSOR_AT } from './cursor-key.ts';

export interface AuditEntry {
  /** A user uuid, 'api_key' or 'system'. */
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly before?: unknown;
  readonly after?: unknown;
  readonly ip?: string | null;
  readonly requestId?: string | null;
}

/** Call it with the transaction of the change it records, so both land or neither does. */
export async function insertAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      action: entry.action,
      target: entry.target,
      before: entry.before === undefined ? undefined : JSON.stringify(entry.before),
      after: entry.after === undefined ? undefined : JSON.stringify(entry.after),
      ip: entry.ip ?? null,
      request_id: entry.requestId ?? null,
    })
    .execute();
}

export interface AuditRow {
  readonly id: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
  readonly request_id: string | null;
  readonly created_at: Date;
  /** created_at to the microsecond, for the cursor (a JS Date keeps milliseconds only). */
  readonly cursor_at: string;
  /** The actor's email when the actor is a user. */
  readonly actor_email: string | null;
  /** What the target names, when it is a user (their email) or an organizer (its name). */
  readonly target_label: string | null;
}

/** A text column as a uuid when it holds one, else null (the CASE guards the cast). */
function asUuid(column: 'audit_log.actor' | 'audit_log.target'): ReturnType<typeof sql<string | null>> {
  return sql<
    string | null
  >`(case when ${sql.ref(column)} ~ '^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$' then ${sql.ref(column)}::uuid end)`;
}

const ACTOR_EMAIL = sql<string | null>`(select u.email from users u where u.uuid = ${asUuid('audit_log.actor')})`.as('actor_email');
const TARGET_LABEL = sql<string | null>`coalesce(
  (select u.email from users u where u.uuid = ${asUuid('audit_log.target')}),
  (select o.name from organizers o where o.uuid = ${asUuid('audit_log.target')}))`.as('target_label');

/** The user id behind an email, as the text the log stores (no match: a value no entry has). */
function userIdOf(email: string): ReturnType<typeof sql<string>> {
  return sql<string>`coalesce((select u.uuid::text from users u where u.email = ${email.toLowerCase()}), '')`;
}

/**
 * Newest first; the cursor is (created_at, id) of the last row seen. `actor` and `target` may be
 * given as an email: the actor that user, the target that user or the address itself (the
 * eligible list's entries name addresses).
 */
export async function listAudit(
  db: Db,
  filter: { actor?: string; target?: string; action?: string; before?: { createdAt: string; id: string }; limit: number },
): Promise<AuditRow[]> {
  let query = db
    .selectFrom('audit_log')
    .selectAll()
    .select([CURSOR_AT, ACTOR_EMAIL, TARGET_LABEL])
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(filter.limit);
  const { actor, target } = filter;
  if (actor) query = actor.includes('@') ? query.where(sql<boolean>`actor = ${userIdOf(actor)}`) : query.where('actor', '=', actor);
  if (target)
    query = target.includes('@') ? query.where(sql<boolean>`target in (${target.toLowerCase()}, ${userIdOf(target)})`) : query.where('target', '=', target);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.before) {
    const { createdAt, id } = filter.before;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return query.execute();
}
