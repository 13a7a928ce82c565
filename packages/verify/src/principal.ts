/**
 * Who a verified token stands for, and the checks the adapters make. The helpers mirror
 * Gatehouse's own guards: a system role counts when the token (or introspection) lists it;
 * organizer roles rank owner ≥ admin ≥ member.
 */
export type OrganizerRole = 'owner' | 'admin' | 'member';

export interface Principal {
  readonly userId: string;
  readonly email: string;
  /** Effective system roles (active, not suspended) when the token was issued, or now (introspection). */
  readonly roles: readonly string[];
  /** Organizer uuid → role. */
  readonly organizers: Readonly<Record<string, OrganizerRole>>;
  readonly sessionId: string;
  /** When the token stops being accepted. */
  readonly expiresAt: Date;
  /** How the user signed in (`pwd`, `email`, `otp`, `webauthn`), when the token says. */
  readonly amr: readonly string[];
  /** Authenticator assurance level: 2 after a second factor or a passkey with user verification. */
  readonly aal: 1 | 2;
  /** The token's lists were cut to fit (Gatehouse caps them): a missing entry proves nothing. */
  readonly rolesTruncated: boolean;
  readonly organizersTruncated: boolean;
  /** `token`: read offline from the signed claims; `introspection`: asked of Gatehouse. */
  readonly source: 'token' | 'introspection';
}

const RANK: Readonly<Record<OrganizerRole, number>> = { member: 1, admin: 2, owner: 3 };

function isOrganizerRole(value: unknown): value is OrganizerRole {
  return value === 'owner' || value === 'admin' || value === 'member';
}

/** Any of these system roles. */
export function hasSystemRole(principal: Principal, ...names: readonly string[]): boolean {
  return names.some((name) => principal.roles.includes(name));
}

/** Every one of these system roles. */
export function hasAllSystemRoles(principal: Principal, ...names: readonly string[]): boolean {
  return names.every((name) => principal.roles.includes(name));
}

/**
 * The principal's role in the organizer reaches one of `roles` (owner ≥ admin ≥ member: asking
 * for `admin` admits owners too). With no roles given, any membership counts.
 */
export function hasOrganizerRole(principal: Principal, organizerUuid: string, ...roles: readonly OrganizerRole[]): boolean {
  const held = Object.hasOwn(principal.organizers, organizerUuid) ? principal.organizers[organizerUuid] : undefined;
  if (!isOrganizerRole(held)) return false;
  if (roles.length === 0) return true;
  return roles.some((role) => RANK[held] >= RANK[role]);
}

/** Parses the `organizers` claim or introspection field; anything else in it is dropped. */
export function organizerRoles(value: unknown): Record<string, OrganizerRole> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  const roles: Record<string, OrganizerRole> = {};
  for (const [uuid, role] of Object.entries(value)) if (isOrganizerRole(role)) roles[uuid] = role;
  return roles;
}
