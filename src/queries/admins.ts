/** SQL for the rules that keep an install administrable: the last admin and each organizer's last owner. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/**
 * One transaction-scoped advisory lock serializes every change that can take away an effective
 * admin or owner (deactivation, deletion, revoking, suspending or replacing a role, changing or
 * removing an organizer member). Row locks are not enough: deactivating admin A writes A's user
 * row, deactivating admin B writes B's, and neither check would see the other's change. Taken
 * before the change's first write, and held until COMMIT; reads after it see every earlier
 * committed change (READ COMMITTED takes a new snapshot per statement).
 */
export async function lockMembershipRules(db: Db): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtext('gatehouse.membership-rules'))`.execute(db);
}

/** Users who are effective admins: membership active, unsuspended and unexpired, user active and not deleted. */
export async function effectiveAdmins(db: Db): Promise<string[]> {
  const rows = await sql<{ user_uuid: string }>`
    select m.user_uuid
    from system_memberships m
    join roles r on r.id = m.role_id
    join users u on u.uuid = m.user_uuid
    where r.name = 'admin' and m.is_active and not m.is_suspended and (m.expires_at is null or m.expires_at > now())
      and u.is_active and not u.is_deleted`.execute(db);
  return rows.rows.map((row) => row.user_uuid);
}

/** The organizer's effective owners: live owner membership of an active, undeleted user. */
export async function effectiveOwners(db: Db, organizerUuid: string): Promise<string[]> {
  const rows = await sql<{ user_uuid: string }>`
    select om.user_uuid
    from organizer_memberships om
    join users u on u.uuid = om.user_uuid
    where om.organizer_uuid = ${organizerUuid} and om.role = 'owner' and om.is_active and not om.is_deleted
      and u.is_active and not u.is_deleted`.execute(db);
  return rows.rows.map((row) => row.user_uuid);
}

/** Live organizers whose only effective owner is this user. */
export async function organizersOwnedOnlyBy(db: Db, userUuid: string): Promise<{ uuid: string; name: string }[]> {
  const rows = await sql<{ uuid: string; name: string }>`
    select o.uuid, o.name
    from organizers o
    join organizer_memberships mine on mine.organizer_uuid = o.uuid and mine.user_uuid = ${userUuid}
      and mine.role = 'owner' and mine.is_active and not mine.is_deleted
    where not o.is_deleted
      and not exists (
        select 1 from organizer_memberships om join users u on u.uuid = om.user_uuid
        where om.organizer_uuid = o.uuid and om.user_uuid <> ${userUuid} and om.role = 'owner'
          and om.is_active and not om.is_deleted and u.is_active and not u.is_deleted)
    order by o.name`.execute(db);
  return rows.rows;
}
