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

export function membershipStatus(membership: Pick<SystemMembershipFacts, 'is_active' | 'is_suspended'>): MembershipStatus {
  if (membership.is_suspended) return 'suspended';
  return membership.is_active ? 'active' : 'inactive';
}

/** Names of the system roles that grant something right now (active and not suspended). */
export function effectiveRoles(system: readonly SystemMembershipFacts[]): string[] {
  return system.filter((m) => m.is_active && !m.is_suspended).map((m) => m.role);
}

export function userPublicView(user: Pick<Principal, 'uuid' | 'email' | 'name' | 'system' | 'organizers'>): UserPublicView {
  const system: SystemMembershipView[] = user.system.map((m) => ({ type: 'system', role: m.role, status: membershipStatus(m) }));
  const organizers: OrganizerMembershipView[] = user.organizers.map((m: OrganizerMembershipFacts) => ({
    type: 'organizer',
    organizer_uuid: m.organizer_uuid,
    organizer_name: m.organizer_name,
    membership_role: m.membership_role,
  }));
  return { uuid: user.uuid, email: user.email, name: user.name, role: 'user', memberships: [...system, ...organizers] };
}
