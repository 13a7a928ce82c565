/** The eligible list, one address at a time and by batch: audited, in one transaction each. */
import type { Db } from '../db/connect.ts';
import { AppError, fieldError } from '../errors.ts';
import { deleteEligibleBatch, deleteEligibleOne, insertEligibleOne, listEligible, type EligibleRow } from '../queries/eligibility.ts';
import { insertAudit } from '../queries/audit.ts';
import { requireValidEmail } from './accounts.ts';
import { normalizeEmail } from './email-address.ts';
import type { Actor } from './memberships.ts';

export type { EligibleRow };

/** One address; `terms.expiresAt` (null: never) ends its eligibility for new sign-ups. */
export async function addEligibleEmail(
  db: Db,
  rawEmail: string,
  batchId: string | null,
  by: Actor,
  terms: { expiresAt?: Date | null; note?: string | null } = {},
): Promise<EligibleRow> {
  const email = requireValidEmail(rawEmail);
  if (terms.expiresAt !== undefined && terms.expiresAt !== null && terms.expiresAt.getTime() <= Date.now())
    throw fieldError(['expires_at'], 'expires_at must be in the future');
  return db.transaction().execute(async (trx) => {
    const inserted = await insertEligibleOne(trx, email, batchId, terms);
    if (inserted === null) throw new AppError('already_eligible');
    await insertAudit(trx, { ...by, action: 'eligible_emails.add', target: email, after: { batch_id: inserted.batch_id } });
    return inserted;
  });
}

export async function removeEligibleEmail(db: Db, rawEmail: string, by: Actor): Promise<void> {
  const email = normalizeEmail(rawEmail);
  await db.transaction().execute(async (trx) => {
    if (!(await deleteEligibleOne(trx, email))) throw new AppError('not_found', { message: 'not_on_eligible_list' });
    await insertAudit(trx, { ...by, action: 'eligible_emails.delete', target: email });
  });
}

/** How many addresses the batch had. */
export async function removeEligibleBatch(db: Db, batchId: string, by: Actor): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const count = await deleteEligibleBatch(trx, batchId);
    await insertAudit(trx, { ...by, action: 'eligible_emails.delete_batch', target: batchId, after: { deleted: count } });
    return count;
  });
}

/** A page of the list by email, after `afterEmail`. */
export async function listEligibleEmails(db: Db, filter: { batchId?: string; q?: string; afterEmail?: string; limit: number }): Promise<EligibleRow[]> {
  return listEligible(db, filter);
}
