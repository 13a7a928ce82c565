/** SQL for organizers and their memberships. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { CURSOR_AT } from './cursor-key.ts';

export interface OrganizerRow {
  readonly uuid: string;
  readonly name: string;
  readonly created_at: Date;
}

/** An organizer with its cursor key (see CURSOR_AT). */
export interface OrganizerListRow extends OrganizerRow {
  readonly cursor_at: string;
}

export async function insertOrganizer(db: Db, name: string): Promise<OrganizerRow> {
  return db.insertInto('organizers').values({ name }).returning(['uuid', 'name', 'created_at']).executeTakeFirstOrThrow();
}

export async function listOrganizers(db: Db, filter: { after?: { createdAt: string; uuid: string }; limit: number }): Promise<OrganizerListRow[]> {
  let query = db
    .selectFrom('organizers')
    .select(['uuid', 'name', 'created_at', CURSOR_AT])
    .where('is_deleted', '=', false)
    .orderBy('created_at')
    .orderBy('uuid')
    .limit(filter.limit);
  if (filter.after) {
    const { createdAt, uuid } = filter.after;
    query = query.where(sql<boolean>`(created_at, uuid) > (${createdAt}::timestamptz, ${uuid}::uuid)`);
  }
  return query.execute();
}

export async function findOrganizer(db: Db, uuid: string): Promise<OrganizerRow | null> {
  return (
    (await db.selectFrom('organizers').select(['uuid', 'name', 'created_at']).where('uuid', '=', uuid).where('is_deleted', '=', false).executeTakeFirst()) ??
    null
  );
}

export async function renameOrganizer(db: Db, uuid: string, name: string): Promise<OrganizerRow | null> {
  return (
    (await db
      .updateTable('organizers')
      .set({ name })
      .where('uuid', '=', uuid)
      .where('is_deleted', '=', false)
      .returning(['uuid', 'name', 'created_at'])
      .executeTakeFirst()) ?? null
  );
}

export interface OrganizerMemberRow {
  readonly user_uuid: string;
  readonly email: string;
  readonly name: string | null;
  readonly membership_role: OrganizerRole;
}

export async function listOrganizerMembers(db: Db, organizerUuid: string): Promise<OrganizerMemberRow[]> {
  return db
    .selectFrom('organizer_memberships as om')
    .innerJoin('users as u', 'u.uuid', 'om.user_uuid')
    .select(['om.user_uuid', 'u.email', 'u.name', 'om.role as membership_role'])
    .where('om.organizer_uuid', '=', organizerUuid)
    .where('om.is_active', '=', true)
    .where('om.is_deleted', '=', false)
    .where('u.is_deleted', '=', false)
    .orderBy('u.email')
    .execute();
}

/** Active membership of one user in one organizer (locked FOR UPDATE when asked). */
export async function findOrganizerMembership(
  db: Db,
  organizerUuid: string,
  userUuid: string,
): Promise<{ id: string; role: OrganizerRole; is_active: boolean; is_deleted: boolean } | null> {
  return (
    (await db
      .selectFrom('organizer_memberships')
      .select(['id', 'role', 'is_active', 'is_deleted'])
      .where('organizer_uuid', '=', organizerUuid)
      .where('user_uuid', '=', userUuid)
      .executeTakeFirst()) ?? null
  );
}

export async function upsertOrganizerMembership(db: Db, organizerUuid: string, userUuid: string, role: OrganizerRole): Promise<void> {
  await db
    .insertInto('organizer_memberships')
    .values({ organizer_uuid: organizerUuid, user_uuid: userUuid, role })
    .onConflict((oc) => oc.columns(['user_uuid', 'organizer_uuid']).doUpdateSet({ role, is_active: true, is_deleted: false }))
    .execute();
}

export async function setOrganizerRole(db: Db, organizerUuid: string, userUuid: string, role: OrganizerRole): Promise<void> {
  await db.updateTable('organizer_memberships').set({ role }).where('organizer_uuid', '=', organizerUuid).where('user_uuid', '=', userUuid).execute();
}

export async function removeOrganizerMembership(db: Db, organizerUuid: string, userUuid: string): Promise<void> {
  await db
    .updateTable('organizer_memberships')
    .set({ is_deleted: true, is_active: false })
    .where('organizer_uuid', '=', organizerUuid)
    .where('user_uuid', '=', userUuid)
    .execute();
}
