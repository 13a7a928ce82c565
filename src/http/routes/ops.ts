/** Operations routes: liveness, readiness, and the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { Db } from '../../db/connect.ts';
import { createReadinessProbe } from '../../services/readiness.ts';

export interface OpsDeps {
  readonly db: Db;
  /** How long /readyz waits for the database before it answers 503 (never the request's 504). */
  readonly readinessTimeoutMs: number;
}

const Status = Type.Object({ status: Type.String() });

export const opsRoutes: FastifyPluginAsyncTypebox<OpsDeps> = async (app, { db, readinessTimeoutMs }) => {
  const readiness = createReadinessProbe(db, readinessTimeoutMs, (error) => app.log.warn({ err: error }, 'readiness check: database unreachable'));

  app.get(
    '/healthz',
    {
      config: { ops: true, access: 'public' },
      schema: { tags: ['operations'], operationId: 'getHealth', summary: 'The process is up', response: { 200: Status } },
    },
    async () => ({ status: 'ok' }),
  );

  app.get(
    '/readyz',
    {
      config: { ops: true, access: 'public' },
      schema: { tags: ['operations'], operationId: 'getReadiness', summary: 'Database reachable and migrations current', response: { 200: Status } },
    },
    async () => {
      await readiness.check();
      return { status: 'ready' };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
