/**
 * /organizers/{id}/…: organizer-scoped permissions (owner > admin > member; a system admin may
 * do everything). Each route names its action; organizer-permissions.ts says who may take it.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { listOrganizerMembers } from '../../queries/admin.ts';
import { addOrganizerMember, changeOrganizerMemberRole, removeOrganizerMember, renameOrganizerAs } from '../../services/organizers.ts';
import { AppError, validationError } from '../../errors.ts';
import { actorOf, createAccess, organizerOf } from '../access.ts';
import { MemberSchema, NewMemberBody, OrganizerName, OrganizerRoleSchema, OrganizerSchema } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { ErrorBody } from '../schemas.ts';

const tags = ['organizers'];
const OrganizerParams = Type.Object({ id: Type.String({ format: 'uuid' }) });
const MemberParams = Type.Object({ id: Type.String({ format: 'uuid' }), user_uuid: Type.String({ format: 'uuid' }) });

function organizerView(organizer: { uuid: string; name: string; created_at: Date }): { uuid: string; name: string; created_at: string } {
  return { uuid: organizer.uuid, name: organizer.name, created_at: organizer.created_at.toISOString() };
}

export const organizerRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  const access = createAccess(ctx);

  app.get('/organizers/:id', { onRequest: access.organizerGuard('view'), config: { organizerAction: 'view' }, schema: { tags, params: OrganizerParams, response: { 200: OrganizerSchema, 403: ErrorBody, 404: ErrorBody } } }, async (request) =>
    organizerView(organizerOf(request).organizer),
  );

  app.patch(
    '/organizers/:id',
    { onRequest: access.organizerGuard('rename'), config: { organizerAction: 'rename' }, schema: { tags, params: OrganizerParams, body: Type.Object({ name: OrganizerName }), response: { 200: OrganizerSchema, 403: ErrorBody, 404: ErrorBody } } },
    async (request) => organizerView(await renameOrganizerAs(ctx.db, request.params.id, request.body.name.trim(), actorOf(request))),
  );

  app.get('/organizers/:id/members', { onRequest: access.organizerGuard('list_members'), config: { organizerAction: 'list_members' }, schema: { tags, params: OrganizerParams, response: { 200: Type.Array(MemberSchema), 403: ErrorBody } } }, async (request) =>
    listOrganizerMembers(ctx.db, request.params.id),
  );

  app.post(
    '/organizers/:id/members',
    { onRequest: access.organizerGuard('add_member'), config: { organizerAction: 'add_member' }, schema: { tags, params: OrganizerParams, body: NewMemberBody, response: { 201: MemberSchema, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (request, reply) => {
      const { email, user_uuid: userUuid, role } = request.body;
      if ((email === undefined) === (userUuid === undefined)) throw validationError(['body'], 'give exactly one of email or user_uuid');
      const { standing } = organizerOf(request);
      const member = await addOrganizerMember(ctx.db, request.params.id, { email, user_uuid: userUuid }, role, standing ?? 'member', actorOf(request));
      return reply.code(201).send(member);
    },
  );

  app.patch(
    '/organizers/:id/members/:user_uuid',
    { onRequest: access.organizerGuard('change_member_role'), config: { organizerAction: 'change_member_role' }, schema: { tags, params: MemberParams, body: Type.Object({ role: OrganizerRoleSchema }), response: { 200: MemberSchema, 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (request) => {
      const { standing } = organizerOf(request);
      await changeOrganizerMemberRole(ctx.db, request.params.id, request.params.user_uuid, request.body.role, standing ?? 'member', actorOf(request));
      const members = await listOrganizerMembers(ctx.db, request.params.id);
      const member = members.find((m) => m.user_uuid === request.params.user_uuid);
      if (member === undefined) throw new AppError('member_not_found');
      return member;
    },
  );

  app.delete(
    '/organizers/:id/members/:user_uuid',
    { onRequest: access.organizerGuard('remove_member', { selfParam: 'user_uuid' }), config: { organizerAction: 'remove_member' }, schema: { tags, params: MemberParams, response: { 204: Type.Null(), 403: ErrorBody, 404: ErrorBody, 409: ErrorBody } } },
    async (request, reply) => {
      const { standing } = organizerOf(request);
      const actor = actorOf(request);
      await removeOrganizerMember(ctx.db, request.params.id, request.params.user_uuid, standing, actor.actor === request.params.user_uuid, actor);
      return reply.code(204).send(null);
    },
  );
};
