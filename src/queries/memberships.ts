/** SQL for system memberships (Tagline's user_roles, with ActiFlow's status flags). */
import type { Db } from '../db/connect.ts';

/**
 * Grants a role: a new membership is active; an existing one is made active again. A
 * suspension is left as it is — lifting it is its own, explicit decision.
 */
export async function grantSystemRole(db: Db, userUuid: string, roleId: string): Promise<void> {
  await db
    .insertInto('system_memberships')
    .values({ user_uuid: userUuid, role_id: roleId, config: '{}' })
    .onConflict((oc) => oc.columns(['user_uuid', 'role_id']).doUpdateSet({ is_active: true }))
    .execute();
}

/** Removes the membership; returns whether there was one. */
export async function revokeSystemRole(db: Db, userUuid: string, roleId: string): Promise<boolean> {
  const result = await db
    .deleteFrom('system_memberships')
    .where('user_uuid', '=', userUuid)
    .where('role_id', '=', roleId)
    .executeTakeFirst();
  return result.numDeletedRows > 0n;
}
