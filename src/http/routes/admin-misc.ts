/** /admin/roles, /admin/organizers and /admin/audit-log. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { actorOf } from '../access.ts';
import { installAccess } from '../route-access.ts';
import { AuditSchema, Cursor, Limit, OrganizerName, OrganizerSchema, Paginated, RoleNameParam, RoleSchema } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import { EmailField, UuidParam } from '../schemas.ts';
import { validationError } from '../../errors.ts';

function roleView(role: { id: string; name: string; description: string | null; created_at: Date }): {
  id: string;
  name: string;
  description: string | null;
  created_at: string;
} {
  return { id: role.id, name: role.name, description: role.description, created_at: role.created_at.toISOString() };
}

export const adminMiscRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'admin');

  app.post(
    '/admin/roles',
    {
      config: { errors: ['role_exists'] },
      schema: {
        tags: ['admin: roles'],
        operationId: 'createRole',
        summary: 'Create a system role',
        body: Type.Object({ name: Type.String({ maxLength: 100 }), description: Type.Optional(Type.Union([Type.String({ maxLength: 500 }), Type.Null()])) }),
        response: { 201: RoleSchema },
      },
    },
    async (request, reply) =>
      reply.code(201).send(roleView(await ctx.directory.roles.create(request.body.name, request.body.description ?? null, actorOf(request)))),
  );

  app.post(
    '/admin/memberships/renew',
    {
      config: { errors: ['role_not_found'] },
      schema: {
        tags: ['admin: roles'],
        operationId: 'renewMemberships',
        summary: 'Renew a system role until a date for these users (granting it where missing); all or nothing',
        body: Type.Object({
          role_name: Type.String({ maxLength: 100 }),
          expires_at: Type.String({ format: 'date-time' }),
          user_ids: Type.Optional(Type.Array(Type.String({ format: 'uuid' }), { maxItems: 10_000 })),
          emails: Type.Optional(Type.Array(EmailField, { maxItems: 10_000 })),
        }),
        response: { 200: Type.Object({ renewed: Type.Integer(), granted: Type.Integer() }) },
      },
    },
    async (request) => {
      const { role_name: roleName, expires_at: expiresAt, user_ids: userIds, emails } = request.body;
      return ctx.directory.memberships.renew({ roleName, expiresAt: new Date(expiresAt), userIds: userIds ?? [], emails: emails ?? [] }, actorOf(request));
    },
  );

  app.get(
    '/admin/roles',
    { schema: { tags: ['admin: roles'], operationId: 'listRoles', summary: 'Every system role', response: { 200: Type.Array(RoleSchema) } } },
    async () => (await ctx.directory.roles.all()).map(roleView),
  );

  app.delete(
    '/admin/roles/:name',
    {
      config: { errors: ['role_not_found', 'builtin_role'] },
      schema: {
        tags: ['admin: roles'],
        operationId: 'deleteRole',
        summary: 'Delete a role that is not built in (its memberships go with it)',
        params: Type.Object({ name: RoleNameParam }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.directory.roles.remove(request.params.name, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/admin/organizers',
    {
      config: { errors: ['user_not_found'] },
      schema: {
        tags: ['admin: organizers'],
        operationId: 'createOrganizer',
        summary: 'Create an organizer, optionally with its first owner (by user id or email)',
        body: Type.Object({
          name: OrganizerName,
          owner_user_id: Type.Optional(Type.Union([UuidParam, Type.Null()])),
          owner_email: Type.Optional(Type.Union([EmailField, Type.Null()])),
        }),
        response: { 201: OrganizerSchema },
      },
    },
    async (request, reply) => {
      const { name, owner_user_id: ownerId, owner_email: ownerEmail } = request.body;
      if (ownerId != null && ownerEmail != null) throw validationError(['body', 'owner_email'], 'give owner_user_id or owner_email, not both');
      const owner = ownerId != null ? { user_uuid: ownerId } : ownerEmail != null ? { email: ownerEmail } : null;
      const organizer = await ctx.directory.organizers.create(name.trim(), owner, actorOf(request));
      return reply.code(201).send({ uuid: organizer.uuid, name: organizer.name, created_at: organizer.created_at.toISOString() });
    },
  );

  app.get(
    '/admin/organizers',
    {
      schema: {
        tags: ['admin: organizers'],
        operationId: 'listOrganizers',
        summary: 'Every organizer, oldest first',
        querystring: Type.Object({ limit: Limit, cursor: Type.Optional(Cursor) }),
        response: { 200: Paginated(OrganizerSchema) },
      },
    },
    async (request) => {
      const after = decodeCursor(request.query.cursor, ['timestamp', 'uuid']);
      const rows = await ctx.directory.organizers.page({
        limit: request.query.limit + 1,
        ...(after ? { after: { createdAt: after[0] ?? '', uuid: after[1] ?? '' } } : {}),
      });
      const result = page(rows, request.query.limit, (row) => [row.cursor_at, row.uuid]);
      return { items: result.items.map((o) => ({ uuid: o.uuid, name: o.name, created_at: o.created_at.toISOString() })), next_cursor: result.next_cursor };
    },
  );

  app.get(
    '/admin/audit-log',
    {
      schema: {
        tags: ['admin: audit'],
        operationId: 'listAuditLog',
        summary: 'The audit log, newest first (filter by actor, target, action)',
        querystring: Type.Object({
          actor: Type.Optional(Type.String({ maxLength: 320, description: 'A user by email or uuid, api_key or system' })),
          target: Type.Optional(Type.String({ maxLength: 500 })),
          action: Type.Optional(Type.String({ maxLength: 100 })),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Paginated(AuditSchema) },
      },
    },
    async (request) => {
      const { actor, target, action, limit, cursor } = request.query;
      const before = decodeCursor(cursor, ['timestamp', 'uuid']);
      const rows = await ctx.directory.audit.entries({
        actor,
        target,
        action,
        limit: limit + 1,
        ...(before ? { before: { createdAt: before[0] ?? '', id: before[1] ?? '' } } : {}),
      });
      const result = page(rows, limit, (row) => [row.cursor_at, row.id]);
      return {
        items: result.items.map(({ cursor_at: _cursorAt, ...row }) => ({ ...row, created_at: row.created_at.toISOString() })),
        next_cursor: result.next_cursor,
      };
    },
  );
};
