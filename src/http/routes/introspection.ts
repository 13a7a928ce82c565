/**
 * POST /auth/introspect (RFC 7662): a service behind Gatehouse asks what an access token stands
 * for now. @gatehouse/verify's introspect mode calls it, so a revoked session, role or organizer
 * membership is noticed within its cache age instead of at the token's expiry. Authenticated by
 * the API key (OIDC confidential clients will be able to as well, with the OpenID Provider).
 * A token that does not work now answers 200 `{active: false}`, as the RFC says, without saying why.
 */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { HttpContext } from '../context.ts';
import { installAccess } from '../route-access.ts';
import { IntrospectionSchema } from '../schemas.ts';

export const introspectionRoutes: FastifyPluginAsyncTypebox<HttpContext> = async (app, ctx) => {
  installAccess(app, ctx, 'service');
  // RFC 7662 clients post a form; JSON works too. Only this plugin parses forms.
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 8192 }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(String(body))));
  });

  app.post(
    '/introspect',
    {
      schema: {
        tags: ['auth'],
        operationId: 'introspectToken',
        summary: 'What an access token stands for now (RFC 7662), for the services behind Gatehouse',
        body: Type.Object({ token: Type.String({ minLength: 1, maxLength: 4096 }), token_type_hint: Type.Optional(Type.String({ maxLength: 64 })) }),
        response: { 200: IntrospectionSchema },
      },
    },
    async (request, reply) => {
      // Never cached by an intermediary: the answer is about this moment.
      reply.header('cache-control', 'no-store');
      return ctx.sessions.introspect(request.body.token);
    },
  );
};
