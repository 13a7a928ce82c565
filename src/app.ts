/**
 * buildApp(deps): the whole HTTP service without a port, so tests build exactly what runs.
 * Wiring of outside things (database, config) happens in main.ts and is passed in.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import helmet from '@fastify/helmet';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config, TrustProxy } from './config.ts';
import type { Db } from './db/connect.ts';
import { AppError } from './errors.ts';
import { handleError, handleNotFound, sendError } from './http/error-handler.ts';
import { loggerOptions } from './http/logging.ts';
import { validatorCompiler } from './http/validation.ts';
import { opsRoutes } from './http/routes/ops.ts';

export interface AppDeps {
  readonly config: Config;
  readonly db: Db;
  /** Where logs go (tests capture them); stdout when absent. */
  readonly logStream?: NodeJS.WritableStream;
}

export type App = FastifyInstance;

const DEFAULT_BODY_LIMIT = 1024 * 1024;
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** Keeps a caller's X-Request-Id when it is plain text (so traces join up), else makes one. */
function requestId(header: string | string[] | undefined): string {
  return typeof header === 'string' && REQUEST_ID.test(header) ? header : randomUUID();
}

/** A hop count becomes proxy-addr's "trust the nearest N hops" function (Fastify's own rule). */
function fastifyTrustProxy(trust: TrustProxy): FastifyServerOptions['trustProxy'] {
  if (typeof trust === 'number') return (_address: string, hop: number) => hop < trust;
  return trust;
}

function fastifyOptions(deps: AppDeps): FastifyServerOptions {
  return {
    logger: loggerOptions(deps.config.logLevel, deps.logStream),
    genReqId: (req) => requestId(req.headers['x-request-id']),
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Fastify's own draining 503 has its own body shape; ours (below) speaks {detail, code}.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
  };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  const app = Fastify(fastifyOptions(deps)).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  // JSON routes take JSON only: text/plain would let a cross-site form post without a preflight.
  app.removeContentTypeParser('text/plain');

  let draining = false;
  app.addHook('preClose', async () => {
    draining = true;
  });
  // Responses finished during the drain end their connection, so close() need not wait for
  // clients' keep-alive timeouts.
  app.addHook('onSend', async (_request, reply) => {
    if (draining) reply.header('connection', 'close');
  });
  app.addHook('onRequest', async (request, reply) => {
    reply.header('x-request-id', request.id);
    if (draining) {
      reply.header('connection', 'close');
      return sendError(reply, new AppError('service_unavailable', { detail: 'Shutting down; retry on another instance', headers: { 'retry-after': '1' } }));
    }
  });

  // Plain-http development must not pin HSTS or upgrade requests on localhost.
  const https = deps.config.nodeEnv === 'production';
  await app.register(helmet, {
    global: true,
    hsts: https,
    contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } },
  });
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Gatehouse', description: 'Authentication and membership service', version: '0.1.0' },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          cookie: { type: 'apiKey', in: 'cookie', name: 'access_token' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  await app.register(opsRoutes, { db: deps.db });
  return app;
}
