/** The signed-in user: /me, logout, refresh, and their own sessions. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../errors.ts';
import { listLiveSessions, revokeOwnSession } from '../../queries/sessions.ts';
import { userPublicView } from '../../services/user-view.ts';
import { bearerToken, clearSessionCookies, hasAuthCookie } from '../credentials.ts';
import { startSession, tokenBody, type HttpContext } from '../context.ts';
import { currentUser } from '../guards.ts';
import { ErrorBody, OwnSessionSchema, TokenResponseSchema, UserPublicViewSchema, UuidParam } from '../schemas.ts';

const tags = ['auth'];

export const sessionRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  /** The session of the access credential, or else of the refresh cookie (an expired access token). */
  async function endSession(request: FastifyRequest): Promise<{ sessionId: string; userUuid: string; stytchSessionToken: string | null } | null> {
    const principal = await ctx.guards.principalOf(request);
    if (principal !== null) return { sessionId: principal.session_id, userUuid: principal.uuid, stytchSessionToken: await ctx.sessions.revoke(principal.session_id) };
    const refresh = request.cookies[ctx.cookies.refresh];
    return refresh === undefined || refresh === '' ? null : ctx.sessions.revokeByRefreshToken(refresh);
  }

  app.get(
    '/me',
    { onRequest: ctx.guards.requireUser, schema: { tags, summary: 'The user public view with memberships', response: { 200: UserPublicViewSchema, 401: ErrorBody } } },
    async (request, reply) => {
      reply.header('cache-control', 'no-store');
      return userPublicView(currentUser(request));
    },
  );

  app.post(
    '/logout',
    {
      // A logout carries no body: a few bytes are room enough. A caller with no credential at
      // all is refused before anything is read.
      bodyLimit: 1024,
      onRequest: async (request) => {
        if (bearerToken(request) === null && !hasAuthCookie(request, ctx.cookies)) throw new AppError('not_authenticated', { headers: { 'www-authenticate': 'Bearer' } });
      },
      schema: { tags, summary: 'Revoke this session and clear the cookies', response: { 204: Type.Null(), 401: ErrorBody } },
    },
    async (request, reply) => {
      // Every answer clears the cookies (with the attributes they were set with), so no client
      // keeps a dead session's cookies in its jar, whatever else happens here.
      clearSessionCookies(reply, ctx.cookies);
      const ended = await endSession(request);
      if (ended === null) throw new AppError('not_authenticated', { headers: { 'www-authenticate': 'Bearer' } });
      const stytch = ctx.stytch;
      if (ended.stytchSessionToken !== null && stytch !== null) ctx.background('revoke Stytch session', () => stytch.revokeSession(ended.stytchSessionToken ?? ''));
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
      schema: {
        tags,
        summary: 'Exchange the refresh token (cookie or body) for a new pair',
        body: Type.Object({ refresh_token: Type.Optional(Type.String({ maxLength: 512 })) }),
        response: { 200: TokenResponseSchema, 401: ErrorBody },
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
    { onRequest: ctx.guards.requireUser, schema: { tags, summary: 'The caller’s live sessions', response: { 200: Type.Array(OwnSessionSchema), 401: ErrorBody } } },
    async (request) => {
      const user = currentUser(request);
      const rows = await listLiveSessions(ctx.db, user.uuid);
      return rows.map((row) => ({
        id: row.id,
        created_at: row.created_at.toISOString(),
        last_seen_at: row.last_seen_at.toISOString(),
        user_agent: row.user_agent,
        ip: row.ip,
        current: row.id === user.session_id,
      }));
    },
  );

  app.delete(
    '/sessions/:id',
    { onRequest: ctx.guards.requireUser, schema: { tags, summary: 'Revoke one of the caller’s sessions', params: Type.Object({ id: UuidParam }), response: { 204: Type.Null(), 401: ErrorBody, 404: ErrorBody } } },
    async (request, reply) => {
      const user = currentUser(request);
      const revoked = await revokeOwnSession(ctx.db, user.uuid, request.params.id);
      if (revoked === null) throw new AppError('not_found', { detail: 'Session not found' });
      return reply.code(204).send(null);
    },
  );

  app.delete(
    '/sessions',
    { onRequest: ctx.guards.requireUser, schema: { tags, summary: 'Revoke every session of the caller but this one', response: { 204: Type.Null(), 401: ErrorBody } } },
    async (request, reply) => {
      const user = currentUser(request);
      await ctx.sessions.revokeAllForUser(user.uuid, user.session_id);
      return reply.code(204).send(null);
    },
  );
};
