/** SQL for the "last admin" rule. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/**
 * Locks every admin membership row (FOR UPDATE) and returns the users who are effective admins:
 * membership active and unsuspended, user active and not deleted. Run it in the transaction of
 * the change, so two concurrent removals of two admins cannot both pass the check.
 */
export async function lockEffectiveAdmins(db: Db): Promise<string[]> {
  const rows = await sql<{ user_uuid: string; effective: boolean }>`
    select m.user_uuid, (m.is_active and not m.is_suspended and u.is_active and not u.is_deleted) as effective
    from system_memberships m
    join roles r on r.id = m.role_id
    join users u on u.uuid = m.user_uuid
    where r.name = 'admin'
    for update of m`.execute(db);
  return rows.rows.filter((row) => row.effective).map((row) => row.user_uuid);
}
