/**
 * The user public view of the spec (ActiFlow's /auth/me): `role` is always "user"; permissions
 * live in memberships, a union on `type`. System status: suspended > active > inactive.
 */
import type { OrganizerRole } from '../db/schema.ts';
import type { OrganizerMembershipFacts, Principal, SystemMembershipFacts } from '../queries/principal.ts';

export type MembershipStatus = 'active' | 'suspended' | 'inactive';

export interface SystemMembershipView {
  readonly type: 'system';
  readonly role: string;
  readonly status: MembershipStatus;
  /** When it stops counting (ISO), or null for never. */
  readonly expires_at: string | null;
}

export interface OrganizerMembershipView {
  readonly type: 'organizer';
  readonly organizer_uuid: string;
  readonly organizer_name: string;
  readonly membership_role: OrganizerRole;
}

export type MembershipView = SystemMembershipView | OrganizerMembershipView;

export interface UserPublicView {
  readonly uuid: string;
  readonly email: string;
  readonly name: string | null;
  readonly role: 'user';
  readonly memberships: MembershipView[];
}

/** The expiry as a Date, or null for never. */
function expiryOf(membership: Pick<SystemMembershipFacts, 'expires_at'>): Date | null {
  const value = membership.expires_at;
  if (value === undefined || value === null) return null;
  return value instanceof Date ? value : new Date(value);
}

/** Expired at `now`: from the instant of expires_at on, with no sweep (read-time check). */
export function isExpired(membership: Pick<SystemMembershipFacts, 'expires_at'>, now: number = Date.now()): boolean {
  const expiry = expiryOf(membership);
  return expiry !== null && expiry.getTime() <= now;
}

/** suspended > active > inactive; an expired membership is inactive (the ActiFlow shape keeps three values). */
export function membershipStatus(
  membership: Pick<SystemMembershipFacts, 'is_active' | 'is_suspended' | 'expires_at'>,
  now: number = Date.now(),
): MembershipStatus {
  if (membership.is_suspended) return 'suspended';
  return membership.is_active && !isExpired(membership, now) ? 'active' : 'inactive';
}

/** Names of the system roles that grant something right now (active, not suspended, not expired). */
export function effectiveRoles(system: readonly SystemMembershipFacts[], now: number = Date.now()): string[] {
  return system.filter((m) => m.is_active && !m.is_suspended && !isExpired(m, now)).map((m) => m.role);
}

export function userPublicView(user: Pick<Principal, 'uuid' | 'email' | 'name' | 'system' | 'organizers'>): UserPublicView {
  const now = Date.now();
  const system: SystemMembershipView[] = user.system.map((m) => ({
    type: 'system',
    role: m.role,
    status: membershipStatus(m, now),
    expires_at: expiryOf(m)?.toISOString() ?? null,
  }));
  const organizers: OrganizerMembershipView[] = user.organizers.map((m: OrganizerMembershipFacts) => ({
    type: 'organizer',
    organizer_uuid: m.organizer_uuid,
    organizer_name: m.organizer_name,
    membership_role: m.membership_role,
  }));
  return { uuid: user.uuid, email: user.email, name: user.name, role: 'user', memberships: [...system, ...organizers] };
}
