/**
 * The events of docs/webhooks.md, written to the outbox (queries/webhook-events.ts) by the
 * service that makes the change, with the change's transaction: each function here takes that
 * transaction. `data` carries ids and public views only (the user public view, a membership,
 * an organizer, an invitation), never hashes, tokens or secrets.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { claimExpiredInvitations, findInvitations, type InvitationRow } from '../queries/invitations.ts';
import { loadUserWithMemberships, type SystemMembershipFacts } from '../queries/principal.ts';
import { insertEvent, insertEvents } from '../queries/webhook-events.ts';
import { invitationView } from './invitation-view.ts';
import { membershipStatus, userPublicView, type SystemMembershipView } from './user-view.ts';
import type { WebhookEventType } from './webhook-event-types.ts';

export async function emitEvent(trx: Db, type: WebhookEventType, data: object): Promise<void> {
  await insertEvent(trx, type, data);
}

/** user.created / user.updated with the user's public view as it is now, in this transaction. */
export async function emitUserEvent(trx: Db, type: 'user.created' | 'user.updated', userUuid: string, changed: readonly string[] = []): Promise<void> {
  const user = await loadUserWithMemberships(trx, userUuid);
  if (user === null) return;
  const view = { ...userPublicView(user), is_active: user.is_active, is_email_verified: user.is_email_verified };
  await insertEvent(trx, type, type === 'user.updated' ? { user: view, changed } : { user: view });
}

export async function emitUserDeleted(trx: Db, user: { uuid: string; email: string }): Promise<void> {
  await insertEvent(trx, 'user.deleted', { user: { uuid: user.uuid, email: user.email } });
}

export type SessionRevocationReason = 'logout_everywhere' | 'password_reset' | 'password_change' | 'deactivation' | 'admin' | 'account_claimed';

export async function emitSessionsRevoked(trx: Db, userUuid: string, reason: SessionRevocationReason): Promise<void> {
  await insertEvent(trx, 'session.revoked_all', { user_uuid: userUuid, reason });
}

/** Each user's system memberships (the raw facts) by role, with the user's email. */
type MembershipSnapshot = Map<string, { email: string; memberships: Map<string, SystemMembershipFacts> }>;

async function snapshotMemberships(trx: Db, userUuids: readonly string[]): Promise<MembershipSnapshot> {
  const result = await sql<{ user_uuid: string; email: string; system: SystemMembershipFacts[] }>`
    select a.user_uuid, u.email, a.system from user_access a join users u on u.uuid = a.user_uuid
    where a.user_uuid = any (${[...userUuids]}::uuid[])`.execute(trx);
  return new Map(result.rows.map((row) => [row.user_uuid, { email: row.email, memberships: new Map(row.system.map((m) => [m.role, m])) }]));
}

function membershipView(facts: SystemMembershipFacts): SystemMembershipView {
  const expires = facts.expires_at === undefined || facts.expires_at === null ? null : new Date(facts.expires_at).toISOString();
  return { type: 'system', role: facts.role, status: membershipStatus(facts), expires_at: expires };
}

function sameTerms(a: SystemMembershipFacts, b: SystemMembershipFacts): boolean {
  const expiry = (m: SystemMembershipFacts): number | null => (m.expires_at === undefined || m.expires_at === null ? null : new Date(m.expires_at).getTime());
  return a.is_active === b.is_active && a.is_suspended === b.is_suspended && expiry(a) === expiry(b);
}

/** membership.granted / revoked / updated for what changed between two snapshots. */
function membershipEvents(before: MembershipSnapshot, after: MembershipSnapshot): { type: WebhookEventType; data: object }[] {
  const events: { type: WebhookEventType; data: object }[] = [];
  for (const userUuid of new Set([...before.keys(), ...after.keys()])) {
    const was = before.get(userUuid);
    const now = after.get(userUuid);
    const email = now?.email ?? was?.email ?? '';
    const roles = new Set([...(was?.memberships.keys() ?? []), ...(now?.memberships.keys() ?? [])]);
    for (const role of [...roles].sort()) {
      const old = was?.memberships.get(role);
      const current = now?.memberships.get(role);
      const base = { user_uuid: userUuid, email };
      if (old === undefined && current !== undefined) events.push({ type: 'membership.granted', data: { ...base, membership: membershipView(current) } });
      else if (old !== undefined && current === undefined) events.push({ type: 'membership.revoked', data: { ...base, membership: membershipView(old) } });
      else if (old !== undefined && current !== undefined && !sameTerms(old, current)) {
        events.push({ type: 'membership.updated', data: { ...base, membership: membershipView(current), previous: membershipView(old) } });
      }
    }
  }
  return events;
}

/**
 * Runs `work` (inside `trx`) and emits one membership event per system membership of these users
 * that it granted, revoked or changed — whatever path it took (a grant, PUT roles, a renewal,
 * a role's deletion). The lists read are user_access's, kept by triggers in this transaction.
 */
export async function withMembershipEvents<T>(trx: Db, userUuids: readonly string[], work: () => Promise<T>): Promise<T> {
  const before = await snapshotMemberships(trx, userUuids);
  const result = await work();
  const after = await snapshotMemberships(trx, userUuids);
  await insertEvents(trx, membershipEvents(before, after));
  return result;
}

/** membership.expiring (a reminder is due) or membership.expired (its end has passed). */
export async function emitMembershipLifecycle(
  trx: Db,
  type: 'membership.expiring' | 'membership.expired',
  membership: { user_uuid: string; email: string; role: string; expires_at: Date; is_active: boolean; is_suspended: boolean },
  noticeDays: number | null,
): Promise<void> {
  const view = membershipView({
    role: membership.role,
    is_active: membership.is_active,
    is_suspended: membership.is_suspended,
    expires_at: membership.expires_at,
  });
  await insertEvent(trx, type, {
    user_uuid: membership.user_uuid,
    email: membership.email,
    membership: view,
    ...(noticeDays === null ? {} : { notice_days: noticeDays }),
  });
}

export interface OrganizerFacts {
  readonly uuid: string;
  readonly name: string;
}

export async function emitOrganizerEvent(trx: Db, type: 'organizer.created' | 'organizer.updated', organizer: OrganizerFacts): Promise<void> {
  await insertEvent(trx, type, { organizer: { uuid: organizer.uuid, name: organizer.name } });
}

export async function emitOrganizerMemberEvent(
  trx: Db,
  type: 'organizer.member.added' | 'organizer.member.updated' | 'organizer.member.removed',
  organizer: OrganizerFacts,
  member: { user_uuid: string; role: OrganizerRole; previous_role?: OrganizerRole },
): Promise<void> {
  await insertEvent(trx, type, {
    organizer: { uuid: organizer.uuid, name: organizer.name },
    user_uuid: member.user_uuid,
    membership_role: member.role,
    ...(member.previous_role === undefined ? {} : { previous_role: member.previous_role }),
  });
}

/** One event per invitation (a campaign of 10,000 is one statement). */
export async function emitInvitationEvents(
  trx: Db,
  type: 'invitation.created' | 'invitation.accepted' | 'invitation.revoked' | 'invitation.expired',
  ids: readonly string[],
): Promise<void> {
  const rows = await findInvitations(trx, ids);
  // A read inside the transaction computes 'expired' from the clock; the event says what happened.
  const status = type === 'invitation.created' ? null : type.slice('invitation.'.length);
  await insertEvents(
    trx,
    rows.map((row) => ({ type, data: { invitation: invitationView(status === null ? row : { ...row, status: status as InvitationRow['status'] }) } })),
  );
}

export async function emitEligibilityImported(trx: Db, counts: { batch_id: string | null; [key: string]: unknown }): Promise<void> {
  await insertEvent(trx, 'eligibility.imported', counts);
}

/**
 * invitation.expired, once per invitation: for the expired, unannounced ones among these emails
 * (before a new invitation replaces them), or for any (the sweep, up to `limit`). Returns how many.
 */
export async function announceExpiredInvitations(trx: Db, emails: readonly string[] | null, limit = 1000): Promise<number> {
  if (emails !== null && emails.length === 0) return 0;
  const ids = await claimExpiredInvitations(trx, emails === null ? limit : Math.max(limit, emails.length), emails);
  await emitInvitationEvents(trx, 'invitation.expired', ids);
  return ids.length;
}
