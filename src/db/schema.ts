/**
 * Kysely's view of the tables in migrations/. Columns with a database default are `Generated`.
 * Timestamps come back as Date from both drivers; JSON columns as parsed values.
 */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
type Json = ColumnType<unknown, string | undefined, string>;

export type AuthProvider = 'local' | 'magic_link' | 'stytch';
export type OrganizerRole = 'owner' | 'admin' | 'member';
export type TokenPurpose = 'login' | 'verify_email' | 'reset_password';

export interface UsersTable {
  uuid: Generated<string>;
  email: string;
  name: string | null;
  password_hash: string | null;
  auth_provider: Generated<AuthProvider>;
  stytch_user_id: string | null;
  is_email_verified: Generated<boolean>;
  /** The password was chosen before anyone proved the address (self-registration, unverified). */
  password_unproven: Generated<boolean>;
  config: Json;
  is_active: Generated<boolean>;
  is_deleted: Generated<boolean>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface RolesTable {
  id: Generated<string>;
  name: string;
  description: string | null;
  created_at: Timestamp;
}

export interface SystemMembershipsTable {
  id: Generated<string>;
  user_uuid: string;
  role_id: string;
  is_active: Generated<boolean>;
  is_suspended: Generated<boolean>;
  /** Null: never. Past it the membership is not effective (checked at read time). */
  expires_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  config: Json;
  created_at: Timestamp;
}

export interface MembershipExpiryNoticesTable {
  membership_id: string;
  notice_days: number;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  sent_at: Timestamp;
}

export interface MailRateTable {
  id: number;
  tokens: number;
  refilled_at: Timestamp;
}

export interface OrganizersTable {
  uuid: Generated<string>;
  name: string;
  is_deleted: Generated<boolean>;
  created_at: Timestamp;
}

export interface OrganizerMembershipsTable {
  id: Generated<string>;
  user_uuid: string;
  organizer_uuid: string;
  role: OrganizerRole;
  is_active: Generated<boolean>;
  is_deleted: Generated<boolean>;
  created_at: Timestamp;
}

export interface EligibleEmailsTable {
  id: Generated<string>;
  email: string;
  batch_id: string | null;
  /** Null: never. An expired entry no longer admits new sign-ups (existing users stay). */
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  note: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export type InvitationKind = 'club' | 'organizer';
/** `expired` is not stored: a pending invitation past expires_at reads as expired. */
export type InvitationStatus = 'pending' | 'accepted' | 'revoked';

export interface InvitationsTable {
  id: Generated<string>;
  email: string;
  kind: InvitationKind;
  organizer_uuid: string | null;
  role_names: ColumnType<string[], string[] | undefined, string[]>;
  organizer_role: OrganizerRole | null;
  status: Generated<InvitationStatus>;
  token_hash: string;
  invited_by: string;
  batch_id: string | null;
  message: string | null;
  expires_at: ColumnType<Date, Date, Date>;
  created_at: Timestamp;
  accepted_at: ColumnType<Date | null, never, Date | null>;
  last_sent_at: ColumnType<Date | null, never, Date | null>;
  send_count: Generated<number>;
  mail_failed: Generated<boolean>;
}

export interface EligibilityRulesTable {
  id: Generated<string>;
  domain: string;
  include_subdomains: Generated<boolean>;
  expires_at: ColumnType<Date | null, Date | null | undefined, Date | null>;
  note: ColumnType<string | null, string | null | undefined, string | null>;
  created_at: Timestamp;
}

export interface SessionsTable {
  id: Generated<string>;
  user_uuid: string;
  refresh_token_hash: string;
  previous_refresh_token_hash: string | null;
  rotated_at: NullableTimestamp;
  expires_at: Timestamp;
  revoked_at: NullableTimestamp;
  last_seen_at: Timestamp;
  user_agent: string | null;
  ip: string | null;
  stytch_session_token: string | null;
  created_at: Timestamp;
}

export interface OneTimeTokensTable {
  token_hash: string;
  email: string;
  purpose: TokenPurpose;
  code_challenge: string | null;
  redirect_url: string | null;
  expires_at: Timestamp;
  consumed_at: NullableTimestamp;
  created_at: Timestamp;
}

export interface AuditLogTable {
  id: Generated<string>;
  actor: string;
  action: string;
  target: string | null;
  before: Json;
  after: Json;
  ip: string | null;
  request_id: string | null;
  created_at: Timestamp;
}

export interface SigningKeysTable {
  kid: string;
  alg: 'EdDSA' | 'ES256';
  public_jwk: Json;
  private_jwk_encrypted: string;
  created_at: Timestamp;
  /** Published from created_at, signs from here (publish before sign: migration 0006). */
  signs_from: Generated<Date>;
  retired_at: NullableTimestamp;
}

/** Derived: each user's membership lists, written only by triggers (migrations/0004_user_access.ts). */
export interface UserAccessTable {
  user_uuid: ColumnType<string, never, never>;
  system: ColumnType<Json, never, never>;
  organizers: ColumnType<Json, never, never>;
}

export interface Database {
  users: UsersTable;
  roles: RolesTable;
  system_memberships: SystemMembershipsTable;
  organizers: OrganizersTable;
  organizer_memberships: OrganizerMembershipsTable;
  eligible_emails: EligibleEmailsTable;
  sessions: SessionsTable;
  one_time_tokens: OneTimeTokensTable;
  audit_log: AuditLogTable;
  signing_keys: SigningKeysTable;
  user_access: UserAccessTable;
  membership_expiry_notices: MembershipExpiryNoticesTable;
  mail_rate: MailRateTable;
  eligibility_rules: EligibilityRulesTable;
  invitations: InvitationsTable;
}

export type UserRow = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type RoleRow = Selectable<RolesTable>;
export type EligibleEmailRow = Selectable<EligibleEmailsTable>;
