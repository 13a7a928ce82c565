/** /admin/users…: users, their sessions and their roles (seed-compatible messages). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { adminListUsers, type AdminUserRow } from '../../queries/admin.ts';
import { listLiveSessions } from '../../queries/sessions.ts';
import {
  adminCreateUser,
  adminDeleteUser,
  adminRevokeUserSessions,
  adminSetMembershipFlags,
  adminSetRoles,
  adminUpdateUser,
  requireUser,
} from '../../services/admin-users.ts';
import { grantRole, revokeRole } from '../../services/memberships.ts';
import { userPublicView } from '../../services/user-view.ts';
import { actorOf, createAccess } from '../access.ts';
import { AdminUserSchema, Cursor, Limit, MessageSchema, Paginated, RoleNameParam } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import { EmailField, ErrorBody, PasswordField, SessionSchema, SystemMembershipSchema, UuidParam } from '../schemas.ts';

const tags = ['admin: users'];
const UserParams = Type.Object({ user_id: UuidParam });
const UserRoleParams = Type.Object({ user_id: UuidParam, role_name: RoleNameParam });

export type AdminUserView = Static<typeof AdminUserSchema>;

export function adminUserView(user: AdminUserRow): AdminUserView {
  return { ...userPublicView(user), is_active: user.is_active, is_email_verified: user.is_email_verified, created_at: user.created_at.toISOString() };
}

export const adminUserRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  app.addHook('onRequest', createAccess(ctx).requireAdmin);

  app.get(
    '/admin/users',
    { schema: { tags, querystring: Type.Object({ email: Type.Optional(Type.String({ maxLength: 320 })), role: Type.Optional(Type.String({ maxLength: 63 })), limit: Limit, cursor: Type.Optional(Cursor) }), response: { 200: Paginated(AdminUserSchema) } } },
    async (request) => {
      const { email, role, limit, cursor } = request.query;
      const after = decodeCursor(cursor, ['text']);
      const rows = await adminListUsers(ctx.db, { email, role, limit: limit + 1, ...(after?.[0] !== undefined ? { afterEmail: after[0] } : {}) });
      const result = page(rows, limit, (row) => [row.email]);
      return { items: result.items.map(adminUserView), next_cursor: result.next_cursor };
    },
  );

  app.get('/admin/users/:user_id', { schema: { tags, params: UserParams, response: { 200: AdminUserSchema, 404: ErrorBody } } }, async (request) =>
    adminUserView(await requireUser(ctx.db, request.params.user_id)),
  );

  app.post(
    '/admin/users',
    {
      schema: {
        tags,
        body: Type.Object({ email: EmailField, name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])), password: Type.Optional(PasswordField), role_names: Type.Optional(Type.Array(RoleNameParam, { maxItems: 100 })) }),
        response: { 201: AdminUserSchema, 409: ErrorBody, 422: ErrorBody },
      },
    },
    async (request, reply) => {
      const { email, name, password, role_names: roleNames } = request.body;
      const user = await adminCreateUser(ctx.db, { email, name, password, roleNames }, actorOf(request));
      return reply.code(201).send(adminUserView(user));
    },
  );

  app.patch(
    '/admin/users/:user_id',
    { schema: { tags, params: UserParams, body: Type.Object({ name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])), is_active: Type.Optional(Type.Boolean()) }), response: { 200: AdminUserSchema, 404: ErrorBody, 409: ErrorBody } } },
    async (request) => adminUserView(await adminUpdateUser(ctx.db, request.params.user_id, request.body, actorOf(request))),
  );

  app.delete('/admin/users/:user_id', { schema: { tags, params: UserParams, response: { 204: Type.Null(), 404: ErrorBody, 409: ErrorBody } } }, async (request, reply) => {
    await adminDeleteUser(ctx.db, request.params.user_id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.get('/admin/users/:user_id/sessions', { schema: { tags, params: UserParams, response: { 200: Type.Array(SessionSchema), 404: ErrorBody } } }, async (request) => {
    const user = await requireUser(ctx.db, request.params.user_id);
    const rows = await listLiveSessions(ctx.db, user.uuid);
    return rows.map((row) => ({ id: row.id, created_at: row.created_at.toISOString(), last_seen_at: row.last_seen_at.toISOString(), user_agent: row.user_agent, ip: row.ip }));
  });

  app.delete('/admin/users/:user_id/sessions', { schema: { tags, params: UserParams, response: { 204: Type.Null(), 404: ErrorBody } } }, async (request, reply) => {
    await adminRevokeUserSessions(ctx.db, request.params.user_id, actorOf(request));
    return reply.code(204).send(null);
  });

  app.post(
    '/admin/users/:user_id/roles',
    { schema: { tags, params: UserParams, body: Type.Object({ role_name: RoleNameParam }), response: { 200: MessageSchema, 404: ErrorBody } } },
    async (request) => {
      await grantRole(ctx.db, request.params.user_id, request.body.role_name, actorOf(request));
      return { message: `Role ${request.body.role_name} assigned to user successfully` };
    },
  );

  app.delete('/admin/users/:user_id/roles/:role_name', { schema: { tags, params: UserRoleParams, response: { 200: MessageSchema, 404: ErrorBody, 409: ErrorBody } } }, async (request) => {
    await revokeRole(ctx.db, request.params.user_id, request.params.role_name, actorOf(request));
    return { message: `Role ${request.params.role_name} removed from user successfully` };
  });

  app.put(
    '/admin/users/:user_id/roles',
    { schema: { tags, params: UserParams, body: Type.Object({ role_names: Type.Array(RoleNameParam, { maxItems: 100 }) }), response: { 200: Type.Object({ message: Type.String(), roles: Type.Array(Type.String()) }), 404: ErrorBody, 409: ErrorBody, 422: ErrorBody } } },
    async (request) => {
      const roles = await adminSetRoles(ctx.db, request.params.user_id, request.body.role_names, actorOf(request));
      return { message: 'User roles updated successfully', roles };
    },
  );

  app.patch(
    '/admin/users/:user_id/roles/:role_name',
    { schema: { tags, params: UserRoleParams, body: Type.Object({ is_active: Type.Optional(Type.Boolean()), is_suspended: Type.Optional(Type.Boolean()) }), response: { 200: SystemMembershipSchema, 404: ErrorBody, 409: ErrorBody } } },
    async (request) => adminSetMembershipFlags(ctx.db, request.params.user_id, request.params.role_name, request.body, actorOf(request)),
  );
};
