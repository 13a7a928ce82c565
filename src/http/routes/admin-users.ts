/** /admin/users…: users, their sessions and their roles (seed-compatible messages). */
import { Type, type Static } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type AdminUserRow } from '../../services/admin-users.ts';
import { userPublicView } from '../../services/user-view.ts';
import { actorOf } from '../access.ts';
import { installAccess } from '../route-access.ts';
import { AdminUserSchema, Cursor, Limit, MessageSchema, Paginated, RoleNameParam } from '../admin-schemas.ts';
import type { HttpContext } from '../context.ts';
import { decodeCursor, page } from '../pagination.ts';
import { EmailField, PasswordField, SessionSchema, SystemMembershipSchema, UuidParam } from '../schemas.ts';

const tags = ['admin: users'];
const UserParams = Type.Object({ user_id: UuidParam });
const UserRoleParams = Type.Object({ user_id: UuidParam, role_name: RoleNameParam });

export type AdminUserView = Static<typeof AdminUserSchema>;

export function adminUserView(user: AdminUserRow): AdminUserView {
  return { ...userPublicView(user), is_active: user.is_active, is_email_verified: user.is_email_verified, created_at: user.created_at.toISOString() };
}

/** A membership's expiry: an ISO date-time, or null for never. */
const ExpiresAt = Type.Union([Type.String({ format: 'date-time' }), Type.Null()], {
  description: 'When the membership stops counting (ISO 8601); null: never',
});

export const adminUserRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'admin');

  app.get(
    '/admin/users',
    {
      schema: {
        tags,
        operationId: 'listUsers',
        summary: 'List users (by email substring or role), by email',
        querystring: Type.Object({
          email: Type.Optional(Type.String({ maxLength: 320 })),
          role: Type.Optional(Type.String({ maxLength: 63 })),
          expiring_before: Type.Optional(
            Type.String({ format: 'date-time', description: 'Users with a membership (of `role`, when given) expiring before this instant' }),
          ),
          limit: Limit,
          cursor: Type.Optional(Cursor),
        }),
        response: { 200: Paginated(AdminUserSchema) },
      },
    },
    async (request) => {
      const { email, role, limit, cursor, expiring_before: expiringBefore } = request.query;
      const after = decodeCursor(cursor, ['text']);
      const rows = await ctx.directory.users.find({
        email,
        role,
        limit: limit + 1,
        ...(expiringBefore === undefined ? {} : { expiringBefore: new Date(expiringBefore) }),
        ...(after?.[0] !== undefined ? { afterEmail: after[0] } : {}),
      });
      const result = page(rows, limit, (row) => [row.email]);
      return { items: result.items.map(adminUserView), next_cursor: result.next_cursor };
    },
  );

  app.get(
    '/admin/users/:user_id',
    {
      config: { errors: ['user_not_found'] },
      schema: { tags, operationId: 'getUser', summary: 'One user with their memberships', params: UserParams, response: { 200: AdminUserSchema } },
    },
    async (request) => adminUserView(await ctx.directory.users.get(request.params.user_id)),
  );

  app.post(
    '/admin/users',
    {
      config: { errors: ['email_taken'] },
      schema: {
        tags,
        operationId: 'createUser',
        summary: 'Create a user (optionally with a password and roles); verified, not mailed',
        body: Type.Object({
          email: EmailField,
          name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
          password: Type.Optional(PasswordField),
          role_names: Type.Optional(Type.Array(RoleNameParam, { maxItems: 100 })),
        }),
        response: { 201: AdminUserSchema },
      },
    },
    async (request, reply) => {
      const { email, name, password, role_names: roleNames } = request.body;
      const user = await ctx.directory.users.create({ email, name, password, roleNames }, actorOf(request));
      return reply.code(201).send(adminUserView(user));
    },
  );

  app.patch(
    '/admin/users/:user_id',
    {
      config: { errors: ['user_not_found', 'last_admin', 'last_owner'] },
      schema: {
        tags,
        operationId: 'updateUser',
        summary: 'Rename, deactivate or reactivate a user (deactivating revokes their sessions)',
        params: UserParams,
        body: Type.Object({ name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])), is_active: Type.Optional(Type.Boolean()) }),
        response: { 200: AdminUserSchema },
      },
    },
    async (request) => adminUserView(await ctx.directory.users.update(request.params.user_id, request.body, actorOf(request))),
  );

  app.delete(
    '/admin/users/:user_id',
    {
      config: { errors: ['user_not_found', 'last_admin', 'last_owner'] },
      schema: {
        tags,
        operationId: 'deleteUser',
        summary: 'Delete a user (soft): sessions revoked, email freed',
        params: UserParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await ctx.directory.users.remove(request.params.user_id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.get(
    '/admin/users/:user_id/sessions',
    {
      config: { errors: ['user_not_found'] },
      schema: { tags, operationId: 'listUserSessions', summary: 'A user’s live sessions', params: UserParams, response: { 200: Type.Array(SessionSchema) } },
    },
    async (request) => {
      return ctx.directory.users.sessions(request.params.user_id);
    },
  );

  app.delete(
    '/admin/users/:user_id/sessions',
    {
      config: { errors: ['user_not_found'] },
      schema: { tags, operationId: 'revokeUserSessions', summary: 'Revoke every session of a user', params: UserParams, response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      await ctx.directory.users.revokeSessions(request.params.user_id, actorOf(request));
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/admin/users/:user_id/roles',
    {
      config: { errors: ['user_or_role_not_found'] },
      schema: {
        tags,
        operationId: 'grantUserRole',
        summary: 'Grant a system role',
        params: UserParams,
        body: Type.Object({ role_name: RoleNameParam, expires_at: Type.Optional(ExpiresAt) }),
        response: { 200: MessageSchema },
      },
    },
    async (request) => {
      const expiresAt = request.body.expires_at === undefined || request.body.expires_at === null ? null : new Date(request.body.expires_at);
      await ctx.directory.users.grantRole(request.params.user_id, request.body.role_name, actorOf(request), expiresAt);
      return { message: `Role ${request.body.role_name} assigned to user successfully` };
    },
  );

  app.delete(
    '/admin/users/:user_id/roles/:role_name',
    {
      config: { errors: ['user_or_role_not_found', 'last_admin'] },
      schema: { tags, operationId: 'revokeUserRole', summary: 'Revoke a system role', params: UserRoleParams, response: { 200: MessageSchema } },
    },
    async (request) => {
      await ctx.directory.users.revokeRole(request.params.user_id, request.params.role_name, actorOf(request));
      return { message: `Role ${request.params.role_name} removed from user successfully` };
    },
  );

  app.put(
    '/admin/users/:user_id/roles',
    {
      config: { errors: ['user_not_found', 'last_admin'] },
      schema: {
        tags,
        operationId: 'setUserRoles',
        summary: 'Replace a user’s system roles with exactly these',
        params: UserParams,
        body: Type.Object({ role_names: Type.Array(RoleNameParam, { maxItems: 100 }) }),
        response: { 200: Type.Object({ message: Type.String(), roles: Type.Array(Type.String()) }) },
      },
    },
    async (request) => {
      const roles = await ctx.directory.users.setRoles(request.params.user_id, request.body.role_names, actorOf(request));
      return { message: 'User roles updated successfully', roles };
    },
  );

  app.patch(
    '/admin/users/:user_id/roles/:role_name',
    {
      config: { errors: ['user_or_role_not_found', 'last_admin'] },
      schema: {
        tags,
        operationId: 'setMembershipStatus',
        summary: 'Activate, deactivate, suspend or reinstate one system membership, or change when it expires',
        params: UserRoleParams,
        body: Type.Object({ is_active: Type.Optional(Type.Boolean()), is_suspended: Type.Optional(Type.Boolean()), expires_at: Type.Optional(ExpiresAt) }),
        response: { 200: SystemMembershipSchema },
      },
    },
    async (request) => {
      const { expires_at: expiresAt, ...flags } = request.body;
      const terms = expiresAt === undefined ? flags : { ...flags, expires_at: expiresAt === null ? null : new Date(expiresAt) };
      return ctx.directory.users.setMembershipFlags(request.params.user_id, request.params.role_name, terms, actorOf(request));
    },
  );
};
