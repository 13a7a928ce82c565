/** Operations routes: liveness, readiness, and the OpenAPI document. */
import { Type } from '@sinclair/typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { ping, type Db } from '../../db/connect.ts';
import { withDeadline } from '../../db/deadline.ts';
import { pendingMigrations } from '../../db/migrate.ts';
import { AppError } from '../../errors.ts';

export interface OpsDeps {
  readonly db: Db;
  /** How long /readyz waits for the database before it answers 503 (never the request's 504). */
  readonly readinessTimeoutMs: number;
}

const Status = Type.Object({ status: Type.String() });

export const opsRoutes: FastifyPluginAsyncTypebox<OpsDeps> = async (app, { db, readinessTimeoutMs }) => {
  // Migrations never un-apply, so once current, readiness only needs the ping.
  let migrationsCurrent = false;

  app.get('/healthz', { config: { ops: true, access: 'public' }, schema: { tags: ['operations'], operationId: 'getHealth', summary: 'The process is up', response: { 200: Status } } }, async () => ({ status: 'ok' }));

  app.get(
    '/readyz',
    { config: { ops: true, access: 'public' }, schema: { tags: ['operations'], operationId: 'getReadiness', summary: 'Database reachable and migrations current', response: { 200: Status } } },
    async () => {
      try {
        // Its own, shorter deadline: a database that does not answer is "not ready" (503), and
        // the probe's connection is given back like a timed-out request's.
        await withDeadline(
          readinessTimeoutMs,
          async () => {
            await ping(db);
            if (!migrationsCurrent) migrationsCurrent = (await pendingMigrations(db)).length === 0;
          },
          () => new Error(`the database did not answer within ${readinessTimeoutMs} ms`),
        );
      } catch (error) {
        app.log.warn({ err: error }, 'readiness check: database unreachable');
        throw new AppError('service_unavailable', { detail: 'Database unreachable' });
      }
      if (!migrationsCurrent) throw new AppError('service_unavailable', { detail: 'Database migrations are pending: run gatehouse migrate' });
      return { status: 'ready' };
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
};
