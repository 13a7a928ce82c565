/**
 * The whole schema of ../shared/spec/data-model.md. One statement per string: PGlite's
 * extended protocol takes one command at a time, and so every statement runs the same way on
 * both databases. Forward-only: a later change is a new file, never an edit to this one.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `create table users (
     uuid uuid primary key default gen_random_uuid(),
     email text not null,
     name text,
     password_hash text,
     auth_provider text not null default 'local' check (auth_provider in ('local', 'magic_link', 'stytch')),
     stytch_user_id text unique,
     is_email_verified boolean not null default false,
     config jsonb not null default '{}'::jsonb,
     is_active boolean not null default true,
     is_deleted boolean not null default false,
     created_at timestamptz not null default now(),
     updated_at timestamptz not null default now(),
     -- Emails are stored lower-cased, so the unique index on email is the lower(email) index.
     constraint users_email_lower check (email = lower(email))
   )`,
  `create unique index users_email_key on users (email)`,

  `create table roles (
     id uuid primary key default gen_random_uuid(),
     name text not null unique check (name ~ '^[a-z][a-z0-9_-]{0,62}$'),
     description text,
     created_at timestamptz not null default now()
   )`,

  `create table system_memberships (
     id uuid primary key default gen_random_uuid(),
     user_uuid uuid not null references users (uuid) on delete cascade,
     role_id uuid not null references roles (id) on delete cascade,
     is_active boolean not null default true,
     is_suspended boolean not null default false,
     config jsonb not null default '{}'::jsonb,
     created_at timestamptz not null default now(),
     constraint system_memberships_user_role_key unique (user_uuid, role_id)
   )`,
  `create index system_memberships_role_id_idx on system_memberships (role_id)`,

  `create table organizers (
     uuid uuid primary key default gen_random_uuid(),
     name text not null check (length(name) between 1 and 200),
     is_deleted boolean not null default false,
     created_at timestamptz not null default now()
   )`,

  `create table organizer_memberships (
     id uuid primary key default gen_random_uuid(),
     user_uuid uuid not null references users (uuid) on delete cascade,
     organizer_uuid uuid not null references organizers (uuid) on delete cascade,
     role text not null check (role in ('owner', 'admin', 'member')),
     is_active boolean not null default true,
     is_deleted boolean not null default false,
     created_at timestamptz not null default now(),
     constraint organizer_memberships_user_organizer_key unique (user_uuid, organizer_uuid)
   )`,
  `create index organizer_memberships_organizer_uuid_idx on organizer_memberships (organizer_uuid)`,

  `create table eligible_emails (
     id uuid primary key default gen_random_uuid(),
     email text not null,
     batch_id text,
     created_at timestamptz not null default now(),
     constraint eligible_emails_email_lower check (email = lower(email))
   )`,
  `create unique index eligible_emails_email_key on eligible_emails (email)`,
  `create index eligible_emails_batch_id_idx on eligible_emails (batch_id) where batch_id is not null`,

  `create table sessions (
     id uuid primary key default gen_random_uuid(),
     user_uuid uuid not null references users (uuid) on delete cascade,
     refresh_token_hash text not null unique,
     previous_refresh_token_hash text,
     rotated_at timestamptz,
     expires_at timestamptz not null,
     revoked_at timestamptz,
     last_seen_at timestamptz not null default now(),
     user_agent text,
     ip text,
     stytch_session_token text,
     created_at timestamptz not null default now()
   )`,
  `create index sessions_user_uuid_idx on sessions (user_uuid)`,
  `create index sessions_previous_refresh_token_hash_idx on sessions (previous_refresh_token_hash) where previous_refresh_token_hash is not null`,

  `create table one_time_tokens (
     token_hash text primary key,
     email text not null,
     purpose text not null check (purpose in ('login', 'verify_email', 'reset_password')),
     code_challenge text,
     redirect_url text,
     expires_at timestamptz not null,
     consumed_at timestamptz,
     created_at timestamptz not null default now()
   )`,
  `create index one_time_tokens_email_purpose_idx on one_time_tokens (email, purpose) where consumed_at is null`,

  `create table audit_log (
     id uuid primary key default gen_random_uuid(),
     actor text not null,
     action text not null,
     target text,
     before jsonb,
     after jsonb,
     ip text,
     request_id text,
     created_at timestamptz not null default now()
   )`,
  `create index audit_log_created_at_idx on audit_log (created_at, id)`,
  `create index audit_log_actor_idx on audit_log (actor)`,
  `create index audit_log_target_idx on audit_log (target)`,
  // Append-only is a rule of the data, not of the code that happens to write it.
  `create function audit_log_append_only() returns trigger language plpgsql as $$
   begin
     raise exception 'audit_log is append-only';
   end
   $$`,
  `create trigger audit_log_no_update before update or delete on audit_log
     for each row execute function audit_log_append_only()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
