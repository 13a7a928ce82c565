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
}

/** Newest first; the cursor is (created_at, id) of the last row seen. */
export async function listAudit(
  db: Db,
  filter: { actor?: string; target?: string; action?: string; before?: { createdAt: string; id: string }; limit: number },
): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().select(CURSOR_AT).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.target) query = query.where('target', '=', filter.target);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.before) {
    const { createdAt, id } = filter.before;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return query.execute();
}
