/** GET /.well-known/jwks.json: the public keys that verify access tokens (EdDSA/ES256 only). */
import { createHash } from 'node:crypto';
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.ts';
import type { KeyRing } from '../../services/signing-keys.ts';

export const jwksRoutes: FastifyPluginAsyncTypebox<{ keyRing: KeyRing | null; maxAgeSeconds: number }> = async (app, { keyRing, maxAgeSeconds }) => {
  app.get(
    '/.well-known/jwks.json',
    {
      config: { access: 'public', errors: ['not_found'] },
      schema: {
        tags: ['operations'],
        operationId: 'getJwks',
        summary: 'Public keys for offline verification of access tokens (JWT_ALGORITHM EdDSA or ES256)',
        response: { 200: Type.Object({ keys: Type.Array(Type.Record(Type.String(), Type.Unknown())) }), 304: Type.Null() },
      },
    },
    async (request, reply) => {
      if (keyRing === null) throw new AppError('not_found', { message: 'no_jwks' });
      // Verifiers may cache the set for JWKS_MAX_AGE_SECONDS: a rotated key is published that
      // long (plus a key reload) before it signs, so no fresh cache ever lacks a signing key.
      const jwks = await keyRing.jwks();
      const etag = `"${createHash('sha256').update(JSON.stringify(jwks)).digest('base64url').slice(0, 27)}"`;
      reply.header('cache-control', `public, max-age=${maxAgeSeconds}`).header('etag', etag);
      if (request.headers['if-none-match'] === etag) return reply.code(304).send(null);
      return jwks;
    },
  );
};
