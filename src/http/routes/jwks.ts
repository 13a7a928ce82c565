/** GET /.well-known/jwks.json: the public keys that verify access tokens (EdDSA/ES256 only). */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.ts';
import type { KeyRing } from '../../services/signing-keys.ts';
import { ErrorBody } from '../schemas.ts';

export const jwksRoutes: FastifyPluginAsyncTypebox<{ keyRing: KeyRing | null }> = async (app, { keyRing }) => {
  app.get(
    '/.well-known/jwks.json',
    {
      schema: {
        tags: ['operations'],
        summary: 'Public keys for offline verification of access tokens (JWT_ALGORITHM EdDSA or ES256)',
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }), 404: ErrorBody },
      },
    },
    async (_request, reply) => {
      if (keyRing === null) throw new AppError('not_found', { detail: 'No JWKS: access tokens are HS256 (set JWT_ALGORITHM=EdDSA or ES256 to publish keys)' });
      // Verifiers may cache the set briefly; a rotation is visible within five minutes.
      reply.header('cache-control', 'public, max-age=300');
      return keyRing.jwks();
    },
  );
};
