/** SQL for system memberships (Tagline's user_roles, with ActiFlow's status flags). */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/**
 * Grants a role: a new membership is active; an existing one is made active again. A
 * suspension is left as it is — lifting it is its own, explicit decision. `expiresAt` (null:
 * never) is set when given; left out, an existing membership keeps its expiry.
 */
export async function grantSystemRole(db: Db, userUuid: string, roleId: string, expiresAt?: Date | null): Promise<void> {
  await db
    .insertInto('system_memberships')
    .values({ user_uuid: userUuid, role_id: roleId, config: '{}', expires_at: expiresAt ?? null })
    .onConflict((oc) => oc.columns(['user_uuid', 'role_id']).doUpdateSet({ is_active: true, ...(expiresAt !== undefined ? { expires_at: expiresAt } : {}) }))
    .execute();
}

/**
 * Renewal: these users hold the role until `expiresAt`, active; a missing membership is granted.
 * One statement for the whole list. Returns how many were renewed and how many granted.
 */
export async function renewSystemRole(db: Db, userUuids: readonly string[], roleId: string, expiresAt: Date): Promise<{ renewed: number; granted: number }> {
  if (userUuids.length === 0) return { renewed: 0, granted: 0 };
  const result = await sql<{ inserted: boolean }>`
    insert into system_memberships (user_uuid, role_id, config, expires_at)
    select user_uuid, ${roleId}::uuid, '{}'::jsonb, ${expiresAt} from unnest(${[...userUuids]}::uuid[]) as t(user_uuid)
    on conflict (user_uuid, role_id) do update set is_active = true, expires_at = excluded.expires_at
    returning (xmax = 0) as inserted`.execute(db);
  const granted = result.rows.filter((row) => row.inserted).length;
  return { renewed: result.rows.length - granted, granted };
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
  flags: { is_active?: boolean; is_suspended?: boolean; expires_at?: Date | null },
): Promise<{ is_active: boolean; is_suspended: boolean; expires_at: Date | null } | null> {
  const row = await db
    .updateTable('system_memberships')
    .set({
      ...(flags.is_active !== undefined ? { is_active: flags.is_active } : {}),
      ...(flags.is_suspended !== undefined ? { is_suspended: flags.is_suspended } : {}),
      ...(flags.expires_at !== undefined ? { expires_at: flags.expires_at } : {}),
    })
    .where('user_uuid', '=', userUuid)
    .where('role_id', '=', roleId)
    .returning(['is_active', 'is_suspended', 'expires_at'])
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

/** The users holding the role (in any state). */
export async function roleHolders(db: Db, roleName: string): Promise<string[]> {
  const result = await sql<{ user_uuid: string }>`
    select m.user_uuid from system_memberships m join roles r on r.id = m.role_id where r.name = ${roleName}`.execute(db);
  return result.rows.map((row) => row.user_uuid);
}
