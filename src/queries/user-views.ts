/** SQL for users with their memberships (the admin API's views; the same shape as /me). */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import { USER_WITH_MEMBERSHIPS, USERS_WITH_ACCESS, type UserWithMemberships } from './principal.ts';
import { escapeLike } from './users.ts';

/** Admin views read the same user-with-memberships shape as /me. */
export type AdminUserRow = UserWithMemberships;

export async function adminFindUser(db: Db, uuid: string): Promise<AdminUserRow | null> {
  const result = await sql<AdminUserRow>`select ${USER_WITH_MEMBERSHIPS} from ${USERS_WITH_ACCESS} where u.uuid = ${uuid} and not u.is_deleted`.execute(db);
  return result.rows[0] ?? null;
}

export interface UserFilter {
  readonly email?: string;
  readonly role?: string;
  /** With or without `role`: users with a system membership (of that role) expiring before this instant. */
  readonly expiringBefore?: Date;
  readonly afterEmail?: string;
  readonly limit: number;
}

/** Users by email, keyset-paginated, with an optional email substring, role and expiry filter. */
export async function adminListUsers(db: Db, filter: UserFilter): Promise<AdminUserRow[]> {
  const email = filter.email === undefined || filter.email === '' ? null : `%${escapeLike(filter.email.toLowerCase())}%`;
  const role = filter.role === undefined || filter.role === '' ? null : filter.role;
  const before = filter.expiringBefore ?? null;
  const result = await sql<AdminUserRow>`
    select ${USER_WITH_MEMBERSHIPS} from ${USERS_WITH_ACCESS}
    where not u.is_deleted
      and (${email}::text is null or u.email like ${email})
      and (${filter.afterEmail ?? null}::text is null or u.email > ${filter.afterEmail ?? null})
      and (${role}::text is null or exists (
        select 1 from system_memberships m join roles r on r.id = m.role_id where m.user_uuid = u.uuid and r.name = ${role}))
      and (${before}::timestamptz is null or exists (
        select 1 from system_memberships m join roles r on r.id = m.role_id
        where m.user_uuid = u.uuid and (${role}::text is null or r.name = ${role}) and m.expires_at is not null and m.expires_at < ${before}))
    order by u.email
    limit ${filter.limit}`.execute(db);
  return result.rows;
}

/** Undeleted users among these (normalized) emails, with their membership lists. */
export async function liveUsersWithMemberships(db: Db, emails: readonly string[]): Promise<UserWithMemberships[]> {
  if (emails.length === 0) return [];
  const result = await sql<UserWithMemberships>`
    select ${USER_WITH_MEMBERSHIPS} from ${USERS_WITH_ACCESS} where not u.is_deleted and u.email = any (${[...emails]}::text[])`.execute(db);
  return result.rows;
}
