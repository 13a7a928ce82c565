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
  const result = await db.deleteFrom('system_memberships').where('user_uuid', '=', userUuid).where('role_id', '=', roleId).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function setMembershipFlags(
  db: Db,
  userUuid: string,
  roleId: string,
  flags: { is_active?: boolean; is_suspended?: boolean },
): Promise<{ is_active: boolean; is_suspended: boolean } | null> {
  const row = await db
    .updateTable('system_memberships')
    .set({
      ...(flags.is_active !== undefined ? { is_active: flags.is_active } : {}),
      ...(flags.is_suspended !== undefined ? { is_suspended: flags.is_suspended } : {}),
    })
    .where('user_uuid', '=', userUuid)
    .where('role_id', '=', roleId)
    .returning(['is_active', 'is_suspended'])
    .executeTakeFirst();
  return row ?? null;
}

/** Makes the user's memberships exactly these roles (kept ones keep their flags). */
export async function replaceSystemRoles(db: Db, userUuid: string, roleIds: readonly string[]): Promise<void> {
  let remove = db.deleteFrom('system_memberships').where('user_uuid', '=', userUuid);
  if (roleIds.length > 0) remove = remove.where('role_id', 'not in', [...roleIds]);
  await remove.execute();
  if (roleIds.length === 0) return;
  await db
    .insertInto('system_memberships')
    .values(roleIds.map((roleId) => ({ user_uuid: userUuid, role_id: roleId, config: '{}' })))
    .onConflict((oc) => oc.columns(['user_uuid', 'role_id']).doNothing())
    .execute();
}

export async function systemRoleNames(db: Db, userUuid: string): Promise<string[]> {
  const rows = await db
    .selectFrom('system_memberships as m')
    .innerJoin('roles as r', 'r.id', 'm.role_id')
    .select('r.name')
    .where('m.user_uuid', '=', userUuid)
    .orderBy('r.name')
    .execute();
  return rows.map((row) => row.name);
}
