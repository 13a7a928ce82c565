/**
 * The read behind every authenticated request: session + user + memberships in ONE round trip.
 * A revoked or expired session, or one of another user, returns null, so revocation and role
 * changes take effect on the very next request.
 */
import { sql } from 'kysely';
import { PREPARED_MARKER, type Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';

export interface SystemMembershipFacts {
  readonly role: string;
  readonly is_active: boolean;
  readonly is_suspended: boolean;
  /** ISO timestamp from user_access's JSON (or a Date from a table read); null or absent: never. */
  readonly expires_at?: string | Date | null;
}

export interface OrganizerMembershipFacts {
  readonly organizer_uuid: string;
  readonly organizer_name: string;
  readonly membership_role: OrganizerRole;
}

export interface Principal {
  readonly session_id: string;
  readonly uuid: string;
  readonly email: string;
  readonly name: string | null;
  readonly is_active: boolean;
  readonly is_deleted: boolean;
  readonly is_email_verified: boolean;
  readonly created_at: Date;
  readonly system: readonly SystemMembershipFacts[];
  /** Active, undeleted memberships of undeleted organizers only. */
  readonly organizers: readonly OrganizerMembershipFacts[];
}

/**
 * The user's columns with both membership lists (aliases `u` for users, `a` for user_access; the
 * FROM part is USERS_WITH_ACCESS). The lists are kept by triggers in the transaction that changes
 * a membership, a role's name or an organizer (migrations/0004_user_access.ts), so they are as
 * current as the memberships themselves and cost one index lookup instead of two aggregates.
 */
export const USER_WITH_MEMBERSHIPS = sql`u.uuid, u.email, u.name, u.is_active, u.is_deleted, u.is_email_verified, u.created_at, a.system, a.organizers`;

/** The FROM part for USER_WITH_MEMBERSHIPS. */
export const USERS_WITH_ACCESS = sql`users u join user_access a on a.user_uuid = u.uuid`;

export type UserWithMemberships = Omit<Principal, 'session_id'>;

/**
 * Read-only, one round trip. `seen_stale` says last_seen_at is over a minute old; the caller
 * refreshes it with touchSession() off the request path (a write on every request would cost
 * every request a write transaction).
 */
export async function loadPrincipal(db: Db, sessionId: string, userUuid: string): Promise<(Principal & { seen_stale: boolean }) | null> {
  const result = await sql<Principal & { seen_stale: boolean }>`${sql.raw(PREPARED_MARKER)}
    select s.id as session_id, s.last_seen_at < now() - interval '60 seconds' as seen_stale, ${USER_WITH_MEMBERSHIPS}
    from sessions s join users u on u.uuid = s.user_uuid join user_access a on a.user_uuid = u.uuid
    where s.id = ${sessionId} and u.uuid = ${userUuid} and s.revoked_at is null and s.expires_at > now()`.execute(db);
  return result.rows[0] ?? null;
}

export async function touchSession(db: Db, sessionId: string): Promise<void> {
  await sql`update sessions set last_seen_at = now() where id = ${sessionId} and last_seen_at < now() - interval '60 seconds'`.execute(db);
}

/** The same shape for a user without a session (sign-in responses). */
export async function loadUserWithMemberships(db: Db, userUuid: string): Promise<UserWithMemberships | null> {
  const result = await sql<UserWithMemberships>`select ${USER_WITH_MEMBERSHIPS} from ${USERS_WITH_ACCESS} where u.uuid = ${userUuid}`.execute(db);
  return result.rows[0] ?? null;
}
