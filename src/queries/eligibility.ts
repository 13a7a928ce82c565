/** SQL for the eligible-email list. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { copyField, copyFromStdin } from '../db/copy-in.ts';
import { isUniqueViolation } from '../db/errors.ts';
import { escapeLike } from './users.ts';

/**
 * The one eligibility rule (every sign-up path, /verify-email-eligibility, organizer additions):
 * an unexpired eligible-list entry, a pending club invitation, or an unexpired domain rule for the
 * address's domain (or, with include_subdomains, a parent domain of it). `email` is normalized.
 */
export async function isEmailEligible(db: Db, email: string): Promise<boolean> {
  const domain = email.slice(email.lastIndexOf('@') + 1);
  const result = await sql<{ eligible: boolean }>`
    select exists (select 1 from eligible_emails where email = ${email} and (expires_at is null or expires_at > now()))
      or exists (select 1 from invitations where email = ${email} and kind = 'club' and status = 'pending' and expires_at > now())
      or exists (
        select 1 from eligibility_rules
        where (expires_at is null or expires_at > now())
          and (domain = ${domain} or (include_subdomains and right(${domain}, length(domain) + 1) = '.' || domain))
      ) as eligible`.execute(db);
  return result.rows[0]?.eligible === true;
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

/**
 * Imports hold this lock until they commit: it admits readers (sign-up checks) but no other
 * writer of the list, so a chunk can leave out the addresses already present and COPY the rest,
 * without ON CONFLICT's speculative insertion (about twice the cost per row).
 */
export async function lockEligibleEmailsForImport(trx: Db): Promise<void> {
  await sql`lock table eligible_emails in share row exclusive mode`.execute(trx);
}

/**
 * Large lists travel as one newline-joined text, split by the server: binding them as array
 * parameters cost about 15% of a 100,000-address statement in quoting and parsing. Valid
 * addresses hold no whitespace (email-address.ts), so the newline cannot occur inside one.
 */
function joined(values: readonly string[]): string {
  return values.join('\n');
}

/** Which of these (valid, normalized) addresses are on the list already. */
export async function eligibleAmong(db: Db, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const result = await sql<{ email: string }>`select email from eligible_emails where email = any(string_to_array(${joined(emails)}, E'\n'))`.execute(db);
  return new Set(result.rows.map((row) => row.email));
}

/** New rows for the list: ids and emails are parallel arrays. */
export interface NewEligibleRows {
  readonly ids: readonly string[];
  readonly emails: readonly string[];
}

/**
 * New addresses only (under lockEligibleEmailsForImport).
 * Written with COPY, which fills pages in batches: about a third faster than INSERT … SELECT.
 */
export async function insertNewEligibleEmails(trx: Db, rows: NewEligibleRows, batchId: string | null): Promise<void> {
  if (rows.emails.length === 0) return;
  const batch = copyField(batchId);
  const lines = new Array<string>(rows.emails.length);
  for (let i = 0; i < lines.length; i++) lines[i] = `${rows.ids[i] ?? ''}\t${copyField(rows.emails[i] ?? '')}\t${batch}\n`;
  await trx.executeQuery(copyFromStdin('eligible_emails', ['id', 'email', 'batch_id'], lines.join('')));
}

/**
 * The same for a chunk expected to be all new, without first asking which addresses are present
 * (that look-up was about a fifth of an import of new addresses, bench W4). If one is on the list
 * already, the COPY is undone to a savepoint and false returned: nothing of the chunk stays, and
 * the caller looks the addresses up. Any other error aborts the transaction as usual.
 */
export async function insertIfAllNewEligibleEmails(trx: Db, rows: NewEligibleRows, batchId: string | null): Promise<boolean> {
  await sql`savepoint eligible_chunk`.execute(trx);
  try {
    await insertNewEligibleEmails(trx, rows, batchId);
  } catch (error) {
    if (!isUniqueViolation(error, 'eligible_emails_email_key')) throw error;
    await sql`rollback to savepoint eligible_chunk`.execute(trx);
    return false;
  }
  await sql`release savepoint eligible_chunk`.execute(trx);
  return true;
}

export interface EligibleRow {
  readonly id: string;
  readonly email: string;
  readonly batch_id: string | null;
  readonly expires_at: Date | null;
  readonly note: string | null;
  readonly created_at: Date;
}

export async function listEligible(db: Db, filter: { batchId?: string; q?: string; afterEmail?: string; limit: number }): Promise<EligibleRow[]> {
  let query = db.selectFrom('eligible_emails').select(['id', 'email', 'batch_id', 'expires_at', 'note', 'created_at']).orderBy('email').limit(filter.limit);
  if (filter.batchId !== undefined && filter.batchId !== '') query = query.where('batch_id', '=', filter.batchId);
  if (filter.q !== undefined && filter.q !== '') query = query.where('email', 'like', `%${escapeLike(filter.q.toLowerCase())}%`);
  if (filter.afterEmail !== undefined) query = query.where('email', '>', filter.afterEmail);
  return query.execute();
}

export async function insertEligibleOne(
  db: Db,
  email: string,
  batchId: string | null,
  terms: { expiresAt?: Date | null; note?: string | null } = {},
): Promise<EligibleRow | null> {
  const row = await db
    .insertInto('eligible_emails')
    .values({ email, batch_id: batchId, expires_at: terms.expiresAt ?? null, note: terms.note ?? null })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'batch_id', 'expires_at', 'note', 'created_at'])
    .executeTakeFirst();
  return row ?? null;
}

export async function deleteEligibleOne(db: Db, email: string): Promise<boolean> {
  const result = await db.deleteFrom('eligible_emails').where('email', '=', email).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteEligibleBatch(db: Db, batchId: string): Promise<number> {
  const result = await db.deleteFrom('eligible_emails').where('batch_id', '=', batchId).executeTakeFirst();
  return Number(result.numDeletedRows);
}
