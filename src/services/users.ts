/** Looking users up: for operators (CLI) by email, and a user's public view by uuid. */
import type { Db } from '../db/connect.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { findUserByEmail } from '../queries/users.ts';
import { loadUserWithMemberships } from '../queries/principal.ts';
import { normalizeEmail } from './email-address.ts';
import { userPublicView, type UserPublicView } from './user-view.ts';

export async function requireUserByEmail(db: Db, rawEmail: string): Promise<UserRow> {
  const user = await findUserByEmail(db, normalizeEmail(rawEmail));
  if (user === null) throw new AppError('user_not_found', { message: 'no_user_with_email', params: { email: normalizeEmail(rawEmail) } });
  return user;
}

/** The user public view (with memberships) of a live user, or 404. */
export async function publicUser(db: Db, uuid: string): Promise<UserPublicView> {
  const user = await loadUserWithMemberships(db, uuid);
  if (user === null) throw new AppError('user_not_found');
  return userPublicView(user);
}
