/** SQL for the admin API: users with memberships, eligible-list listing, organizers, audit. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { USER_WITH_MEMBERSHIPS, USERS_WITH_ACCESS, type UserWithMemberships } from './principal.ts';
import { escapeLike } from './users.ts';

/** Admin views read the same user-with-memberships shape as /me. */
export type AdminUserRow = UserWithMemberships;

export async function adminFindUser(db: Db, uuid: string): Promise<AdminUserRow | null> {
  const result = await sql<AdminUserRow>`select ${USER_WITH_MEMBERSHIPS} from ${USERS_WITH_ACCESS} where u.uuid = ${uuid} and not u.is_deleted`.execute(db);
  return result.rows[0] ?? null;
}

/** Users by email, keyset-paginated, with an optional email substring and role filter. */
export async function adminListUsers(db: Db, filter: { email?: string; role?: string; afterEmail?: string; limit: number }): Promise<AdminUserRow[]> {
  const email = filter.email === undefined || filter.email === '' ? null : `%${escapeLike(filter.email.toLowerCase())}%`;
  const role = filter.role === undefined || filter.role === '' ? null : filter.role;
  const result = await sql<AdminUserRow>`
    select ${USER_WITH_MEMBERSHIPS} from ${USERS_WITH_ACCESS}
    where not u.is_deleted
      and (${email}::text is null or u.email like ${email})
      and (${filter.afterEmail ?? null}::text is null or u.email > ${filter.afterEmail ?? null})
      and (${role}::text is null or exists (
        select 1 from system_memberships m join roles r on r.id = m.role_id where m.user_uuid = u.uuid and r.name = ${role}))
    order by u.email
    limit ${filter.limit}`.execute(db);
  return result.rows;
}

export async function updateUserFields(db: Db, uuid: string, fields: { name?: string | null; is_active?: boolean }): Promise<void> {
  if (fields.name === undefined && fields.is_active === undefined) return;
  await db
    .updateTable('users')
    .set({
      ...(fields.name !== undefined ? { name: fields.name } : {}),
      ...(fields.is_active !== undefined ? { is_active: fields.is_active } : {}),
      updated_at: sql<Date>`now()`,
    })
    .where('uuid', '=', uuid)
    .execute();
}

export async function softDeleteUser(db: Db, uuid: string): Promise<void> {
  await db
    .updateTable('users')
    .set({ is_deleted: true, is_active: false, updated_at: sql<Date>`now()` })
    .where('uuid', '=', uuid)
    .execute();
}

export interface EligibleRow {
  readonly id: string;
  readonly email: string;
  readonly batch_id: string | null;
  readonly created_at: Date;
}

export async function listEligible(db: Db, filter: { batchId?: string; q?: string; afterEmail?: string; limit: number }): Promise<EligibleRow[]> {
  let query = db.selectFrom('eligible_emails').select(['id', 'email', 'batch_id', 'created_at']).orderBy('email').limit(filter.limit);
  if (filter.batchId !== undefined && filter.batchId !== '') query = query.where('batch_id', '=', filter.batchId);
  if (filter.q !== undefined && filter.q !== '') query = query.where('email', 'like', `%${escapeLike(filter.q.toLowerCase())}%`);
  if (filter.afterEmail !== undefined) query = query.where('email', '>', filter.afterEmail);
  return query.execute();
}

export async function insertEligibleOne(db: Db, email: string, batchId: string | null): Promise<EligibleRow | null> {
  const row = await db
    .insertInto('eligible_emails')
    .values({ email, batch_id: batchId })
    .onConflict((oc) => oc.column('email').doNothing())
    .returning(['id', 'email', 'batch_id', 'created_at'])
    .executeTakeFirst();
  return row ?? null;
}

export async function deleteEligibleOne(db: Db, email: string): Promise<boolean> {
  const result = await db.deleteFrom('eligible_emails').where('email', '=', email).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

export async function deleteEligibleBatch(db: Db, batchId: string): Promise<number> {
  const result = await db.deleteFrom('eligible_emails').where('batch_id', '=', batchId).executeTakeFirst();
  return Number(result.numDeletedRows);
}

export interface AuditRow {
  readonly id: string;
  readonly actor: string;
  readonly action: string;
  readonly target: string | null;
  readonly before: unknown;
  readonly after: unknown;
  readonly ip: string | null;
  readonly request_id: string | null;
  readonly created_at: Date;
  /** created_at to the microsecond, for the cursor (a JS Date keeps milliseconds only). */
  readonly cursor_at: string;
}

/**
 * created_at as ISO-8601 in UTC with its microseconds. A cursor made from the JS Date (ms) would
 * compare below rows of the same millisecond and skip them.
 */
const CURSOR_AT = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at');

/** Newest first; the cursor is (created_at, id) of the last row seen. */
export async function listAudit(
  db: Db,
  filter: { actor?: string; target?: string; action?: string; before?: { createdAt: string; id: string }; limit: number },
): Promise<AuditRow[]> {
  let query = db.selectFrom('audit_log').selectAll().select(CURSOR_AT).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(filter.limit);
  if (filter.actor) query = query.where('actor', '=', filter.actor);
  if (filter.target) query = query.where('target', '=', filter.target);
  if (filter.action) query = query.where('action', '=', filter.action);
  if (filter.before) {
    const { createdAt, id } = filter.before;
    query = query.where(sql<boolean>`(created_at, id) < (${createdAt}::timestamptz, ${id}::uuid)`);
  }
  return query.execute();
}

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
