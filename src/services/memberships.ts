/** Granting and revoking system roles, with the last-admin rule and the audit record. */
import type { Db } from '../db/connect.ts';
import { AppError, fieldError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { grantSystemRole, renewSystemRole, revokeSystemRole } from '../queries/memberships.ts';
import { findRoleByName } from '../queries/roles.ts';
import { findLiveUsers, findUserByUuid } from '../queries/users.ts';
import { normalizeEmail } from './email-address.ts';
import { assertNotLastAdmin } from './membership-rules.ts';
import { emitUserEvent, withMembershipEvents } from './webhook-events.ts';

export interface Actor {
  /** A user uuid, 'api_key' or 'system'. */
  readonly actor: string;
  readonly ip?: string | null;
  readonly requestId?: string | null;
}

/** Grants the role until `expiresAt` (null: never; an existing membership takes these terms). */
export async function grantRole(db: Db, userUuid: string, roleName: string, by: Actor, expiresAt: Date | null = null): Promise<void> {
  // A grant is for the future: one that has already expired is a mistake, not a wish.
  if (expiresAt !== null && expiresAt.getTime() <= Date.now()) throw fieldError(['expires_at'], 'expires_at must be in the future');
  await db.transaction().execute(async (trx) => {
    const user = await findUserByUuid(trx, userUuid);
    const role = await findRoleByName(trx, roleName);
    if (user === null || role === null) throw new AppError('user_or_role_not_found');
    await withMembershipEvents(trx, [user.uuid], () => grantSystemRole(trx, user.uuid, role.id, expiresAt));
    await insertAudit(trx, { ...by, action: 'user.role.grant', target: user.uuid, after: { role: role.name, expires_at: expiresAt?.toISOString() ?? null } });
  });
}

export interface RenewalRequest {
  readonly roleName: string;
  readonly expiresAt: Date;
  readonly userIds?: readonly string[];
  readonly emails?: readonly string[];
}

/**
 * The yearly renewal: every listed user holds the role until `expiresAt` (granted where missing).
 * All or nothing: an unknown user id or email is a 422 naming each of them, and nothing changes.
 */
export async function renewMemberships(db: Db, request: RenewalRequest, by: Actor): Promise<{ renewed: number; granted: number }> {
  if (request.expiresAt.getTime() <= Date.now()) throw fieldError(['expires_at'], 'expires_at must be in the future');
  const userIds = [...new Set(request.userIds ?? [])];
  const emails = [...new Set((request.emails ?? []).map(normalizeEmail))];
  return db.transaction().execute(async (trx) => {
    const role = await findRoleByName(trx, request.roleName);
    if (role === null) throw new AppError('role_not_found');
    const found = await findLiveUsers(trx, userIds, emails);
    const issues = [
      ...userIds.flatMap((id, i) =>
        found.some((user) => user.uuid === id) ? [] : [{ field: ['user_ids', i], msg: `No user has the id ${id}`, type: 'value_error' }],
      ),
      ...emails.flatMap((email, i) =>
        found.some((user) => user.email === email) ? [] : [{ field: ['emails', i], msg: `No user has the email ${email}`, type: 'value_error' }],
      ),
    ];
    if (issues.length > 0) throw new AppError('validation_error', { fieldIssues: issues });
    const users = [...new Set(found.map((user) => user.uuid))];
    const counts = await withMembershipEvents(trx, users, () => renewSystemRole(trx, users, role.id, request.expiresAt));
    await insertAudit(trx, {
      ...by,
      action: 'membership.renew',
      target: role.name,
      after: { role: role.name, expires_at: request.expiresAt.toISOString(), ...counts },
    });
    return counts;
  });
}

/** Removing the last effective admin is refused (409), so an install never locks itself out. */
export async function revokeRole(db: Db, userUuid: string, roleName: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const user = await findUserByUuid(trx, userUuid);
    const role = await findRoleByName(trx, roleName);
    if (user === null || role === null) throw new AppError('user_or_role_not_found');
    if (role.name === 'admin') await assertNotLastAdmin(trx, user.uuid);
    const removed = await withMembershipEvents(trx, [user.uuid], () => revokeSystemRole(trx, user.uuid, role.id));
    if (!removed) throw new AppError('user_or_role_not_found', { message: 'user_lacks_role', params: { role: role.name } });
    await insertAudit(trx, { ...by, action: 'user.role.revoke', target: user.uuid, before: { role: role.name } });
  });
}

/**
 * Every self sign-up path gives a new user the `member` system role (as the Tagline seed does),
 * in the transaction that inserted the user, and emits user.created, then membership.granted.
 */
export async function welcomeNewUser(trx: Db, userUuid: string): Promise<void> {
  const member = await findRoleByName(trx, 'member');
  await withMembershipEvents(trx, [userUuid], async () => {
    if (member !== null) await grantSystemRole(trx, userUuid, member.id);
    await emitUserEvent(trx, 'user.created', userUuid);
  });
}
