/** SQL for invitations. `expired` is computed: a pending invitation past expires_at. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { InvitationKind, OrganizerRole } from '../db/schema.ts';

export type InvitationState = 'pending' | 'accepted' | 'expired' | 'revoked';

export interface InvitationRow {
  readonly id: string;
  readonly email: string;
  readonly kind: InvitationKind;
  readonly organizer_uuid: string | null;
  readonly organizer_name: string | null;
  readonly role_names: string[];
  readonly organizer_role: OrganizerRole | null;
  readonly status: InvitationState;
  readonly invited_by: string;
  readonly invited_by_name: string | null;
  readonly batch_id: string | null;
  readonly message: string | null;
  readonly expires_at: Date;
  readonly created_at: Date;
  readonly accepted_at: Date | null;
  readonly last_sent_at: Date | null;
  readonly send_count: number;
}

export interface NewInvitation {
  readonly email: string;
  readonly kind: InvitationKind;
  readonly organizerUuid: string | null;
  readonly roleNames: readonly string[];
  readonly organizerRole: OrganizerRole | null;
  readonly tokenHash: string;
  readonly invitedBy: string;
  readonly batchId: string | null;
  readonly message: string | null;
  readonly expiresAt: Date;
}

/** The columns of InvitationRow, with the organizer's and the inviter's names joined. */
const SELECT = sql`
  i.id, i.email, i.kind, i.organizer_uuid, o.name as organizer_name, i.role_names, i.organizer_role,
  case when i.status = 'pending' and i.expires_at <= now() then 'expired' else i.status end as status,
  i.invited_by, coalesce(inviter.name, inviter.email) as invited_by_name, i.batch_id, i.message, i.expires_at,
  i.created_at, i.accepted_at, i.last_sent_at, i.send_count
  from invitations i
  left join organizers o on o.uuid = i.organizer_uuid
  left join users inviter on inviter.uuid::text = i.invited_by`;

/**
 * Inserts the invitations that have no pending twin (the partial unique indexes decide, so two
 * concurrent invitations of one address cannot both be pending). Returns the ids and emails inserted.
 */
export async function insertInvitations(db: Db, rows: readonly NewInvitation[]): Promise<{ id: string; email: string }[]> {
  if (rows.length === 0) return [];
  const result = await sql<{ id: string; email: string }>`
    insert into invitations (email, kind, organizer_uuid, role_names, organizer_role, token_hash, invited_by, batch_id, message, expires_at)
    select t.email, t.kind, t.organizer_uuid, t.role_names::text[], t.organizer_role, t.token_hash, t.invited_by, t.batch_id, t.message, t.expires_at
    from unnest(
      ${rows.map((r) => r.email)}::text[], ${rows.map((r) => r.kind)}::text[], ${rows.map((r) => r.organizerUuid)}::uuid[],
      -- Each invitation's role names as an array literal (role names are [a-z0-9_-], checked against roles).
      ${rows.map((r) => `{${r.roleNames.map((name) => `"${name}"`).join(',')}}`)}::text[], ${rows.map((r) => r.organizerRole)}::text[],
      ${rows.map((r) => r.tokenHash)}::text[], ${rows.map((r) => r.invitedBy)}::text[], ${rows.map((r) => r.batchId)}::text[],
      ${rows.map((r) => r.message)}::text[], ${rows.map((r) => r.expiresAt.toISOString())}::timestamptz[]
    ) as t(email, kind, organizer_uuid, role_names, organizer_role, token_hash, invited_by, batch_id, message, expires_at)
    on conflict do nothing
    returning id, email`.execute(db);
  return result.rows;
}

/** Pending invitations past their expiry no longer block a new one: they are closed first. */
export async function closeExpiredInvitations(db: Db, emails: readonly string[]): Promise<void> {
  if (emails.length === 0) return;
  await sql`update invitations set status = 'revoked' where status = 'pending' and expires_at <= now() and email = any (${[...emails]}::text[])`.execute(db);
}

export async function findInvitation(db: Db, id: string): Promise<InvitationRow | null> {
  const result = await sql<InvitationRow>`select ${SELECT} where i.id = ${id}`.execute(db);
  return result.rows[0] ?? null;
}

/** A pending, unexpired invitation by its link's token hash (never consumes it). */
export async function findLiveInvitationByToken(db: Db, tokenHash: string): Promise<InvitationRow | null> {
  const result = await sql<InvitationRow>`select ${SELECT} where i.token_hash = ${tokenHash} and i.status = 'pending' and i.expires_at > now()`.execute(db);
  return result.rows[0] ?? null;
}

/** Redeems the link: exactly one caller turns a pending, unexpired invitation into accepted. */
export async function consumeInvitation(db: Db, tokenHash: string): Promise<{ id: string } | null> {
  const result = await sql<{ id: string }>`
    update invitations set status = 'accepted', accepted_at = now()
    where token_hash = ${tokenHash} and status = 'pending' and expires_at > now()
    returning id`.execute(db);
  return result.rows[0] ?? null;
}

export interface InvitationFilter {
  readonly status?: InvitationState;
  readonly batchId?: string;
  readonly email?: string;
  readonly organizerUuid?: string;
  readonly kind?: InvitationKind;
  readonly afterId?: string;
  readonly limit: number;
}

export async function listInvitations(db: Db, filter: InvitationFilter): Promise<InvitationRow[]> {
  const result = await sql<InvitationRow>`
    select * from (select ${SELECT}) listed
    where (${filter.status ?? null}::text is null or listed.status = ${filter.status ?? null})
      and (${filter.batchId ?? null}::text is null or listed.batch_id = ${filter.batchId ?? null})
      and (${filter.email ?? null}::text is null or listed.email = ${filter.email ?? null})
      and (${filter.organizerUuid ?? null}::uuid is null or listed.organizer_uuid = ${filter.organizerUuid ?? null})
      and (${filter.kind ?? null}::text is null or listed.kind = ${filter.kind ?? null})
      and (${filter.afterId ?? null}::uuid is null or listed.id > ${filter.afterId ?? null})
    order by listed.id
    limit ${filter.limit}`.execute(db);
  return result.rows;
}

export interface BatchCounts {
  readonly total: number;
  readonly pending: number;
  readonly accepted: number;
  readonly expired: number;
  readonly revoked: number;
  readonly mails_sent: number;
  readonly mails_failed: number;
}

export async function batchCounts(db: Db, batchId: string): Promise<BatchCounts> {
  const result = await sql<BatchCounts>`
    select count(*)::int as total,
      count(*) filter (where status = 'pending' and expires_at > now())::int as pending,
      count(*) filter (where status = 'accepted')::int as accepted,
      count(*) filter (where status = 'pending' and expires_at <= now())::int as expired,
      count(*) filter (where status = 'revoked')::int as revoked,
      count(*) filter (where send_count > 0)::int as mails_sent,
      count(*) filter (where mail_failed)::int as mails_failed
    from invitations where batch_id = ${batchId}`.execute(db);
  return result.rows[0] as BatchCounts;
}

/** Revokes a pending invitation (of this organizer, when given); the id when it did. */
export async function revokeInvitation(db: Db, id: string, organizerUuid: string | null): Promise<boolean> {
  const result = await sql<{ id: string }>`
    update invitations set status = 'revoked'
    where id = ${id} and status = 'pending' and (${organizerUuid}::uuid is null or organizer_uuid = ${organizerUuid})
    returning id`.execute(db);
  return result.rows.length > 0;
}

/**
 * A new link for a pending, unexpired invitation, at most once an hour: the old link stops
 * working. 'not_pending' or 'too_soon' when it may not.
 */
export async function replaceInvitationToken(db: Db, id: string, tokenHash: string): Promise<'replaced' | 'not_pending' | 'too_soon'> {
  const result = await sql<{ outcome: 'replaced' | 'not_pending' | 'too_soon' }>`
    with target as (select id, status = 'pending' and expires_at > now() as live, last_sent_at > now() - interval '1 hour' as recent from invitations where id = ${id} for update),
    replaced as (
      update invitations set token_hash = ${tokenHash}
      from target where invitations.id = target.id and target.live and not coalesce(target.recent, false)
      returning invitations.id
    )
    select case when exists (select 1 from replaced) then 'replaced' when (select live from target) then 'too_soon' else 'not_pending' end as outcome`.execute(
    db,
  );
  return result.rows[0]?.outcome ?? 'not_pending';
}

/** After the mail worker handed the invitation's mail over (or gave up on it). */
export async function markInvitationMailed(db: Db, id: string): Promise<void> {
  await sql`update invitations set last_sent_at = now(), send_count = send_count + 1, mail_failed = false where id = ${id}`.execute(db);
}

export async function markInvitationMailFailed(db: Db, id: string): Promise<void> {
  await sql`update invitations set mail_failed = true where id = ${id}`.execute(db);
}

/** Which of these addresses have a pending, unexpired club invitation. */
export async function pendingClubInvitees(db: Db, emails: readonly string[]): Promise<Set<string>> {
  if (emails.length === 0) return new Set();
  const result = await sql<{ email: string }>`
    select email from invitations where kind = 'club' and status = 'pending' and expires_at > now() and email = any (${[...emails]}::text[])`.execute(db);
  return new Set(result.rows.map((row) => row.email));
}

export async function findInvitations(db: Db, ids: readonly string[]): Promise<InvitationRow[]> {
  if (ids.length === 0) return [];
  const result = await sql<InvitationRow>`select ${SELECT} where i.id = any (${[...ids]}::uuid[]) order by i.id`.execute(db);
  return result.rows;
}

/**
 * Pending invitations past their expiry not yet announced (invitation.expired), among these
 * emails or all; marked announced here, so each is announced once. Locked rows are skipped: the
 * transaction holding them announces them.
 */
export async function claimExpiredInvitations(db: Db, limit: number, emails: readonly string[] | null = null): Promise<string[]> {
  const result = await sql<{ id: string }>`
    update invitations set expiry_announced_at = now()
    where id in (
      select id from invitations
      where status = 'pending' and expires_at <= now() and expiry_announced_at is null
        and (${emails === null} or email = any (${emails === null ? [] : [...emails]}::text[]))
      order by expires_at limit ${limit} for update skip locked)
    returning id`.execute(db);
  return result.rows.map((row) => row.id);
}
