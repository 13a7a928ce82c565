/** Granting and revoking system roles, with the last-admin rule and the audit record. */
import type { Db } from '../db/connect.ts';
import { AppError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { grantSystemRole, revokeSystemRole } from '../queries/memberships.ts';
import { findRoleByName } from '../queries/roles.ts';
import { findUserByUuid } from '../queries/users.ts';
import { assertNotLastAdmin } from './membership-rules.ts';

export interface Actor {
  /** A user uuid, 'api_key' or 'system'. */
  readonly actor: string;
  readonly ip?: string | null;
  readonly requestId?: string | null;
}

export async function grantRole(db: Db, userUuid: string, roleName: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByUuid(trx, userUuid);
    const role = await findRoleByName(trx, roleName);
    if (user === null || role === null) throw new AppError('user_or_role_not_found');
    await grantSystemRole(trx, user.uuid, role.id);
    await insertAudit(trx, { ...by, action: 'user.role.grant', target: user.uuid, after: { role: role.name } });
  });
}

/** Removing the last effective admin is refused (409), so an install never locks itself out. */
export async function revokeRole(db: Db, userUuid: string, roleName: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByUuid(trx, userUuid);
    const role = await findRoleByName(trx, roleName);
    if (user === null || role === null) throw new AppError('user_or_role_not_found');
    if (role.name === 'admin') await assertNotLastAdmin(trx, user.uuid);
    const removed = await revokeSystemRole(trx, user.uuid, role.id);
    if (!removed) throw new AppError('user_or_role_not_found', { message: 'user_lacks_role', params: { role: role.name } });
    await insertAudit(trx, { ...by, action: 'user.role.revoke', target: user.uuid, before: { role: role.name } });
  });
}

/** Every sign-up path gives a new user the `member` system role (as the Tagline seed does). */
export async function grantMemberRole(db: Db, userUuid: string): Promise<void> {
  const member = await findRoleByName(db, 'member');
  if (member !== null) await grantSystemRole(db, userUuid, member.id);
}
