/** Tagline's routes: eligibility check, magic-link send, and /authenticate. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { normalizeEmail } from '../../services/email-address.ts';
import { requireValidEmail } from '../../services/accounts.ts';
import { clientInfo, enforceLimit, startSession, tokenBody, type HttpContext } from '../context.ts';
import { apiLocale } from '../locale.ts';
import { installAccess } from '../route-access.ts';
import { EmailField, TokenField, TokenResponseSchema } from '../schemas.ts';

const tags = ['magic links'];
const BODY_LIMIT = 16 * 1024;
/** S256 challenge: base64url of a SHA-256 digest. */
const CodeChallenge = Type.String({ pattern: '^[A-Za-z0-9_-]{43}$' });
/** RFC 7636 verifier: 43 to 128 unreserved characters. */
const CodeVerifier = Type.String({ pattern: '^[A-Za-z0-9._~-]{43,128}$' });

export const magicLinkRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'public');
  app.post(
    '/verify-email-eligibility',
    {
      bodyLimit: BODY_LIMIT,
      config: { credentials: 'body', errors: ['rate_limited'] },
      schema: {
        tags,
        operationId: 'checkEligibility',
        summary: 'Is this email eligible to sign up (the eligible list, or a domain rule)?',
        body: Type.Object({ email: EmailField }),
        response: { 200: Type.Object({ eligible: Type.Boolean() }) },
      },
    },
    async (request) => {
      const email = requireValidEmail(request.body.email);
      await enforceLimit(ctx, 'verify_eligibility', request, email);
      return { eligible: await ctx.directory.eligible.includes(email) };
    },
  );

  app.post(
    '/magic-links/send',
    {
      bodyLimit: BODY_LIMIT,
      config: { credentials: 'body', errors: ['bad_request', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'sendMagicLink',
        summary: 'Mail a sign-in link (202 whether or not a mail went out)',
        body: Type.Object({ email: EmailField, redirect_url: Type.Optional(Type.String({ maxLength: 2048 })), code_challenge: Type.Optional(CodeChallenge) }),
        response: { 202: Type.Object({ sent: Type.Boolean() }) },
      },
    },
    async (request, reply) => {
      const email = requireValidEmail(request.body.email);
      const redirectUrl = ctx.magicLinks.checkRedirect(request.body.redirect_url);
      await enforceLimit(ctx, 'magic_link_send', request, email);
      ctx.magicLinks.send({
        email,
        redirectUrl,
        codeChallenge: request.body.code_challenge ?? null,
        locale: apiLocale(request, ctx.config.brand.defaultLocale),
      });
      return reply.code(202).send({ sent: true });
    },
  );

  app.post(
    '/authenticate',
    {
      bodyLimit: BODY_LIMIT,
      config: { signIn: 'magic_link', credentials: 'body', errors: ['invalid_token', 'email_not_eligible', 'user_inactive', 'rate_limited'] },
      schema: {
        tags,
        operationId: 'authenticate',
        summary: 'Redeem a magic-link token (built-in or Stytch) for a session',
        body: Type.Object({ token: TokenField, code_verifier: Type.Optional(CodeVerifier) }),
        response: { 200: TokenResponseSchema },
      },
    },
    async (request, reply) => {
      await enforceLimit(ctx, 'authenticate', request, null);
      const signedIn = await ctx.magicLinks.authenticate({ token: request.body.token, codeVerifier: request.body.code_verifier ?? null });
      const tokens = await ctx.sessions.create(signedIn.user.uuid, clientInfo(request), { stytchSessionToken: signedIn.stytchSessionToken });
      startSession(ctx, reply, tokens);
      ctx.securityEvent('magic_link_sign_in', {
        user_id: signedIn.user.uuid,
        provider: signedIn.stytchSessionToken === null ? 'builtin' : 'stytch',
        email: normalizeEmail(signedIn.user.email),
      });
      return tokenBody(ctx, tokens);
    },
  );
};
