/** SQL for the append-only audit log. */
import type { Db } from '../db/connect.ts';

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
