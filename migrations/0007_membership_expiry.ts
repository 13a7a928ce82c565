/**
 * Expiring system memberships (docs/lifecycle.md):
 * - system_memberships.expires_at (null: never). Expiry is checked against the clock when a
 *   membership is read (services/user-view.ts, queries that count admins or filter by role), so
 *   it takes effect at that instant with no sweep; user_access therefore carries expires_at too.
 * - membership_expiry_notices: which reminder (days before expiry) went out for which expiry of a
 *   membership; its key makes each notice once per membership, notice and expiry date (a renewal
 *   is a new date, with fresh notices).
 * - mail_rate: the token bucket every instance's mail worker draws from (MAIL_RATE_PER_MINUTE).
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `alter table system_memberships add column expires_at timestamptz`,
  `create index system_memberships_expires_at_idx on system_memberships (expires_at) where expires_at is not null`,

  `create or replace function gatehouse_refresh_user_access(targets uuid[]) returns void language plpgsql as $$
   begin
     if cardinality(targets) = 0 then
       return;
     end if;
     perform 1 from user_access where user_uuid = any (targets) order by user_uuid for update;
     update user_access a set
       system = coalesce((
         select json_agg(json_build_object('role', r.name, 'is_active', m.is_active, 'is_suspended', m.is_suspended, 'expires_at', m.expires_at) order by r.name)
         from system_memberships m join roles r on r.id = m.role_id
         where m.user_uuid = a.user_uuid
       ), '[]'::json),
       organizers = coalesce((
         select json_agg(json_build_object('organizer_uuid', o.uuid, 'organizer_name', o.name, 'membership_role', om.role) order by o.name, o.uuid)
         from organizer_memberships om join organizers o on o.uuid = om.organizer_uuid
         where om.user_uuid = a.user_uuid and om.is_active and not om.is_deleted and not o.is_deleted
       ), '[]'::json)
     where a.user_uuid = any (targets);
   end $$`,
  `select gatehouse_refresh_user_access(array(select user_uuid from user_access))`,

  `create table membership_expiry_notices (
     membership_id uuid not null references system_memberships (id) on delete cascade,
     notice_days integer not null,
     expires_at timestamptz not null,
     sent_at timestamptz not null default now(),
     primary key (membership_id, notice_days, expires_at)
   )`,

  `create table mail_rate (
     id integer primary key check (id = 1),
     tokens double precision not null,
     refilled_at timestamptz not null default now()
   )`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) await sql.raw(statement).execute(db);
}
