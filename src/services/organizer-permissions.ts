/**
 * Who may do what inside an organizer — written once, read by the guards and by the tests.
 * Roles, highest first: owner > admin > member. A system admin may do everything.
 */
import type { OrganizerRole } from '../db/schema.ts';

export type OrganizerAction = 'view' | 'rename' | 'list_members' | 'add_member' | 'change_member_role' | 'remove_member' | 'invite';
/** The caller's standing in an organizer: a membership role, or system admin. */
export type OrganizerStanding = OrganizerRole | 'system_admin';

export const ORGANIZER_PERMISSIONS: Readonly<Record<OrganizerStanding, ReadonlySet<OrganizerAction>>> = {
  system_admin: new Set(['view', 'rename', 'list_members', 'add_member', 'change_member_role', 'remove_member', 'invite']),
  owner: new Set(['view', 'rename', 'list_members', 'add_member', 'change_member_role', 'remove_member', 'invite']),
  admin: new Set(['view', 'rename', 'list_members', 'add_member', 'change_member_role', 'remove_member', 'invite']),
  member: new Set(['view', 'list_members']),
};

/** The roles that may take an action (for error messages and route docs). */
export function rolesAllowedTo(action: OrganizerAction): OrganizerRole[] {
  return (['owner', 'admin', 'member'] as const).filter((role) => ORGANIZER_PERMISSIONS[role].has(action));
}

/** What the guards know of a caller: their effective system roles and organizer memberships. */
export interface CallerMemberships {
  readonly systemRoles: readonly string[];
  readonly organizers: readonly { readonly organizer_uuid: string; readonly membership_role: OrganizerRole }[];
}

/** The caller's standing in an organizer (the one rule both guards read), or null: no standing at all. */
export function standingIn(caller: CallerMemberships, organizerUuid: string): OrganizerStanding | null {
  if (caller.systemRoles.includes('admin')) return 'system_admin';
  return caller.organizers.find((m) => m.organizer_uuid === organizerUuid)?.membership_role ?? null;
}

export function may(standing: OrganizerStanding, action: OrganizerAction): boolean {
  return ORGANIZER_PERMISSIONS[standing].has(action);
}

/**
 * Giving `target` (currently `current`, or not a member) the role `next`: only an owner (or a
 * system admin) grants or takes away `owner`; an admin moves people between member and admin.
 */
export function mayAssign(standing: OrganizerStanding, current: OrganizerRole | null, next: OrganizerRole): boolean {
  if (standing === 'system_admin' || standing === 'owner') return true;
  if (standing === 'admin') return next !== 'owner' && current !== 'owner';
  return false;
}

/** Removing `targetRole`: owners and system admins remove anyone, admins remove non-owners, anyone removes themselves. */
export function mayRemove(standing: OrganizerStanding, targetRole: OrganizerRole, self: boolean): boolean {
  if (self) return true;
  if (standing === 'system_admin' || standing === 'owner') return true;
  return standing === 'admin' && targetRole !== 'owner';
}
