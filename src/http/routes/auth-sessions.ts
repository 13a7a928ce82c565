/** The signed-in user: /me, logout, refresh, and their own sessions. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { userPublicView } from '../../services/user-view.ts';
import { clearSessionCookies } from '../credentials.ts';
import { installAccess } from '../route-access.ts';
import { startSession, tokenBody, type HttpContext } from '../context.ts';
import { currentUser } from '../guards.ts';
import { OwnSessionSchema, TokenResponseSchema, UserPublicViewSchema, UuidParam } from '../schemas.ts';

const tags = ['auth'];

export const sessionRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'public');
  /** The session of the access credential, or else of the refresh cookie (an expired access token). */
  async function endSession(request: FastifyRequest): Promise<{ sessionId: string; userUuid: string; stytchSessionToken: string | null } | null> {
    const principal = await ctx.guards.principalOf(request);
    if (principal !== null)
      return { sessionId: principal.session_id, userUuid: principal.uuid, stytchSessionToken: await ctx.sessions.revoke(principal.session_id) };
    const refresh = request.cookies[ctx.cookies.refresh];
    return refresh === undefined || refresh === '' ? null : ctx.sessions.revokeByRefreshToken(refresh);
  }

  app.get(
    '/me',
    {
      config: { access: 'user' },
      schema: { tags, operationId: 'getMe', summary: 'The signed-in user with their memberships', response: { 200: UserPublicViewSchema } },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return userPublicView(currentUser(request));
    },
  );

  app.post(
    '/logout',
    {
      // A logout carries no body: a few bytes are room enough. A caller with no credential at
      // all is refused before anything is read (the 'session' guard).
      bodyLimit: 1024,
      config: { access: 'session' },
      schema: { tags, operationId: 'logout', summary: 'Revoke this session and clear the cookies', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      // Every answer clears the cookies (with the attributes they were set with), so no client
      // keeps a dead session's cookies in its jar, whatever else happens here.
      clearSessionCookies(reply, ctx.cookies);
      const ended = await endSession(request);
      if (ended === null) throw new AppError('not_authenticated', { headers: { 'www-authenticate': 'Bearer' } });
      const stytch = ctx.stytch;
      if (ended.stytchSessionToken !== null && stytch !== null)
        ctx.background('revoke Stytch session', () => stytch.revokeSession(ended.stytchSessionToken ?? ''));
      ctx.securityEvent('logout', { user_id: ended.userUuid, session_id: ended.sessionId });
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/refresh',
    {
      bodyLimit: 16 * 1024,
      // Cookie clients send no body at all; validate that as an empty object.
      preValidation: async (request) => {
        request.body ??= {};
      },
      config: { access: 'refresh', bodyOptional: true },
      schema: {
        tags,
        operationId: 'refresh',
        summary: 'Exchange the refresh token (refresh cookie, or the body for bearer clients) for a new pair; the old one is spent',
        body: Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 512 })) }),
        response: { 200: TokenResponseSchema },
      },
    },
    async (request, reply) => {
      const presented = request.body.refresh_token ?? request.cookies[ctx.cookies.refresh];
      if (presented === undefined || presented === '') throw new AppError('invalid_token');
      const tokens = await ctx.sessions.refresh(presented);
      startSession(ctx, reply, tokens);
      return tokenBody(ctx, tokens);
    },
  );

  app.get(
    '/sessions',
    {
      config: { access: 'user' },
      schema: { tags, operationId: 'listMySessions', summary: 'The caller’s live sessions', response: { 200: Type.Array(OwnSessionSchema) } },
    },
    async (request) => {
      const user = currentUser(request);
      return (await ctx.directory.ownSessions.list(user.uuid)).map((session) => ({ ...session, current: session.id === user.session_id }));
    },
  );

  app.delete(
    '/sessions/:id',
    {
      config: { access: 'user', errors: ['not_found'] },
      schema: {
        tags,
        operationId: 'revokeMySession',
        summary: 'Revoke one of the caller’s sessions',
        params: Type.Object({ id: UuidParam }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      await ctx.directory.ownSessions.revoke(user.uuid, request.params.id);
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/sessions',
    {
      config: { access: 'user' },
      schema: { tags, operationId: 'revokeMyOtherSessions', summary: 'Revoke every session of the caller but this one', response: { 204: Type.Null() } },
    },
    async (request, reply) => {
      const user = currentUser(request);
      await ctx.sessions.revokeAllForUser(user.uuid, 'logout_everywhere', user.session_id);
      return reply.code(204).send(null);
    },
  );
};
