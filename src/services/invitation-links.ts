/**
 * The invitation link's side: what the accept page previews (never consuming the link), and the
 * acceptance that redeems it once. The token is random, stored only as its hash (on the
 * invitation); every dead link answers alike.
 */
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { consumeInvitation, findLiveInvitationByToken } from '../queries/invitations.ts';
import { grantSystemRole } from '../queries/memberships.ts';
import { findRolesByNames } from '../queries/roles.ts';
import { findUserByEmail, insertUser, markEmailVerified, setPasswordHash, updateUserFields } from '../queries/users.ts';
import { hashPassword, passwordProblem } from '../security/passwords.ts';
import { hashToken, randomToken } from '../security/tokens.ts';
import type { Actor } from './memberships.ts';
import { putOrganizerMember } from './organizers.ts';
import { emitInvitationEvents, emitUserEvent, withMembershipEvents } from './webhook-events.ts';

export const INVITATION_TOKEN_PREFIX = 'ghi_';

/** A new link: the token to mail, and the hash to store. */
export function newInvitationToken(): { token: string; hash: string } {
  const token = `${INVITATION_TOKEN_PREFIX}${randomToken(32)}`;
  return { token, hash: hashToken(token) };
}

function invalidInvitation(): AppError {
  return new AppError('invalid_invitation');
}

export interface InvitationPreview {
  readonly email: string;
  readonly kind: 'club' | 'organizer';
  readonly organizer_name: string | null;
  readonly role_names: string[];
  readonly role: OrganizerRole | null;
  readonly invited_by_name: string | null;
  readonly expires_at: string;
}

/** What the accept page shows; never consumes the link. Unknown, used, revoked, expired: one 404. */
export async function previewInvitation(db: Db, token: string): Promise<InvitationPreview> {
  if (!token.startsWith(INVITATION_TOKEN_PREFIX) || token.length > 200) throw new AppError('not_found', { message: 'invitation_unknown' });
  const row = await findLiveInvitationByToken(db, hashToken(token));
  if (row === null) throw new AppError('not_found', { message: 'invitation_unknown' });
  return {
    email: row.email,
    kind: row.kind,
    organizer_name: row.organizer_name,
    role_names: row.role_names,
    role: row.organizer_role,
    invited_by_name: row.invited_by_name,
    expires_at: row.expires_at.toISOString(),
  };
}

/**
 * Accepts: in one transaction, redeems the link, creates the user when new (the mail proved the
 * address: verified), sets the password and name when given, and grants what the invitation
 * says. Refused as a whole (nothing consumed) when the account is deactivated or deleted, or when
 * the caller is signed in as someone else. Returns the user to start a session for.
 */
export async function acceptInvitation(
  db: Db,
  input: { token: string; password?: string; name?: string | null },
  signedInEmail: string | null,
  by: Omit<Actor, 'actor'>,
): Promise<{ userUuid: string }> {
  if (input.password !== undefined) {
    const problem = passwordProblem(input.password);
    if (problem !== null) throw fieldError(['password'], problem);
  }
  const token = input.token;
  if (!token.startsWith(INVITATION_TOKEN_PREFIX) || token.length > 200) throw invalidInvitation();
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  return db.transaction().execute(async (trx) => {
    const invitation = await findLiveInvitationByToken(trx, hashToken(token));
    if (invitation === null) throw invalidInvitation();
    if (signedInEmail !== null && signedInEmail !== invitation.email) throw new AppError('forbidden', { message: 'invitation_for_another_account' });
    const existing = await findUserByEmail(trx, invitation.email);
    if (existing !== null && (existing.is_deleted || !existing.is_active)) throw new AppError('user_inactive');
    if ((await consumeInvitation(trx, hashToken(token))) === null) throw invalidInvitation();
    const inserted =
      existing === null
        ? await insertUser(trx, { email: invitation.email, name: input.name ?? null, passwordHash, authProvider: 'local', isEmailVerified: true })
        : null;
    const user = existing ?? inserted ?? (await findUserByEmail(trx, invitation.email));
    if (user === null) throw new AppError('internal_error');
    if (existing !== null) {
      const changed: string[] = [];
      if (!existing.is_email_verified) {
        await markEmailVerified(trx, existing.uuid);
        changed.push('is_email_verified');
      }
      if (passwordHash !== null && existing.password_hash === null) await setPasswordHash(trx, existing.uuid, passwordHash);
      if (input.name !== undefined && input.name !== null && existing.name === null) {
        await updateUserFields(trx, existing.uuid, { name: input.name });
        changed.push('name');
      }
      if (changed.length > 0) await emitUserEvent(trx, 'user.updated', existing.uuid, changed);
    }
    // user.created (with the memberships it starts with) comes before their membership.granted.
    await withMembershipEvents(trx, [user.uuid], async () => {
      const roles = invitation.kind === 'club' ? await findRolesByNames(trx, invitation.role_names) : [];
      for (const role of roles) await grantSystemRole(trx, user.uuid, role.id);
      if (inserted !== null) await emitUserEvent(trx, 'user.created', inserted.uuid);
    });
    if (invitation.kind === 'organizer' && invitation.organizer_uuid !== null && invitation.organizer_role !== null) {
      const organizer = { uuid: invitation.organizer_uuid, name: invitation.organizer_name ?? '' };
      await putOrganizerMember(trx, organizer, user.uuid, invitation.organizer_role);
    }
    await emitInvitationEvents(trx, 'invitation.accepted', [invitation.id]);
    await insertAudit(trx, {
      ...by,
      actor: user.uuid,
      action: 'invitation.accept',
      target: invitation.id,
      after: { email: invitation.email, kind: invitation.kind },
    });
    return { userUuid: user.uuid };
  });
}
