/**
 * Which expiry reminders are due (MEMBERSHIP_EXPIRY_NOTICE_DAYS), and the record that one went
 * out. A membership is due for the smallest notice whose window it is in (expiring within that
 * many days, not yet expired), unless a notice of that size or smaller already went out for this
 * expiry date: granted five days before the end with notices 30,7 it gets the 7-day one only,
 * and a renewal (a new date) starts afresh.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export interface DueNotice {
  readonly membership_id: string;
  readonly user_uuid: string;
  readonly email: string;
  readonly role: string;
  readonly expires_at: Date;
  readonly notice_days: number;
}

export async function dueExpiryNotices(db: Db, noticeDays: readonly number[], limit: number): Promise<DueNotice[]> {
  if (noticeDays.length === 0) return [];
  const days = [...noticeDays];
  const result = await sql<DueNotice>`
    select * from (
      select m.id as membership_id, m.user_uuid, u.email, r.name as role, m.expires_at,
        (select min(d) from unnest(${days}::int[]) as d where m.expires_at <= now() + make_interval(days => d)) as notice_days
      from system_memberships m
      join users u on u.uuid = m.user_uuid
      join roles r on r.id = m.role_id
      where m.expires_at > now() and m.expires_at <= now() + make_interval(days => ${Math.max(...days)})
        and m.is_active and not m.is_suspended and u.is_active and not u.is_deleted
    ) due
    where not exists (
      select 1 from membership_expiry_notices n
      where n.membership_id = due.membership_id and n.expires_at = due.expires_at and n.notice_days <= due.notice_days)
    order by due.expires_at
    limit ${limit}`.execute(db);
  return result.rows;
}

/** Records the notice; false when another run recorded it first (then it must not be sent again). */
export async function recordExpiryNotice(db: Db, notice: Pick<DueNotice, 'membership_id' | 'notice_days' | 'expires_at'>): Promise<boolean> {
  const result = await db
    .insertInto('membership_expiry_notices')
    .values({ membership_id: notice.membership_id, notice_days: notice.notice_days, expires_at: notice.expires_at })
    .onConflict((oc) => oc.doNothing())
    .returning('membership_id')
    .executeTakeFirst();
  return result !== undefined;
}

export interface ExpiredMembership {
  readonly membership_id: string;
  readonly user_uuid: string;
  readonly email: string;
  readonly role: string;
  readonly expires_at: Date;
  readonly is_active: boolean;
  readonly is_suspended: boolean;
}

/**
 * Memberships whose end has passed and was not announced yet, each recorded as announced (a
 * notice of 0 days, for that expiry date) in the caller's transaction: of two sweeps, the
 * unique key lets one record each, so each expiry is announced once. A renewal is a new date.
 */
export async function claimExpiredMemberships(db: Db, limit: number): Promise<ExpiredMembership[]> {
  const result = await sql<ExpiredMembership>`
    with due as (
      select m.id as membership_id, m.user_uuid, u.email, r.name as role, m.expires_at, m.is_active, m.is_suspended
      from system_memberships m join users u on u.uuid = m.user_uuid join roles r on r.id = m.role_id
      where m.expires_at <= now() and not u.is_deleted
        and not exists (select 1 from membership_expiry_notices n where n.membership_id = m.id and n.notice_days = 0 and n.expires_at = m.expires_at)
      order by m.expires_at limit ${limit}
    ), recorded as (
      insert into membership_expiry_notices (membership_id, notice_days, expires_at)
      select membership_id, 0, expires_at from due
      on conflict do nothing returning membership_id
    )
    select due.* from due join recorded using (membership_id) order by due.expires_at`.execute(db);
  return result.rows;
}
