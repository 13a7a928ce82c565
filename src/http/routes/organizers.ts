/**
 * /organizers/{id}/…: organizer-scoped permissions (owner > admin > member; a system admin may
 * do everything). Each route names its action; organizer-permissions.ts says who may take it.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError, validationError } from '../../errors.ts';
import { actorOf, organizerOf } from '../access.ts';
import { installAccess } from '../route-access.ts';
import { MemberSchema, NewMemberBody, OrganizerName, OrganizerRoleSchema, OrganizerSchema } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';

const tags = ['organizers'];
const OrganizerParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const MemberParams = Type.Object({ id: Type.String({ format: 'uuid' }), user_uuid: Type.String({ format: 'uuid' }) });

function organizerView(organizer: { uuid: string; name: string; created_at: Date }): { uuid: string; name: string; created_at: string } {
  return { uuid: organizer.uuid, name: organizer.name, created_at: organizer.created_at.toISOString() };
}

export const organizerRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'public');

  app.get(
    '/organizers/:id',
    {
      config: { access: { organizer: 'view' } },
      schema: {
        tags,
        operationId: 'getOrganizer',
        summary: 'An organizer (its members and system admins)',
        params: OrganizerParams,
        response: { 200: OrganizerSchema },
      },
    },
    async (request) => organizerView(organizerOf(request).organizer),
  );

  app.patch(
    '/organizers/:id',
    {
      config: { access: { organizer: 'rename' } },
      schema: {
        tags,
        operationId: 'renameOrganizer',
        summary: 'Rename an organizer (owners and admins)',
        params: OrganizerParams,
        body: Type.Object({ name: OrganizerName }),
        response: { 200: OrganizerSchema },
      },
    },
    async (request) => organizerView(await ctx.directory.organizers.rename(request.params.id, request.body.name.trim(), actorOf(request))),
  );

  app.get(
    '/organizers/:id/members',
    {
      config: { access: { organizer: 'list_members' } },
      schema: {
        tags,
        operationId: 'listOrganizerMembers',
        summary: 'An organizer’s members with their roles',
        params: OrganizerParams,
        response: { 200: Type.Array(MemberSchema) },
      },
    },
    async (request) => ctx.directory.organizers.members(request.params.id),
  );

  app.post(
    '/organizers/:id/members',
    {
      config: { access: { organizer: 'add_member' }, errors: ['user_not_found', 'already_member', 'forbidden'] },
      schema: {
        tags,
        operationId: 'addOrganizerMember',
        summary: 'Add a user (by email or uuid) with a role; only owners grant owner',
        params: OrganizerParams,
        body: NewMemberBody,
        response: { 201: MemberSchema },
      },
    },
    async (request, reply) => {
      const { email, user_uuid: userUuid, role } = request.body;
      if ((email === undefined) === (userUuid === undefined)) throw validationError(['body'], 'give exactly one of email or user_uuid');
      const { standing } = organizerOf(request);
      const member = await ctx.directory.organizers.addMember(request.params.id, { email, user_uuid: userUuid }, role, standing, actorOf(request));
      return reply.code(201).send(member);
    },
  );

  app.patch(
    '/organizers/:id/members/:user_uuid',
    {
      config: { access: { organizer: 'change_member_role' }, errors: ['member_not_found', 'forbidden', 'last_owner'] },
      schema: {
        tags,
        operationId: 'changeOrganizerMemberRole',
        summary: 'Change a member’s role; an organizer keeps at least one owner',
        params: MemberParams,
        body: Type.Object({ role: OrganizerRoleSchema }),
        response: { 200: MemberSchema },
      },
    },
    async (request) => {
      const { standing } = organizerOf(request);
      await ctx.directory.organizers.changeMemberRole(request.params.id, request.params.user_uuid, request.body.role, standing, actorOf(request));
      const members = await ctx.directory.organizers.members(request.params.id);
      const member = members.find((m) => m.user_uuid === request.params.user_uuid);
      if (member === undefined) throw new AppError('member_not_found');
      return member;
    },
  );

  app.delete(
    '/organizers/:id/members/:user_uuid',
    {
      config: { access: { organizer: 'remove_member', selfParam: 'user_uuid' }, errors: ['member_not_found', 'forbidden', 'last_owner'] },
      schema: {
        tags,
        operationId: 'removeOrganizerMember',
        summary: 'Remove a member (any member may remove themselves); an organizer keeps at least one owner',
        params: MemberParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { standing } = organizerOf(request);
      const actor = actorOf(request);
      await ctx.directory.organizers.removeMember(request.params.id, request.params.user_uuid, standing, actor.actor === request.params.user_uuid, actor);
      return reply.code(204).send(null);
    },
  );
};
