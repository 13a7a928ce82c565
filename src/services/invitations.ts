/**
 * Invitations to the club (system roles) and to an organizer (an organizer role): making them,
 * campaigns, resend and revoke. The link they mail is previewed and accepted in
 * invitation-links.ts (hash only, one atomic redemption, one answer for every dead link). A pending club
 * invitation makes its address eligible (queries/eligibility.ts). Mails leave through the queue,
 * tagged with the invitation so the campaign counts know what was sent.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import { insertAudit } from '../queries/audit.ts';
import { announceExpiredInvitations, emitInvitationEvents } from './webhook-events.ts';
import {
  batchCounts,
  closeExpiredInvitations,
  findInvitation,
  insertInvitations,
  listInvitations,
  markInvitationMailed,
  markInvitationMailFailed,
  pendingClubInvitees,
  replaceInvitationToken,
  revokeInvitation,
  type BatchCounts,
  type InvitationFilter,
  type InvitationRow,
  type NewInvitation,
} from '../queries/invitations.ts';
import { findOrganizerMembership, type OrganizerRow } from '../queries/organizers.ts';
import { findRolesByNames } from '../queries/roles.ts';
import { liveUsersWithMemberships } from '../queries/user-views.ts';
import { findUserByEmail, findUserByUuid } from '../queries/users.ts';
import type { MailMessage } from '../providers/mail.ts';
import { requireValidEmail } from './accounts.ts';
import { checkEmails, invalidEmailsError, type EmailEntry } from './eligibility.ts';
import { linkFor } from './links.ts';
import { acceptInvitation, newInvitationToken, previewInvitation, type InvitationPreview } from './invitation-links.ts';
import { invitationMail } from './mail-templates.ts';
import type { Actor } from './memberships.ts';
import { mayAssign, type OrganizerStanding } from './organizer-permissions.ts';
import { effectiveRoles } from './user-view.ts';

/** Queues mails, inside `trx`, each tagged with the invitation it is for. */
export type InvitationMailer = (trx: Db, mails: readonly { message: MailMessage; invitationId: string }[]) => Promise<void>;

export interface InvitationDeps {
  readonly config: Config;
  readonly mail: InvitationMailer;
}

import { invitationView, type InvitationView } from './invitation-view.ts';

export { invitationView, type InvitationView };

const DAY_MS = 86_400_000;

/** The roles named exist (422 naming the others); `member` when none are named. */
async function requireRoles(db: Db, names: readonly string[] | undefined): Promise<string[]> {
  const wanted = [...new Set(names === undefined || names.length === 0 ? ['member'] : names)];
  const found = new Set((await findRolesByNames(db, wanted)).map((role) => role.name));
  const missing = wanted.filter((name) => !found.has(name));
  if (missing.length > 0) throw fieldError(['role_names'], `No role named ${missing.join(', ')}`);
  return wanted;
}

function expiry(days: number | undefined): Date {
  const value = days ?? 14;
  if (!Number.isInteger(value) || value < 1 || value > 90) throw fieldError(['expires_in_days'], 'expires_in_days must be a whole number from 1 to 90');
  return new Date(Date.now() + value * DAY_MS);
}

/** The mail of one invitation, with its link. */
function mailFor(
  deps: InvitationDeps,
  invite: { email: string; what: string; inviter: string | null; expiresAt: Date; message: string | null },
  token: string,
): MailMessage {
  const look = { locale: deps.config.brand.defaultLocale, brand: deps.config.brand };
  return invitationMail(
    invite.email,
    { inviter: invite.inviter ?? deps.config.brand.name, to: invite.what, expiresAt: invite.expiresAt, message: invite.message },
    linkFor(deps.config, 'invitation', token),
    look,
  );
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The inviting user's name (or address); null for the API key or the CLI (the mail then names the club). */
async function inviterName(db: Db, by: Actor): Promise<string | null> {
  if (!UUID.test(by.actor)) return null;
  const user = await findUserByUuid(db, by.actor);
  return user === null ? null : (user.name ?? user.email);
}

export interface ClubInvitationInput {
  readonly roleNames?: readonly string[];
  readonly expiresInDays?: number;
  readonly message?: string | null;
  readonly batchId?: string | null;
}

export interface BulkInvitationOutcome {
  readonly invited: number;
  readonly already_members: number;
  readonly already_invited: number;
  readonly batch_id: string | null;
}

/**
 * Invites these (already valid, normalized) addresses to the club, all in one transaction: an
 * address whose user already holds every role is skipped (already_members), one with a pending
 * invitation too (already_invited). Each new invitation's mail is queued in the same transaction.
 */
async function inviteAddresses(
  db: Db,
  deps: InvitationDeps,
  emails: readonly string[],
  input: ClubInvitationInput,
  by: Actor,
): Promise<BulkInvitationOutcome & { ids: string[] }> {
  const roleNames = await requireRoles(db, input.roleNames);
  const expiresAt = expiry(input.expiresInDays);
  return db.transaction().execute(async (trx) => {
    const members = await liveUsersWithMemberships(trx, emails);
    const complete = new Set(members.filter((m) => roleNames.every((role) => effectiveRoles(m.system).includes(role))).map((m) => m.email));
    const candidates = emails.filter((email) => !complete.has(email));
    await announceExpiredInvitations(trx, candidates);
    await closeExpiredInvitations(trx, candidates);
    const tokens = new Map(candidates.map((email) => [email, newInvitationToken()] as const));
    const rows: NewInvitation[] = candidates.map((email) => ({
      email,
      kind: 'club',
      organizerUuid: null,
      roleNames,
      organizerRole: null,
      tokenHash: tokens.get(email)?.hash ?? '',
      invitedBy: by.actor,
      batchId: input.batchId ?? null,
      message: input.message ?? null,
      expiresAt,
    }));
    const inserted = await insertInvitations(trx, rows);
    await emitInvitationEvents(
      trx,
      'invitation.created',
      inserted.map((row) => row.id),
    );
    const inviter = await inviterName(trx, by);
    await deps.mail(
      trx,
      inserted.map((row) => ({
        invitationId: row.id,
        message: mailFor(
          deps,
          { email: row.email, what: deps.config.brand.name, inviter, expiresAt, message: input.message ?? null },
          tokens.get(row.email)?.token ?? '',
        ),
      })),
    );
    await insertAudit(trx, {
      ...by,
      action: emails.length === 1 ? 'invitation.create' : 'invitation.bulk',
      target: emails.length === 1 ? (emails[0] ?? '') : (input.batchId ?? 'bulk'),
      after: { invited: inserted.length, role_names: roleNames, batch_id: input.batchId ?? null },
    });
    return {
      invited: inserted.length,
      already_members: complete.size,
      already_invited: candidates.length - inserted.length,
      batch_id: input.batchId ?? null,
      ids: inserted.map((row) => row.id),
    };
  });
}

export async function inviteToClub(db: Db, deps: InvitationDeps, rawEmail: string, input: ClubInvitationInput, by: Actor): Promise<InvitationView> {
  const email = requireValidEmail(rawEmail);
  const outcome = await inviteAddresses(db, deps, [email], input, by);
  if (outcome.already_members > 0) throw new AppError('invitation_conflict', { message: 'already_member_roles' });
  const id = outcome.ids[0];
  if (id === undefined) throw new AppError('invitation_conflict', { message: 'already_invited' });
  return invitationView((await findInvitation(db, id)) as InvitationRow);
}

/** Bulk (JSON or a CSV's entries): any invalid address refuses the whole request, naming each. */
export async function inviteManyToClub(
  db: Db,
  deps: InvitationDeps,
  entries: Iterable<EmailEntry>,
  where: 'line' | 'index',
  input: ClubInvitationInput,
  by: Actor,
): Promise<BulkInvitationOutcome> {
  const checked = checkEmails(entries);
  if (checked.invalid.length > 0) throw invalidEmailsError(checked.invalid, where, 'emails');
  const { ids: _ids, ...outcome } = await inviteAddresses(db, deps, checked.emails, input, by);
  return outcome;
}

export interface ImportPreview {
  readonly invited: number;
  readonly already_members: number;
  readonly already_invited: number;
  readonly invalid_count: number;
  readonly invalid: { line: number; value: string }[];
}

/** What the same CSV (or list) would do, writing nothing: the console shows it before sending. */
export async function previewClubInvitations(db: Db, entries: Iterable<EmailEntry>, roleNames: readonly string[] | undefined): Promise<ImportPreview> {
  const checked = checkEmails(entries);
  const roles = await requireRoles(db, roleNames);
  const members = await liveUsersWithMemberships(db, checked.emails);
  const complete = new Set(members.filter((m) => roles.every((role) => effectiveRoles(m.system).includes(role))).map((m) => m.email));
  const pending = await pendingClubInvitees(
    db,
    checked.emails.filter((email) => !complete.has(email)),
  );
  return {
    invited: checked.emails.length - complete.size - pending.size,
    already_members: complete.size,
    already_invited: pending.size,
    invalid_count: checked.invalid.length,
    invalid: checked.invalid.slice(0, 1000).map((item) => ({ line: item.position, value: item.email })),
  };
}

export async function inviteToOrganizer(
  db: Db,
  deps: InvitationDeps,
  organizer: OrganizerRow,
  standing: OrganizerStanding,
  input: { email: string; role: OrganizerRole },
  by: Actor,
): Promise<InvitationView> {
  const email = requireValidEmail(input.email);
  if (!mayAssign(standing, null, input.role)) throw new AppError('forbidden', { message: 'only_owner_grants_owner' });
  const id = await db.transaction().execute(async (trx) => {
    const user = await findUserByEmail(trx, email);
    if (user !== null && !user.is_deleted) {
      const membership = await findOrganizerMembership(trx, organizer.uuid, user.uuid);
      if (membership !== null && membership.is_active && !membership.is_deleted) throw new AppError('already_member');
    }
    await announceExpiredInvitations(trx, [email]);
    await closeExpiredInvitations(trx, [email]);
    const token = newInvitationToken();
    const expiresAt = expiry(undefined);
    const [row] = await insertInvitations(trx, [
      {
        email,
        kind: 'organizer',
        organizerUuid: organizer.uuid,
        roleNames: [],
        organizerRole: input.role,
        tokenHash: token.hash,
        invitedBy: by.actor,
        batchId: null,
        message: null,
        expiresAt,
      },
    ]);
    if (row === undefined) throw new AppError('invitation_conflict', { message: 'already_invited' });
    await emitInvitationEvents(trx, 'invitation.created', [row.id]);
    const inviter = await inviterName(trx, by);
    await deps.mail(trx, [{ invitationId: row.id, message: mailFor(deps, { email, what: organizer.name, inviter, expiresAt, message: null }, token.token) }]);
    await insertAudit(trx, { ...by, action: 'invitation.create', target: email, after: { organizer_uuid: organizer.uuid, role: input.role } });
    return row.id;
  });
  return invitationView((await findInvitation(db, id)) as InvitationRow);
}

export async function invitations(db: Db, filter: InvitationFilter): Promise<InvitationView[]> {
  return (await listInvitations(db, filter)).map(invitationView);
}

export async function invitationBatch(db: Db, batchId: string): Promise<BatchCounts & { batch_id: string }> {
  const counts = await batchCounts(db, batchId);
  if (counts.total === 0) throw new AppError('not_found', { message: 'no_invitation_batch' });
  return { batch_id: batchId, ...counts };
}

/** A new link by mail (the old one stops working), at most once an hour. */
export async function resendInvitation(db: Db, deps: InvitationDeps, id: string, by: Actor): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const row = await findInvitation(trx, id);
    if (row === null) throw new AppError('invitation_not_found');
    const token = newInvitationToken();
    const outcome = await replaceInvitationToken(trx, id, token.hash);
    if (outcome === 'not_pending') throw new AppError('invitation_conflict', { message: 'invitation_not_pending' });
    if (outcome === 'too_soon') throw new AppError('rate_limited', { retryAfterSeconds: 3600 });
    const what = row.kind === 'club' ? deps.config.brand.name : (row.organizer_name ?? deps.config.brand.name);
    const message = mailFor(deps, { email: row.email, what, inviter: row.invited_by_name, expiresAt: row.expires_at, message: row.message }, token.token);
    await deps.mail(trx, [{ invitationId: id, message }]);
    await insertAudit(trx, { ...by, action: 'invitation.resend', target: row.email });
  });
}

export async function revokeInvitationAs(db: Db, id: string, by: Actor, organizerUuid: string | null = null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    if (!(await revokeInvitation(trx, id, organizerUuid))) throw new AppError('invitation_not_found');
    await emitInvitationEvents(trx, 'invitation.revoked', [id]);
    await insertAudit(trx, { ...by, action: 'invitation.revoke', target: id });
  });
}

/** The mail worker's report on an invitation's mail (campaign counts). */
export async function invitationMailOutcome(db: Db, invitationId: string, delivered: boolean): Promise<void> {
  if (delivered) await markInvitationMailed(db, invitationId);
  else await markInvitationMailFailed(db, invitationId);
}

export interface InvitationService {
  inviteToClub(email: string, input: ClubInvitationInput, by: Actor): Promise<InvitationView>;
  inviteManyToClub(entries: Iterable<EmailEntry>, where: 'line' | 'index', input: ClubInvitationInput, by: Actor): Promise<BulkInvitationOutcome>;
  inviteToOrganizer(organizer: OrganizerRow, standing: OrganizerStanding, input: { email: string; role: OrganizerRole }, by: Actor): Promise<InvitationView>;
  list(filter: InvitationFilter): Promise<InvitationView[]>;
  batch(batchId: string): Promise<BatchCounts & { batch_id: string }>;
  resend(id: string, by: Actor): Promise<void>;
  revoke(id: string, by: Actor, organizerUuid?: string | null): Promise<void>;
  preview(token: string): Promise<InvitationPreview>;
  previewImport(entries: Iterable<EmailEntry>, roleNames: readonly string[] | undefined): Promise<ImportPreview>;
  accept(
    input: { token: string; password?: string; name?: string | null },
    signedInEmail: string | null,
    by: Omit<Actor, 'actor'>,
  ): Promise<{ userUuid: string }>;
}

/** The invitation operations bound to the app's database and mailer (routes call these). */
export function createInvitationService(db: Db, deps: InvitationDeps): InvitationService {
  return {
    inviteToClub: (email, input, by) => inviteToClub(db, deps, email, input, by),
    inviteManyToClub: (entries, where, input, by) => inviteManyToClub(db, deps, entries, where, input, by),
    inviteToOrganizer: (organizer, standing, input, by) => inviteToOrganizer(db, deps, organizer, standing, input, by),
    list: (filter) => invitations(db, filter),
    batch: (batchId) => invitationBatch(db, batchId),
    resend: (id, by) => resendInvitation(db, deps, id, by),
    revoke: (id, by, organizerUuid = null) => revokeInvitationAs(db, id, by, organizerUuid),
    preview: (token) => previewInvitation(db, token),
    previewImport: (entries, roleNames) => previewClubInvitations(db, entries, roleNames),
    accept: (input, signedInEmail, by) => acceptInvitation(db, input, signedInEmail, by),
  };
}
