/** SQL for the eligible-email list. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export async function isEmailEligible(db: Db, email: string): Promise<boolean> {
  const row = await db.selectFrom('eligible_emails').select('id').where('email', '=', email).executeTakeFirst();
  return row !== undefined;
}

/**
 * Set-based insert of one chunk: one statement, one array parameter, whatever the chunk size.
 * Existing addresses are left as they are (ON CONFLICT DO NOTHING). Returns how many were new.
 */
export async function insertEligibleChunk(db: Db, emails: readonly string[], batchId: string | null): Promise<number> {
  if (emails.length === 0) return 0;
  const result = await sql`
    insert into eligible_emails (email, batch_id)
    select e, ${batchId}::text from unnest(${emails}::text[]) as e
    on conflict (email) do nothing`.execute(db);
  return Number(result.numAffectedRows ?? 0n);
}

/** How many of these (normalized, distinct) addresses are on the list already. */
export async function countEligibleAmong(db: Db, emails: readonly string[]): Promise<number> {
  if (emails.length === 0) return 0;
  const result = await sql<{ present: string }>`select count(*) as present from eligible_emails where email = any(${emails}::text[])`.execute(db);
  return Number(result.rows[0]?.present ?? 0);
}
