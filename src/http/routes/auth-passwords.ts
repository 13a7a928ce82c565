/** Password accounts: register, login, verify-email, forgot/reset/change password. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { normalizeEmail } from '../../services/email-address.ts';
import { clientInfo, enforceLimit, startSession, type HttpContext } from '../context.ts';
import { currentUser } from '../guards.ts';
import { apiLocale } from '../locale.ts';
import { installAccess } from '../route-access.ts';
import { EmailField, LoginResponseSchema, PasswordField, TokenField, UserPublicViewSchema } from '../schemas.ts';

/** Small bodies only: an oversized one is refused (413) before any password hashing. */
const AUTH_BODY_LIMIT = 16 * 1024;
const tags = ['auth'];

export const passwordRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'public');
  app.post(
    '/register',
    {
      bodyLimit: AUTH_BODY_LIMIT,
      config: { credentials: 'body', errors: ['signup_closed', 'email_not_eligible', 'email_taken', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'register',
        summary: 'Create a password account (per SIGNUP_MODE); sends a verification mail',
        body: Type.Object({ email: EmailField, password: PasswordField, name: Type.Optional(Type.Union([Type.String({ maxLength: 200 }), Type.Null()])) }),
        response: { 201: UserPublicViewSchema },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'register', request, normalizeEmail(request.body.email));
      const user = await ctx.accounts.register({ ...request.body, locale: apiLocale(request, ctx.config.brand.defaultLocale) });
      startSession(ctx, reply, await ctx.sessions.create(user.uuid, clientInfo(request)));
      return reply.code(201).send(await ctx.directory.users.publicView(user.uuid));
    },
  );

  app.post(
    '/login',
    {
      bodyLimit: AUTH_BODY_LIMIT,
      config: { signIn: 'password', credentials: 'body', errors: ['invalid_credentials', 'user_inactive', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'login',
        summary: 'Sign in with email and password; sets the session cookies',
        body: Type.Object({ email: EmailField, password: PasswordField }),
        response: { 200: LoginResponseSchema },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'login', request, normalizeEmail(request.body.email));
      const user = await ctx.accounts.login(request.body);
      startSession(ctx, reply, await ctx.sessions.create(user.uuid, clientInfo(request)));
      return { uuid: user.uuid, email: user.email, name: user.name, role: 'user' as const };
    },
  );

  app.post(
    '/verify-email',
    {
      bodyLimit: AUTH_BODY_LIMIT,
      // Reads the session (optional): an unproven account is confirmed only by its signed-in owner.
      config: { access: 'optional', errors: ['invalid_token', 'sign_in_required', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'verifyEmail',
        summary: 'Confirm an email address with the mailed token',
        body: Type.Object({ token: TokenField }),
        response: { 200: UserPublicViewSchema },
      },
    },
    async (request) => {
      await enforceLimit(ctx, 'authenticate', request, null);
      const caller = await ctx.guards.principalOf(request);
      return ctx.directory.users.publicView((await ctx.accounts.verifyEmail(request.body.token, caller?.uuid ?? null)).uuid);
    },
  );

  app.post(
    '/password/forgot',
    {
      bodyLimit: AUTH_BODY_LIMIT,
      config: { credentials: 'body', errors: ['rate_limited'] },
      schema: {
        tags,
        operationId: 'forgotPassword',
        summary: 'Mail a reset link (202 whether or not the account exists)',
        body: Type.Object({ email: EmailField }),
        response: { 202: Type.Object({ sent: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'forgot', request, normalizeEmail(request.body.email));
      ctx.accounts.forgotPassword(request.body.email, apiLocale(request, ctx.config.brand.defaultLocale));
      return reply.code(202).send({ sent: true });
    },
  );

  app.post(
    '/password/reset',
    {
      bodyLimit: AUTH_BODY_LIMIT,
      config: { credentials: 'body', errors: ['invalid_token', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'resetPassword',
        summary: 'Set a new password with the mailed token; revokes every session',
        body: Type.Object({ token: TokenField, password: PasswordField }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'authenticate', request, null);
      await ctx.accounts.resetPassword(request.body.token, request.body.password);
      return reply.code(204).send(null);
    },
  );

  app.post(
    '/password/change',
    {
      bodyLimit: AUTH_BODY_LIMIT,
      config: { access: 'user', errors: ['invalid_credentials', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'changePassword',
        summary: 'Change the password; revokes the other sessions',
        body: Type.Object({ current_password: PasswordField, new_password: PasswordField }),
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const user = currentUser(request);
      await enforceLimit(ctx, 'password_change', request, user.uuid);
      await ctx.accounts.changePassword(user.uuid, user.session_id, request.body.current_password, request.body.new_password);
      return reply.code(204).send(null);
    },
  );
};
