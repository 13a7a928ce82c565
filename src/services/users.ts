/** Looking users up for operators (CLI) by email. */
import type { Db } from '../db/connect.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { findUserByEmail, listUsers, type UserListFilter, type UserListItem } from '../queries/users.ts';
import { normalizeEmail } from './email-address.ts';

export async function requireUserByEmail(db: Db, rawEmail: string): Promise<UserRow> {
  const user = await findUserByEmail(db, normalizeEmail(rawEmail));
  if (user === null) throw new AppError('user_not_found', { detail: `No user with email ${normalizeEmail(rawEmail)}` });
  return user;
}

export async function searchUsers(db: Db, filter: UserListFilter): Promise<UserListItem[]> {
  return listUsers(db, filter);
}
