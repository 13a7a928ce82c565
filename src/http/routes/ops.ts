/** Operations routes: liveness, readiness, and the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { ReadinessProbe } from '../../services/readiness.ts';

export interface OpsDeps {
  /** The database check behind /readyz (services/readiness.ts, built with its own deadline). */
  readonly readiness: ReadinessProbe;
}

const Status = Type.Object({ status: Type.String() });

export const opsRoutes: FastifyPluginAsyncTypebox<OpsDeps> = async (app, { readiness }) => {
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
