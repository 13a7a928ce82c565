/**
 * The invitation link's two public routes: a preview that never consumes it, and the acceptance
 * that does, once (services/invitation-links.ts).
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { clientInfo, enforceLimit, startSession, tokenBody, type HttpContext } from '../context.ts';
import { installAccess } from '../route-access.ts';
import { PasswordField, TokenResponseSchema } from '../schemas.ts';
import { OrganizerRoleField } from './invitations.ts';

const tags = ['invitations'];

const Preview = Type.Object({
  email: Type.String(),
  kind: Type.Union([Type.Literal('club'), Type.Literal('organizer')]),
  organizer_name: Type.Union([Type.String(), Type.Null()]),
  role_names: Type.Array(Type.String()),
  role: Type.Union([OrganizerRoleField, Type.Null()]),
  invited_by_name: Type.Union([Type.String(), Type.Null()]),
  expires_at: Type.String({ format: 'date-time' }),
});

export const publicInvitationRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'public');

  app.get(
    '/invitations/:token',
    {
      config: { errors: ['not_found', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'previewInvitation',
        summary: 'What an invitation link offers (never uses it up); 404 for any link that does not work',
        params: Type.Object({ token: Type.String({ minLength: 1, maxLength: 200 }) }),
        response: { 200: Preview },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'authenticate', request, null);
      reply.header('cache-control', 'no-store');
      return ctx.invitations.preview(request.params.token);
    },
  );

  app.post(
    '/invitations/accept',
    {
      config: { access: 'optional', credentials: 'body', errors: ['invalid_invitation', 'user_inactive', 'forbidden', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'acceptInvitation',
        summary: 'Accept an invitation: creates or signs in its user and grants what it says; a session like /authenticate',
        body: Type.Object({
          token: Type.String({ minLength: 1, maxLength: 200 }),
          password: Type.Optional(PasswordField),
          name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])),
        }),
        response: { 200: TokenResponseSchema },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'authenticate', request, null);
      const signedIn = await ctx.guards.principalOf(request);
      const { userUuid } = await ctx.invitations.accept(request.body, signedIn?.email ?? null, { ip: request.ip, requestId: request.id });
      const tokens = await ctx.sessions.create(userUuid, clientInfo(request));
      startSession(ctx, reply, tokens);
      ctx.securityEvent('invitation_accepted', { user_id: userUuid });
      return tokenBody(ctx, tokens);
    },
  );
};
