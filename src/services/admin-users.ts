/**
 * Admin operations on users and their roles. Every write is audited in the same transaction, and
 * none may leave the install without an effective admin (active, unsuspended membership of an
 * active, undeleted user): removing, suspending or deactivating the last one is a 409.
 */
import type { Db } from '../db/connect.ts';
import { AppError, fieldError } from '../errors.ts';
import { adminFindUser, adminListUsers, type AdminUserRow, type UserFilter } from '../queries/user-views.ts';
import { softDeleteUser, updateUserFields } from '../queries/users.ts';
import { insertAudit } from '../queries/audit.ts';
import { retireOneTimeTokens } from '../queries/one-time-tokens.ts';
import { grantSystemRole, replaceSystemRoles, roleHolders, setMembershipFlags, systemRoleNames } from '../queries/memberships.ts';
import { BUILTIN_ROLES, deleteRole, findRoleByName, findRolesByNames } from '../queries/roles.ts';
import { revokeUserSessions } from '../queries/sessions.ts';
import { insertUser } from '../queries/users.ts';
import { hashPassword, passwordProblem } from '../security/passwords.ts';
import { requireValidEmail } from './accounts.ts';
import { assertAccountRemovable, assertNotLastAdmin } from './membership-rules.ts';
import type { Actor } from './memberships.ts';
import { membershipStatus, type MembershipStatus } from './user-view.ts';
import { liveSessionsOf, type SessionView } from './session-views.ts';
import { emitSessionsRevoked, emitUserDeleted, emitUserEvent, withMembershipEvents } from './webhook-events.ts';

export type { AdminUserRow };

/** The (undeleted) user for an admin view, or 404. */
export async function requireUser(db: Db, uuid: string): Promise<AdminUserRow> {
  const user = await adminFindUser(db, uuid);
  if (user === null) throw new AppError('user_not_found');
  return user;
}

/** Every name must exist; otherwise a 422 that lists the unknown ones and changes nothing. */
async function requireRoles(db: Db, names: readonly string[], field: string): Promise<{ id: string; name: string }[]> {
  const unique = [...new Set(names)];
  const found = await findRolesByNames(db, unique);
  const unknown = unique.filter((name) => !found.some((role) => role.name === name));
  if (unknown.length > 0) throw fieldError([field], `unknown role names: ${unknown.join(', ')}`, 'value_error.unknown_roles');
  return found;
}

export interface NewUserInput {
  readonly email: string;
  readonly name?: string | null;
  readonly password?: string | null;
  readonly roleNames?: readonly string[];
}

export async function adminCreateUser(db: Db, input: NewUserInput, by: Actor): Promise<AdminUserRow> {
  const email = requireValidEmail(input.email);
  if (input.password !== undefined && input.password !== null) {
    const problem = passwordProblem(input.password);
    if (problem !== null) throw fieldError(['password'], problem, 'value_error.password');
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return db.transaction().execute(async (trx) => {
    const roles = await requireRoles(trx, input.roleNames ?? ['member'], 'role_names');
    const user = await insertUser(trx, { email, name: input.name ?? null, passwordHash, authProvider: 'local', isEmailVerified: false });
    if (user === null) throw new AppError('email_taken');
    await withMembershipEvents(trx, [user.uuid], async () => {
      for (const role of roles) await grantSystemRole(trx, user.uuid, role.id);
      await emitUserEvent(trx, 'user.created', user.uuid);
    });
    await insertAudit(trx, {
      ...by,
      action: 'user.create',
      target: user.uuid,
      after: { email, name: input.name ?? null, roles: roles.map((r) => r.name), password_set: passwordHash !== null },
    });
    return requireUser(trx, user.uuid);
  });
}

export async function adminUpdateUser(db: Db, uuid: string, fields: { name?: string | null; is_active?: boolean }, by: Actor): Promise<AdminUserRow> {
  return db.transaction().execute(async (trx) => {
    const before = await requireUser(trx, uuid);
    if (fields.is_active === false && before.is_active) await assertAccountRemovable(trx, uuid);
    await updateUserFields(trx, uuid, fields);
    // Deactivation ends every session and every mailed link at once.
    if (fields.is_active === false) {
      await revokeUserSessions(trx, uuid);
      await retireOneTimeTokens(trx, before.email);
      if (before.is_active) await emitSessionsRevoked(trx, uuid, 'deactivation');
    }
    const changed = (['name', 'is_active'] as const).filter((field) => fields[field] !== undefined && fields[field] !== before[field]);
    if (changed.length > 0) await emitUserEvent(trx, 'user.updated', uuid, changed);
    await insertAudit(trx, { ...by, action: 'user.update', target: uuid, before: { name: before.name, is_active: before.is_active }, after: fields });
    return requireUser(trx, uuid);
  });
}

export async function adminDeleteUser(db: Db, uuid: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const before = await requireUser(trx, uuid);
    await assertAccountRemovable(trx, uuid);
    await softDeleteUser(trx, uuid);
    await revokeUserSessions(trx, uuid);
    await retireOneTimeTokens(trx, before.email);
    await emitUserDeleted(trx, before);
    await insertAudit(trx, { ...by, action: 'user.delete', target: uuid, before: { email: before.email } });
  });
}

export async function adminRevokeUserSessions(db: Db, uuid: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await requireUser(trx, uuid);
    const revoked = await revokeUserSessions(trx, uuid);
    await emitSessionsRevoked(trx, uuid, 'admin');
    await insertAudit(trx, { ...by, action: 'user.sessions.revoke', target: uuid, after: { stytch_sessions: revoked.length } });
  });
}

/** PUT: the user's roles become exactly these. */
export async function adminSetRoles(db: Db, uuid: string, roleNames: readonly string[], by: Actor): Promise<string[]> {
  return db.transaction().execute(async (trx) => {
    await requireUser(trx, uuid);
    const roles = await requireRoles(trx, roleNames, 'role_names');
    const before = await systemRoleNames(trx, uuid);
    if (before.includes('admin') && !roles.some((role) => role.name === 'admin')) await assertNotLastAdmin(trx, uuid);
    await withMembershipEvents(trx, [uuid], () =>
      replaceSystemRoles(
        trx,
        uuid,
        roles.map((role) => role.id),
      ),
    );
    const after = await systemRoleNames(trx, uuid);
    await insertAudit(trx, { ...by, action: 'user.roles.set', target: uuid, before: { roles: before }, after: { roles: after } });
    return after;
  });
}

/** PATCH one membership's flags; suspending or deactivating the last admin is refused. */
export async function adminSetMembershipFlags(
  db: Db,
  uuid: string,
  roleName: string,
  flags: { is_active?: boolean; is_suspended?: boolean; expires_at?: Date | null },
  by: Actor,
): Promise<{ type: 'system'; role: string; status: MembershipStatus; expires_at: string | null }> {
  return db.transaction().execute(async (trx) => {
    const user = await adminFindUser(trx, uuid);
    const role = await findRoleByName(trx, roleName);
    const current = user?.system.find((m) => m.role === roleName);
    if (user === null || role === null || current === undefined) throw new AppError('user_or_role_not_found');
    const endsNow = flags.expires_at !== undefined && flags.expires_at !== null && flags.expires_at.getTime() <= Date.now();
    if (role.name === 'admin' && (flags.is_active === false || flags.is_suspended === true || endsNow)) await assertNotLastAdmin(trx, uuid);
    const updated = await withMembershipEvents(trx, [uuid], () => setMembershipFlags(trx, uuid, role.id, flags));
    if (updated === null) throw new AppError('user_or_role_not_found');
    await insertAudit(trx, {
      ...by,
      action: 'user.role.update',
      target: uuid,
      before: { role: roleName, status: membershipStatus(current), expires_at: current.expires_at ?? null },
      after: { role: roleName, ...flags },
    });
    return { type: 'system', role: roleName, status: membershipStatus(updated), expires_at: updated.expires_at?.toISOString() ?? null };
  });
}

export async function adminDeleteRole(db: Db, name: string, by: Actor): Promise<void> {
  if (BUILTIN_ROLES.has(name)) throw new AppError('builtin_role', { message: 'builtin_role_named', params: { name } });
  await db.transaction().execute(async (trx) => {
    // Deleting a role ends its memberships (the foreign key cascades): each is a membership.revoked.
    const deleted = await withMembershipEvents(trx, await roleHolders(trx, name), () => deleteRole(trx, name));
    if (!deleted) throw new AppError('role_not_found');
    await insertAudit(trx, { ...by, action: 'role.delete', target: name, before: { name } });
  });
}

/** A page of users by email (filter by email substring or role), after `afterEmail`. */
export async function findUsers(db: Db, filter: UserFilter): Promise<AdminUserRow[]> {
  return adminListUsers(db, filter);
}

export async function userSessions(db: Db, uuid: string): Promise<SessionView[]> {
  const user = await requireUser(db, uuid);
  return liveSessionsOf(db, user.uuid);
}
