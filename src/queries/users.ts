/** SQL for users. Emails arrive here already normalized (trimmed, lower-cased). */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { AuthProvider, UserRow } from '../db/schema.ts';

export async function findUserByEmail(db: Db, email: string): Promise<UserRow | null> {
  return (await db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirst()) ?? null;
}

export async function findUserByUuid(db: Db, uuid: string): Promise<UserRow | null> {
  return (await db.selectFrom('users').selectAll().where('uuid', '=', uuid).executeTakeFirst()) ?? null;
}

export interface NewUserFields {
  readonly email: string;
  readonly name?: string | null;
  readonly passwordHash?: string | null;
  readonly authProvider: AuthProvider;
  readonly isEmailVerified: boolean;
  readonly stytchUserId?: string | null;
  /** Self-registration: the password was chosen without proof of the address. */
  readonly passwordUnproven?: boolean;
}

/** Inserts a user; returns null when the email is taken (no exception for a race). */
export async function insertUser(db: Db, fields: NewUserFields): Promise<UserRow | null> {
  const row = await db
    .insertInto('users')
    .values({
      email: fields.email,
      name: fields.name ?? null,
      password_hash: fields.passwordHash ?? null,
      auth_provider: fields.authProvider,
      is_email_verified: fields.isEmailVerified,
      stytch_user_id: fields.stytchUserId ?? null,
      config: '{}',
      // Named only when set, so the column's default serves every other writer.
      ...(fields.passwordUnproven === true ? { password_unproven: true } : {}),
    })
    .onConflict((oc) => oc.column('email').doNothing())
    .returningAll()
    .executeTakeFirst();
  return row ?? null;
}

export async function setPasswordHash(db: Db, uuid: string, passwordHash: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ password_hash: passwordHash, updated_at: sql<Date>`now()` })
    .where('uuid', '=', uuid)
    .execute();
}

/** LIKE treats % and _ as wildcards; a search string means them literally. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (ch) => `\\${ch}`);
}
/** Verified by its owner (mailbox and, for a password account, its password): nothing is unproven. */
export async function markEmailVerified(db: Db, uuid: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ is_email_verified: true, password_unproven: false, updated_at: sql<Date>`now()` })
    .where('uuid', '=', uuid)
    .execute();
}

export async function findUserByStytchId(db: Db, stytchUserId: string): Promise<UserRow | null> {
  return (await db.selectFrom('users').selectAll().where('stytch_user_id', '=', stytchUserId).executeTakeFirst()) ?? null;
}

/** A magic-link sign-in proves the address: verified, and linked to Stytch when it came from there. */
export async function markSignedInByLink(db: Db, uuid: string, stytchUserId: string | null): Promise<void> {
  await db
    .updateTable('users')
    .set({ is_email_verified: true, updated_at: sql<Date>`now()`, ...(stytchUserId === null ? {} : { stytch_user_id: stytchUserId }) })
    .where('uuid', '=', uuid)
    .execute();
}

/**
 * The first proof of an address by a mailed link (or Stytch) makes a self-registered, unproven
 * account its prover's: the password someone chose without proving the address is removed, and
 * the address is verified. Conditional, so of two concurrent proofs only one does it.
 */
export async function claimUnprovenAccount(db: Db, uuid: string): Promise<boolean> {
  const row = await db
    .updateTable('users')
    .set({ password_hash: null, password_unproven: false, is_email_verified: true, updated_at: sql<Date>`now()` })
    .where('uuid', '=', uuid)
    .where('password_unproven', '=', true)
    .returning('uuid')
    .executeTakeFirst();
  return row !== undefined;
}

export async function updateUserFields(db: Db, uuid: string, fields: { name?: string | null; is_active?: boolean }): Promise<void> {
  if (fields.name === undefined && fields.is_active === undefined) return;
  await db
    .updateTable('users')
    .set({
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.is_active !== undefined ? { is_active: fields.is_active } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('uuid', '=', uuid)
    .execute();
}

export async function softDeleteUser(db: Db, uuid: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ is_deleted: true, is_active: false, updated_at: sql<Date>`now()` })
    .where('uuid', '=', uuid)
    .execute();
}

/** Live (undeleted) users among these uuids and emails (emails already normalized), by uuid and by email. */
export async function findLiveUsers(db: Db, uuids: readonly string[], emails: readonly string[]): Promise<{ uuid: string; email: string }[]> {
  if (uuids.length === 0 && emails.length === 0) return [];
  const result = await sql<{ uuid: string; email: string }>`
    select uuid, email from users
    where not is_deleted and (uuid = any (${[...uuids]}::uuid[]) or email = any (${[...emails]}::text[]))`.execute(db);
  return result.rows;
}
