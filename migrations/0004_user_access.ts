/**
 * user_access: each user's two membership lists, as /me shows them, kept by triggers in the same
 * transaction as the change that alters them. Every authenticated request reads them
 * (queries/principal.ts); aggregating them there cost PostgreSQL ~46 µs of ~100 per GET /me
 * (bench/README.md, W1), reading this row costs an index lookup. Because the triggers run inside
 * the writing transaction, a revoked role is gone from user_access when the revocation commits:
 * authorization still reads current memberships on the next request.
 *
 * Concurrency: two transactions changing one user's memberships must not each compute the lists
 * without the other's change (the later commit would write a list missing the earlier one). So
 * the refresh first locks the user's row and only then computes, in a second statement: under
 * READ COMMITTED each statement of a PL/pgSQL function takes a fresh snapshot, so the second one
 * sees every change committed before the lock was granted. Locks are taken in uuid order, so two
 * bulk refreshes cannot deadlock on each other.
 *
 * Statement-level triggers with transition tables: a cascade that removes thousands of
 * memberships refreshes each user once, in one UPDATE. (PostgreSQL allows a transition table
 * only on a single-event trigger, hence one trigger per event.)
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `create table user_access (
     user_uuid uuid primary key references users (uuid) on delete cascade,
     system json not null default '[]',
     organizers json not null default '[]'
   )`,

  `create function gatehouse_refresh_user_access(targets uuid[]) returns void language plpgsql as $$
   begin
     if cardinality(targets) = 0 then
       return;
     end if;
     perform 1 from user_access where user_uuid = any (targets) order by user_uuid for update;
     update user_access a set
       system = coalesce((
         select json_agg(json_build_object('role', r.name, 'is_active', m.is_active, 'is_suspended', m.is_suspended) order by r.name)
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

  // Memberships inserted or deleted: their users (the transition table is named changed_rows).
  `create function gatehouse_memberships_changed() returns trigger language plpgsql as $$
   begin
     perform gatehouse_refresh_user_access(array(select distinct user_uuid from changed_rows));
     return null;
   end $$`,
  // Memberships updated: the users before and after (an update may move a row to another user).
  `create function gatehouse_memberships_updated() returns trigger language plpgsql as $$
   begin
     perform gatehouse_refresh_user_access(array(select user_uuid from new_rows union select user_uuid from old_rows));
     return null;
   end $$`,
  // A renamed role: its members (a description change alters no list).
  `create function gatehouse_roles_updated() returns trigger language plpgsql as $$
   begin
     perform gatehouse_refresh_user_access(array(
       select distinct m.user_uuid from new_rows n join old_rows o on o.id = n.id join system_memberships m on m.role_id = n.id
       where n.name is distinct from o.name));
     return null;
   end $$`,
  // A renamed or (un)deleted organizer: its members.
  `create function gatehouse_organizers_updated() returns trigger language plpgsql as $$
   begin
     perform gatehouse_refresh_user_access(array(
       select distinct om.user_uuid from new_rows n join old_rows o on o.uuid = n.uuid join organizer_memberships om on om.organizer_uuid = n.uuid
       where n.name is distinct from o.name or n.is_deleted is distinct from o.is_deleted));
     return null;
   end $$`,
  // A truncated membership table (tests, operators): every user.
  `create function gatehouse_memberships_truncated() returns trigger language plpgsql as $$
   begin
     perform gatehouse_refresh_user_access(array(select user_uuid from user_access));
     return null;
   end $$`,
  `create function gatehouse_users_inserted() returns trigger language plpgsql as $$
   begin
     insert into user_access (user_uuid) select uuid from changed_rows;
     return null;
   end $$`,

  `create trigger users_access_insert after insert on users referencing new table as changed_rows
     for each statement execute function gatehouse_users_inserted()`,
  ...['system_memberships', 'organizer_memberships'].flatMap((table) => [
    `create trigger ${table}_access_insert after insert on ${table} referencing new table as changed_rows
       for each statement execute function gatehouse_memberships_changed()`,
    `create trigger ${table}_access_delete after delete on ${table} referencing old table as changed_rows
       for each statement execute function gatehouse_memberships_changed()`,
    `create trigger ${table}_access_update after update on ${table} referencing new table as new_rows old table as old_rows
       for each statement execute function gatehouse_memberships_updated()`,
    `create trigger ${table}_access_truncate after truncate on ${table}
       for each statement execute function gatehouse_memberships_truncated()`,
  ]),
  `create trigger roles_access_update after update on roles referencing new table as new_rows old table as old_rows
     for each statement execute function gatehouse_roles_updated()`,
  `create trigger organizers_access_update after update on organizers referencing new table as new_rows old table as old_rows
     for each statement execute function gatehouse_organizers_updated()`,

  // Users that exist already.
  `insert into user_access (user_uuid) select uuid from users`,
  `select gatehouse_refresh_user_access(array(select user_uuid from user_access))`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
