/**
 * The eligible-email list: who may join. Imports are all-or-nothing: every address is checked
 * first, and only a list without a single invalid entry is written, in one transaction, with
 * one COPY per chunk. An import locks the list against other writers until it commits (readers
 * go on), so a chunk can leave out the addresses present and COPY the rest without conflicts.
 */
import type { Db } from '../db/connect.ts';
import { AppError, type FieldIssue } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { emitEligibilityImported } from './webhook-events.ts';
import { eligibleAmong, insertIfAllNewEligibleEmails, insertNewEligibleEmails, isEmailEligible, lockEligibleEmailsForImport } from '../queries/eligibility.ts';
import { uuidV7Batch } from '../db/uuid-v7.ts';
import { isValidEmail, normalizeEmail } from './email-address.ts';

/**
 * Rows per statement. Each chunk also looks up which addresses are present, and on a large list
 * that look-up reads the whole table, so fewer, larger chunks are faster (bench W4).
 */
const CHUNK_SIZE = 100_000;

/**
 * Chunks written on the assumption that they are all new (insertIfAllNewEligibleEmails), each in
 * its own savepoint. PostgreSQL remembers up to 64 subtransactions of a transaction in shared
 * memory; past that, other sessions' visibility checks read pg_subtrans for as long as the import
 * runs. So imports past 6 million addresses look the rest up first, as every chunk after a miss does.
 */
const MAX_OPTIMISTIC_CHUNKS = 60;

export interface EmailEntry {
  readonly raw: string;
  /** Where the entry came from: a 1-based CSV line, or a 0-based index in a JSON array. */
  readonly position: number;
}

export interface InvalidEmail {
  readonly email: string;
  readonly position: number;
}

export interface CheckedEmails {
  /** Normalized, valid, duplicates folded; in first-seen order. */
  readonly emails: readonly string[];
  readonly invalid: readonly InvalidEmail[];
}

export interface ImportOutcome {
  readonly added: number;
  readonly already_present: number;
}

export interface EmailChecker {
  add(entry: EmailEntry): void;
  /** Entries added so far (valid or not). */
  readonly count: number;
  result(): CheckedEmails;
}

/**
 * Normalizes and validates entries one at a time; duplicates are folded into one. A streamed file
 * goes through it line by line, so a million-line import never holds a million entry objects.
 */
export function createEmailChecker(): EmailChecker {
  const seen = new Set<string>();
  const invalid: InvalidEmail[] = [];
  let count = 0;
  return {
    add(entry): void {
      count++;
      const email = normalizeEmail(entry.raw);
      if (isValidEmail(email)) seen.add(email);
      else invalid.push({ email: entry.raw, position: entry.position });
    },
    get count(): number {
      return count;
    },
    result: (): CheckedEmails => ({ emails: [...seen], invalid }),
  };
}

/** Normalizes and validates a whole list (see createEmailChecker). */
export function checkEmails(entries: Iterable<EmailEntry>): CheckedEmails {
  const checker = createEmailChecker();
  for (const entry of entries) checker.add(entry);
  return checker.result();
}

/** The same for a stream of entries (a CSV read line by line). */
export async function checkEmailStream(entries: AsyncIterable<EmailEntry>, onEntry?: (count: number) => void): Promise<CheckedEmails> {
  const checker = createEmailChecker();
  for await (const entry of entries) {
    checker.add(entry);
    onEntry?.(checker.count);
  }
  return checker.result();
}

/** The 422 for a list with invalid entries; `where` says how positions read (line or index). */
export function invalidEmailsError(invalid: readonly InvalidEmail[], where: 'line' | 'index', field: string): AppError {
  const fieldIssues: FieldIssue[] = invalid.map((item) => ({
    field: where === 'line' ? ['line', item.position] : [field, item.position],
    msg: `${JSON.stringify(item.email)} is not a valid email address`,
    type: 'value_error.email',
  }));
  return new AppError('invalid_emails', { fieldIssues, extra: { invalid_count: invalid.length } });
}

export interface ImportContext {
  readonly actor: string;
  readonly ip?: string | null;
  readonly requestId?: string | null;
  /** Called after each chunk with the number of addresses written so far. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Addresses per statement; CHUNK_SIZE unless a test wants to see several chunks. */
  readonly chunkSize?: number;
}

/** Looks up which addresses of the chunk are present and writes the others; returns how many. */
async function insertFreshOnes(trx: Db, chunk: readonly string[], batchId: string | null): Promise<number> {
  const present = await eligibleAmong(trx, chunk);
  const fresh = present.size === 0 ? chunk : chunk.filter((email) => !present.has(email));
  await insertNewEligibleEmails(trx, { ids: uuidV7Batch(fresh.length), emails: fresh }, batchId);
  return fresh.length;
}

/** Writes a checked list in one transaction. Re-running it adds nothing. */
export async function importEligibleEmails(db: Db, emails: readonly string[], batchId: string | null, context: ImportContext): Promise<ImportOutcome> {
  return db.transaction().execute(async (trx) => {
    await lockEligibleEmailsForImport(trx);
    let added = 0;
    // Until a chunk meets an address already on the list, the next one is assumed all new too.
    let expectNew = true;
    const chunkSize = context.chunkSize ?? CHUNK_SIZE;
    for (let start = 0, index = 0; start < emails.length; start += chunkSize, index++) {
      const chunk = emails.slice(start, start + chunkSize);
      expectNew &&= index < MAX_OPTIMISTIC_CHUNKS && (await insertIfAllNewEligibleEmails(trx, { ids: uuidV7Batch(chunk.length), emails: chunk }, batchId));
      added += expectNew ? chunk.length : await insertFreshOnes(trx, chunk, batchId);
      context.onProgress?.(Math.min(start + chunkSize, emails.length), emails.length);
    }
    const outcome = { added, already_present: emails.length - added };
    await emitEligibilityImported(trx, { batch_id: batchId, ...outcome });
    await insertAudit(trx, {
      actor: context.actor,
      action: 'eligible_emails.import',
      target: batchId,
      after: { ...outcome, batch_id: batchId },
      ip: context.ip ?? null,
      requestId: context.requestId ?? null,
    });
    return outcome;
  });
}

/** What an import would do, without writing: the admin console's preview before committing. */
export interface ImportPreview {
  readonly added: number;
  readonly already_present: number;
  readonly invalid_count: number;
  /** The first PREVIEW_INVALID_LIMIT invalid entries, with their line (CSV) or index (JSON). */
  readonly invalid: readonly { readonly position: number; readonly value: string }[];
}

const PREVIEW_INVALID_LIMIT = 1000;

export async function previewImport(db: Db, checked: CheckedEmails): Promise<ImportPreview> {
  let present = 0;
  for (let start = 0; start < checked.emails.length; start += CHUNK_SIZE)
    present += (await eligibleAmong(db, checked.emails.slice(start, start + CHUNK_SIZE))).size;
  return {
    added: checked.emails.length - present,
    already_present: present,
    invalid_count: checked.invalid.length,
    invalid: checked.invalid.slice(0, PREVIEW_INVALID_LIMIT).map((item) => ({ position: item.position, value: item.email })),
  };
}

export async function isEligible(db: Db, rawEmail: string): Promise<boolean> {
  return isEmailEligible(db, normalizeEmail(rawEmail));
}
