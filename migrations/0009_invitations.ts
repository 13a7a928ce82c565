/**
 * Invitations (docs/lifecycle.md): to the club (system roles) or to an organizer (an organizer
 * role). The link's token is stored only as its SHA-256 hash, here on the invitation, and is
 * redeemed once by an atomic UPDATE (pending, unexpired → accepted); resending replaces the hash,
 * so only the newest link works. At most one pending club invitation per address, and one pending
 * invitation per address and organizer.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `create table invitations (
     id uuid primary key default gatehouse_uuid_v7(),
     email text not null check (email = lower(email)),
     kind text not null check (kind in ('club', 'organizer')),
     organizer_uuid uuid references organizers (uuid) on delete cascade,
     role_names text[] not null default '{}',
     organizer_role text check (organizer_role in ('owner', 'admin', 'member')),
     status text not null default 'pending' check (status in ('pending', 'accepted', 'revoked')),
     token_hash text not null,
     invited_by text not null,
     batch_id text,
     message text check (length(message) <= 1000),
     expires_at timestamptz not null,
     created_at timestamptz not null default now(),
     accepted_at timestamptz,
     last_sent_at timestamptz,
     send_count integer not null default 0,
     mail_failed boolean not null default false,
     check ((kind = 'club') = (organizer_uuid is null)),
     check ((kind = 'organizer') = (organizer_role is not null))
   )`,
  `create unique index invitations_token_hash_key on invitations (token_hash)`,
  `create unique index invitations_pending_club_key on invitations (email) where status = 'pending' and kind = 'club'`,
  `create unique index invitations_pending_organizer_key on invitations (email, organizer_uuid) where status = 'pending' and kind = 'organizer'`,
  `create index invitations_batch_idx on invitations (batch_id) where batch_id is not null`,
  `create index invitations_organizer_idx on invitations (organizer_uuid) where organizer_uuid is not null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}
