/** Reading the audit log (every write appends to it in its own transaction: queries/audit.ts). */
import type { Db } from '../db/connect.ts';
import { listAudit, type AuditRow } from '../queries/audit.ts';

export type { AuditRow };

/** A page of entries, newest first, before the `before` key. */
export async function auditEntries(
  db: Db,
  filter: { actor?: string; target?: string; action?: string; before?: { createdAt: string; id: string }; limit: number },
): Promise<AuditRow[]> {
  return listAudit(db, filter);
}
