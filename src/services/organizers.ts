/** Organizers (ActiFlow) and their members: the rules of organizer-permissions.ts, audited, and never ownerless. */
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { formatErrorMessage, type ErrorMessageId } from '../error-messages.ts';
import { AppError } from '../errors.ts';
import {
  findOrganizer,
  findOrganizerMembership,
  insertOrganizer,
  listOrganizerMembers,
  listOrganizers,
  removeOrganizerMembership,
  renameOrganizer,
  setOrganizerRole,
  upsertOrganizerMembership,
  type OrganizerListRow,
  type OrganizerMemberRow,
  type OrganizerRow,
} from '../queries/organizers.ts';
import { insertAudit } from '../queries/audit.ts';
import { isEmailEligible } from '../queries/eligibility.ts';
import { findUserByEmail, findUserByUuid } from '../queries/users.ts';
import type { UserRow } from '../db/schema.ts';
import { normalizeEmail } from './email-address.ts';
import type { Actor } from './memberships.ts';
import { assertNotLastOwner } from './membership-rules.ts';
import { mayAssign, mayRemove, type OrganizerStanding } from './organizer-permissions.ts';
import { emitOrganizerEvent, emitOrganizerMemberEvent, type OrganizerFacts } from './webhook-events.ts';

/** Who an admin or an organizer names: a user by uuid or by email. */
export interface PersonRef {
  readonly email?: string;
  readonly user_uuid?: string;
}

/**
 * The user named, or user_not_found saying what to do: an eligible email is not a user until it
 * first signs in (or an admin adds it), and an admin adding an organizer member by email
 * expects to hear that, not only "not found".
 */
async function requirePerson(db: Db, who: PersonRef): Promise<UserRow> {
  if (who.user_uuid !== undefined) {
    const user = await findUserByUuid(db, who.user_uuid);
    if (user === null || user.is_deleted) throw new AppError('user_not_found');
    return user;
  }
  const email = normalizeEmail(who.email ?? '');
  const user = await findUserByEmail(db, email);
  if (user !== null && !user.is_deleted) return user;
  const add = formatErrorMessage('add_user_first', { email });
  throw new AppError('user_not_found', { message: (await isEmailEligible(db, email)) ? 'eligible_not_user' : 'no_such_user_email', params: { email, add } });
}

/**
 * The user holds `role` in the organizer from now on (added, or brought back, or moved), with
 * its event: organizer.member.added for a new or returning member, .updated for a new role.
 */
export async function putOrganizerMember(trx: Db, organizer: OrganizerFacts, userUuid: string, role: OrganizerRole): Promise<void> {
  const existing = await findOrganizerMembership(trx, organizer.uuid, userUuid);
  await upsertOrganizerMembership(trx, organizer.uuid, userUuid, role);
  const live = existing !== null && existing.is_active && !existing.is_deleted;
  if (!live) await emitOrganizerMemberEvent(trx, 'organizer.member.added', organizer, { user_uuid: userUuid, role });
  else if (existing.role !== role)
    await emitOrganizerMemberEvent(trx, 'organizer.member.updated', organizer, { user_uuid: userUuid, role, previous_role: existing.role });
}

export async function createOrganizer(db: Db, name: string, owner: PersonRef | null, by: Actor): Promise<OrganizerRow> {
  return db.transaction().execute(async (trx) => {
    const ownerUser = owner === null ? null : await requirePerson(trx, owner);
    const organizer = await insertOrganizer(trx, name);
    await emitOrganizerEvent(trx, 'organizer.created', organizer);
    if (ownerUser !== null) await putOrganizerMember(trx, organizer, ownerUser.uuid, 'owner');
    await insertAudit(trx, { ...by, action: 'organizer.create', target: organizer.uuid, after: { name, owner_user_id: ownerUser?.uuid ?? null } });
    return organizer;
  });
}

export async function renameOrganizerAs(db: Db, uuid: string, name: string, by: Actor): Promise<OrganizerRow> {
  return db.transaction().execute(async (trx) => {
    const before = await findOrganizer(trx, uuid);
    const after = await renameOrganizer(trx, uuid, name);
    if (before === null || after === null) throw new AppError('organizer_not_found');
    if (before.name !== after.name) await emitOrganizerEvent(trx, 'organizer.updated', after);
    await insertAudit(trx, { ...by, action: 'organizer.rename', target: uuid, before: { name: before.name }, after: { name } });
    return after;
  });
}

function refused(message: ErrorMessageId): AppError {
  return new AppError('forbidden', { message });
}

export async function addOrganizerMember(
  db: Db,
  organizerUuid: string,
  who: PersonRef,
  role: OrganizerRole,
  standing: OrganizerStanding,
  by: Actor,
): Promise<{ user_uuid: string; email: string; name: string | null; membership_role: OrganizerRole }> {
  if (!mayAssign(standing, null, role)) throw refused('only_owner_grants_owner');
  return db.transaction().execute(async (trx) => {
    const user = await requirePerson(trx, who);
    const existing = await findOrganizerMembership(trx, organizerUuid, user.uuid);
    if (existing !== null && existing.is_active && !existing.is_deleted) throw new AppError('already_member');
    await putOrganizerMember(trx, await requireOrganizer(trx, organizerUuid), user.uuid, role);
    await insertAudit(trx, { ...by, action: 'organizer.member.add', target: organizerUuid, after: { user_uuid: user.uuid, role } });
    return { user_uuid: user.uuid, email: user.email, name: user.name, membership_role: role };
  });
}

async function liveMembership(db: Db, organizerUuid: string, userUuid: string): Promise<{ role: OrganizerRole }> {
  const membership = await findOrganizerMembership(db, organizerUuid, userUuid);
  if (membership === null || !membership.is_active || membership.is_deleted) throw new AppError('member_not_found');
  return membership;
}

export async function changeOrganizerMemberRole(
  db: Db,
  organizerUuid: string,
  userUuid: string,
  role: OrganizerRole,
  standing: OrganizerStanding,
  by: Actor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await liveMembership(trx, organizerUuid, userUuid);
    if (!mayAssign(standing, current.role, role)) throw refused('admin_moves_members_only');
    if (current.role === 'owner' && role !== 'owner') await assertNotLastOwner(trx, organizerUuid, userUuid);
    await setOrganizerRole(trx, organizerUuid, userUuid, role);
    if (current.role !== role) {
      const organizer = await requireOrganizer(trx, organizerUuid);
      await emitOrganizerMemberEvent(trx, 'organizer.member.updated', organizer, { user_uuid: userUuid, role, previous_role: current.role });
    }
    await insertAudit(trx, {
      ...by,
      action: 'organizer.member.role',
      target: organizerUuid,
      before: { user_uuid: userUuid, role: current.role },
      after: { user_uuid: userUuid, role },
    });
  });
}

export async function removeOrganizerMember(
  db: Db,
  organizerUuid: string,
  userUuid: string,
  standing: OrganizerStanding,
  self: boolean,
  by: Actor,
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const current = await liveMembership(trx, organizerUuid, userUuid);
    if (!mayRemove(standing, current.role, self)) throw refused(standing === 'member' ? 'member_removes_self_only' : 'admin_keeps_owners');
    if (current.role === 'owner') await assertNotLastOwner(trx, organizerUuid, userUuid);
    await removeOrganizerMembership(trx, organizerUuid, userUuid);
    await emitOrganizerMemberEvent(trx, 'organizer.member.removed', await requireOrganizer(trx, organizerUuid), { user_uuid: userUuid, role: current.role });
    await insertAudit(trx, { ...by, action: 'organizer.member.remove', target: organizerUuid, before: { user_uuid: userUuid, role: current.role } });
  });
}

/** A page of organizers, oldest first, after the `after` key. */
export async function organizersPage(db: Db, filter: { after?: { createdAt: string; uuid: string }; limit: number }): Promise<OrganizerListRow[]> {
  return listOrganizers(db, filter);
}

export async function organizerMembers(db: Db, organizerUuid: string): Promise<OrganizerMemberRow[]> {
  return listOrganizerMembers(db, organizerUuid);
}

/** The organizer, or null. */
export async function findOrganizerOrNull(db: Db, uuid: string): Promise<OrganizerRow | null> {
  return findOrganizer(db, uuid);
}

/** The organizer, or 404. */
export async function requireOrganizer(db: Db, uuid: string): Promise<OrganizerRow> {
  const organizer = await findOrganizer(db, uuid);
  if (organizer === null) throw new AppError('organizer_not_found');
  return organizer;
}
