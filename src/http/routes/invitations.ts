/**
 * Invitations (docs/lifecycle.md): the admin's club invitations (single, bulk, CSV, campaigns),
 * an organizer's own (its owners and admins). The link's public routes are in invitation-links.ts.
 */
import type { Readable } from 'node:stream';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf, organizerOf } from '../access.ts';
import { BatchId, Cursor, Limit, Paginated } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import { installAccess } from '../route-access.ts';
import { EmailField, UuidParam } from '../schemas.ts';
import { CSV_BODY, csvEntries } from './admin-eligible.ts';

const tags = ['invitations'];
export const OrganizerRoleField = Type.Union([Type.Literal('owner'), Type.Literal('admin'), Type.Literal('member')]);
const RoleNames = Type.Array(Type.String({ maxLength: 100 }), { maxItems: 20, description: 'System roles it grants; default ["member"]' });
const ExpiresInDays = Type.Integer({ minimum: 1, maximum: 90, description: 'Default 14' });
const Message = Type.Union([Type.String({ maxLength: 1000 }), Type.Null()]);
const InvitationStatus = Type.Union([Type.Literal('pending'), Type.Literal('accepted'), Type.Literal('expired'), Type.Literal('revoked')]);

export const InvitationSchema = Type.Object({
  id: Type.String({ format: 'uuid' }),
  email: Type.String(),
  kind: Type.Union([Type.Literal('club'), Type.Literal('organizer')]),
  organizer_uuid: Type.Union([Type.String({ format: 'uuid' }), Type.Null()]),
  role_names: Type.Array(Type.String()),
  organizer_role: Type.Union([OrganizerRoleField, Type.Null()]),
  status: InvitationStatus,
  invited_by: Type.String(),
  batch_id: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
  created_at: Type.String({ format: 'date-time' }),
  accepted_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  last_sent_at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
  send_count: Type.Integer(),
});

const BulkOutcome = Type.Object({
  invited: Type.Integer(),
  already_members: Type.Integer(),
  already_invited: Type.Integer(),
  batch_id: Type.Union([Type.String(), Type.Null()]),
});

const BULK_LIMIT = 64 * 1024 * 1024;

/** `?role_names=a,b` as a list (undefined: the default, member). */
function roleList(raw: string | undefined): string[] | undefined {
  const names = raw
    ?.split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  return names === undefined || names.length === 0 ? undefined : names;
}

export const adminInvitationRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'admin');
  app.addContentTypeParser('text/csv', (_request, payload, done) => done(null, payload));

  app.post(
    '/admin/invitations',
    {
      config: { errors: ['invitation_conflict'] },
      schema: {
        tags,
        operationId: 'inviteToClub',
        summary: 'Invite one person to the club (a mail goes out)',
        body: Type.Object({
          email: EmailField,
          role_names: Type.Optional(RoleNames),
          expires_in_days: Type.Optional(ExpiresInDays),
          message: Type.Optional(Message),
        }),
        response: { 201: InvitationSchema },
      },
    },
    async (request, reply) => {
      const { email, role_names: roleNames, expires_in_days: expiresInDays, message } = request.body;
      const invitation = await ctx.invitations.inviteToClub(email, { roleNames, expiresInDays, message: message ?? null }, actorOf(request));
      return reply.code(201).send(invitation);
    },
  );

  app.post(
    '/admin/invitations/bulk',
    {
      bodyLimit: BULK_LIMIT,
      config: { errors: ['invalid_emails'] },
      schema: {
        tags,
        operationId: 'inviteManyToClub',
        summary: 'Invite many to the club, all or nothing (an invalid address invites nobody)',
        body: Type.Object({
          emails: Type.Array(Type.String({ maxLength: 320 }), { minItems: 1, maxItems: 100_000 }),
          role_names: Type.Optional(RoleNames),
          batch_id: Type.Optional(BatchId),
          expires_in_days: Type.Optional(ExpiresInDays),
          message: Type.Optional(Message),
        }),
        response: { 201: BulkOutcome },
      },
    },
    async (request, reply) => {
      const { emails, role_names: roleNames, batch_id: batchId, expires_in_days: expiresInDays, message } = request.body;
      const entries = emails.map((raw, position) => ({ raw, position }));
      const outcome = await ctx.invitations.inviteManyToClub(
        entries,
        'index',
        { roleNames, batchId: batchId ?? null, expiresInDays, message: message ?? null },
        actorOf(request),
      );
      return reply.code(201).send(outcome);
    },
  );

  app.post(
    '/admin/invitations/import',
    {
      config: { errors: ['invalid_emails'], rawBody: CSV_BODY },
      schema: {
        tags,
        operationId: 'importInvitationsCsv',
        summary: 'Invite the addresses of a CSV file to the club, all or nothing (422 with line numbers)',
        querystring: Type.Object({
          batch_id: Type.Optional(BatchId),
          role_names: Type.Optional(Type.String({ maxLength: 1000, description: 'Comma-separated' })),
        }),
        response: { 201: BulkOutcome },
      },
    },
    async (request, reply) => {
      const entries = await csvEntries(request.headers['content-type'], request.body as Readable);
      const roleNames = roleList(request.query.role_names);
      const outcome = await ctx.invitations.inviteManyToClub(entries, 'line', { roleNames, batchId: request.query.batch_id ?? null }, actorOf(request));
      return reply.code(201).send(outcome);
    },
  );

  app.post(
    '/admin/invitations/import/preview',
    {
      config: { rawBody: CSV_BODY },
      schema: {
        tags,
        operationId: 'previewInvitationsCsv',
        summary: 'What the same CSV invitation import would do, without writing or mailing anything',
        querystring: Type.Object({ role_names: Type.Optional(Type.String({ maxLength: 1000, description: 'Comma-separated' })) }),
        response: {
          200: Type.Object({
            invited: Type.Integer(),
            already_members: Type.Integer(),
            already_invited: Type.Integer(),
            invalid_count: Type.Integer(),
            invalid: Type.Array(Type.Object({ line: Type.Integer(), value: Type.String() })),
          }),
        },
      },
    },
    async (request) => {
      const entries = await csvEntries(request.headers['content-type'], request.body as Readable);
      return ctx.invitations.previewImport(entries, roleList(request.query.role_names));
    },
  );

  app.get(
    '/admin/invitations',
    {
      schema: {
        tags,
        operationId: 'listInvitations',
        summary: 'Invitations, oldest first (by status, batch or address)',
        querystring: Type.Object({
          status: Type.Optional(InvitationStatus),
          batch_id: Type.Optional(BatchId),
          email: Type.Optional(Type.String({ maxLength: 320 })),
          limit: Type.Optional(Limit),
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Paginated(InvitationSchema) },
      },
    },
    async (request) => {
      const { status, batch_id: batchId, email, cursor } = request.query;
      const limit = request.query.limit ?? 50;
      const after = decodeCursor(cursor, ['uuid']);
      const rows = await ctx.invitations.list({
        limit: limit + 1,
        ...(status === undefined ? {} : { status }),
        ...(batchId === undefined ? {} : { batchId }),
        ...(email === undefined ? {} : { email: email.trim().toLowerCase() }),
        ...(after?.[0] === undefined ? {} : { afterId: after[0] }),
      });
      return page(rows, limit, (row) => [row.id]);
    },
  );

  app.get(
    '/admin/invitation-batches/:batch_id',
    {
      config: { errors: ['not_found'] },
      schema: {
        tags,
        operationId: 'getInvitationBatch',
        summary: 'A campaign: its invitations by status, and mails sent and failed',
        params: Type.Object({ batch_id: BatchId }),
        response: {
          200: Type.Object({
            batch_id: Type.String(),
            total: Type.Integer(),
            pending: Type.Integer(),
            accepted: Type.Integer(),
            expired: Type.Integer(),
            revoked: Type.Integer(),
            mails_sent: Type.Integer(),
            mails_failed: Type.Integer(),
          }),
        },
      },
    },
    async (request) => ctx.invitations.batch(request.params.batch_id),
  );

  app.post(
    '/admin/invitations/:id/resend',
    {
      config: { errors: ['invitation_not_found', 'invitation_conflict', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'resendInvitation',
        summary: 'Mail a new link (the old one stops working); at most once an hour',
        params: Type.Object({ id: UuidParam }),
        response: { 202: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.invitations.resend(request.params.id, actorOf(request));
      return reply.code(202).send(null);
    },
  );

  app.delete(
    '/admin/invitations/:id',
    {
      config: { errors: ['invitation_not_found'] },
      schema: {
        tags,
        operationId: 'revokeInvitation',
        summary: 'Revoke a pending invitation: its link dies',
        params: Type.Object({ id: UuidParam }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.invitations.revoke(request.params.id, actorOf(request));
      return reply.code(204).send(null);
    },
  );
};

export const organizerInvitationRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, { organizer: 'invite' });

  app.post(
    '/organizers/:id/invitations',
    {
      config: { errors: ['invitation_conflict', 'already_member', 'forbidden'] },
      schema: {
        tags,
        operationId: 'inviteToOrganizer',
        summary: 'Invite one person to this organizer (only an owner may invite an owner)',
        params: Type.Object({ id: UuidParam }),
        body: Type.Object({ email: EmailField, role: OrganizerRoleField }),
        response: { 201: InvitationSchema },
      },
    },
    async (request, reply) => {
      const { organizer, standing } = organizerOf(request);
      return reply.code(201).send(await ctx.invitations.inviteToOrganizer(organizer, standing, request.body, actorOf(request)));
    },
  );

  app.get(
    '/organizers/:id/invitations',
    {
      schema: {
        tags,
        operationId: 'listOrganizerInvitations',
        summary: 'This organizer’s invitations',
        params: Type.Object({ id: UuidParam }),
        querystring: Type.Object({ status: Type.Optional(InvitationStatus) }),
        response: { 200: Type.Array(InvitationSchema) },
      },
    },
    async (request) => {
      const { organizer } = organizerOf(request);
      const status = request.query.status;
      return ctx.invitations.list({ organizerUuid: organizer.uuid, limit: 1000, ...(status === undefined ? {} : { status }) });
    },
  );

  app.delete(
    '/organizers/:id/invitations/:invitation_id',
    {
      config: { errors: ['invitation_not_found'] },
      schema: {
        tags,
        operationId: 'revokeOrganizerInvitation',
        summary: 'Revoke one of this organizer’s pending invitations',
        params: Type.Object({ id: UuidParam, invitation_id: UuidParam }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { organizer } = organizerOf(request);
      await ctx.invitations.revoke(request.params.invitation_id, actorOf(request), organizer.uuid);
      return reply.code(204).send(null);
    },
  );
};
