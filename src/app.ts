/**
 * buildApp(deps): the whole HTTP service without a port, so tests build exactly what runs.
 * Wiring of outside things (database, config) happens in main.ts and is passed in.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config, TrustProxy } from './config.ts';
import type { Db, PoolStats } from './db/connect.ts';
import { runWithoutDeadline } from './db/deadline.ts';
import { registerAdmission } from './http/admission.ts';
import { answerOnce } from './http/deadline.ts';
import { registerMetrics, type Metrics } from './http/metrics.ts';
import { configurePasswordHashing } from './security/passwords.ts';
import { AppError } from './errors.ts';
import { handleError, handleNotFound, sendError } from './http/error-handler.ts';
import { clientErrorHandler, frameworkErrorHandler } from './http/framework-errors.ts';
import { loggerOptions } from './http/logging.ts';
import { lazyChildLoggerFactory } from './http/request-logger.ts';
import { isHtml, securityHeaderSets } from './http/security-headers.ts';
import { eagerValidatorCompiler, validatorCompiler } from './http/validation.ts';
import { lazySerializerFactory } from './http/lazy-compilers.ts';
import { opsRoutes } from './http/routes/ops.ts';
import { passwordRoutes } from './http/routes/auth-passwords.ts';
import { sessionRoutes } from './http/routes/auth-sessions.ts';
import { introspectionRoutes } from './http/routes/introspection.ts';
import { cookieNames } from './http/credentials.ts';
import { openApiOptions } from './http/openapi.ts';
import { registerContractCheck, type ContractViolationSink } from './http/contract-check.ts';
import type { RouteAccess } from './http/route-contract.ts';
import { registerCsrf } from './http/csrf-hook.ts';
import type { HttpContext } from './http/context.ts';
import { createGuards } from './http/guards.ts';
import { createLogMailer, createSmtpMailer, type Mailer } from './providers/mail.ts';
import { createRedisCounterStore } from './providers/redis-counters.ts';
import { createJwtCodec } from './security/jwt.ts';
import { hmac } from './security/tokens.ts';
import { createAccountService } from './services/accounts.ts';
import { createMemoryCounterStore, createRateLimiter, type CounterStore, type LimitedAction, type RouteLimits } from './services/rate-limits.ts';
import { createDirectory } from './services/directory.ts';
import { createReadinessProbe } from './services/readiness.ts';
import { createSessionService } from './services/sessions.ts';
import { createKeyRing } from './services/signing-keys.ts';
import { jwksRoutes } from './http/routes/jwks.ts';
import { magicLinkRoutes } from './http/routes/magic-links.ts';
import { magicLinkLandingRoutes } from './http/routes/magic-link-landing.ts';
import { devRoutes } from './http/routes/dev.ts';
import { uiRoutes } from './http/routes/ui.ts';
import { uiAssets } from './http/ui-assets.ts';
import { adminUserRoutes } from './http/routes/admin-users.ts';
import { adminMiscRoutes } from './http/routes/admin-misc.ts';
import { adminEligibleRoutes } from './http/routes/admin-eligible.ts';
import { adminEligibilityRuleRoutes } from './http/routes/admin-eligibility-rules.ts';
import { adminWebhookRoutes } from './http/routes/admin-webhooks.ts';
import { adminInvitationRoutes, organizerInvitationRoutes } from './http/routes/invitations.ts';
import { publicInvitationRoutes } from './http/routes/invitation-links.ts';
import { organizerRoutes } from './http/routes/organizers.ts';
import { createStytchProvider, type StytchProvider } from './providers/stytch.ts';
import { createMagicLinkService } from './services/magic-links.ts';
import { createInvitationService } from './services/invitations.ts';
import { createBackgroundTasks } from './background.ts';
import { installBackgroundWork, type BackgroundWork } from './jobs/background-work.ts';
import { invitationMailer } from './jobs/mail-queue.ts';
import type { Resolver } from './providers/webhook-http.ts';
import { deliveryStats } from './queries/webhooks.ts';
import { createWebhookService } from './services/webhooks.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /** Handles tests and embedders reach through the app. */
    gatehouse: {
      /** The mail transport (its outbox in development); services send through the queue. */
      readonly mailer: Mailer;
      /** The job queue and its workers. */
      readonly jobs: BackgroundWork;
      readonly context: HttpContext;
      readonly routes: readonly RegisteredRoute[];
      /** Until work after responses is done and every queued mail has had its attempt. */
      backgroundIdle(): Promise<void>;
      /** From now on every new request (and /readyz) gets 503, so load balancers move away. */
      beginDrain(): void;
    };
  }
}

export interface AppDeps {
  readonly config: Config;
  readonly db: Db;
  /** Where logs go (tests capture them); stdout when absent. */
  readonly logStream?: NodeJS.WritableStream;
  /** Outgoing mail; from SMTP_URL (or the log) when absent. */
  readonly mailer?: Mailer;
  /** Rate-limit counters; Redis (REDIS_URL) or in-process when absent. */
  readonly counterStore?: CounterStore;
  /** The Stytch provider; from STYTCH_* when absent. */
  readonly stytch?: StytchProvider | null;
  /** Abuse limits; RATE_LIMIT_* (or the defaults) when absent (tests lower them). */
  readonly limits?: Readonly<Record<LimitedAction, RouteLimits>>;
  /** The PostgreSQL pool's connection counts, for /metrics. */
  readonly poolStats?: () => PoolStats | null;
  /** Told of every answer its operation's contract does not declare (the tests fail on one). */
  readonly onContractViolation?: ContractViolationSink;
  /** How webhook hosts resolve; DNS when absent (tests map names to addresses). */
  readonly webhookResolver?: Resolver;
  /** 'eager': compile every route's schemas at start, as Fastify does by default (a test proves they all compile). */
  readonly schemaCompilation?: 'lazy' | 'eager';
}

export type App = FastifyInstance;

/** The route table as registered (tests build the authorization matrix from it). */
export interface RegisteredRoute {
  readonly method: string;
  readonly url: string;
  /** Who may call it (route-contract.ts); null for routes outside the API (the docs pages). */
  readonly access: RouteAccess | null;
}

/**
 * Bodies are small unless a route says otherwise (the bulk imports do): a JSON body is parsed
 * before the handler runs, so a large default would let anyone make every route parse it.
 */
const DEFAULT_BODY_LIMIT = 16 * 1024;
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

function fastifyOptions(deps: AppDeps, apiHeaders: Readonly<Record<string, string>>): FastifyServerOptions {
  return {
    logger: loggerOptions(deps.config.logLevel, deps.logStream),
    // A request's logger is made when it first writes a line (request-logger.ts).
    childLoggerFactory: lazyChildLoggerFactory,
    genReqId: (req) => requestId(req.headers['x-request-id']),
    trustProxy: fastifyTrustProxy(deps.config.trustProxy),
    bodyLimit: DEFAULT_BODY_LIMIT,
    // Fastify's own draining 503 has its own body shape; ours (below) speaks {detail, code}.
    return503OnClosing: false,
    routerOptions: { ignoreTrailingSlash: true },
    // The router's and the HTTP parser's own answers speak {detail, code} too.
    frameworkErrors: frameworkErrorHandler(apiHeaders),
    clientErrorHandler,
    // Response serializers are built at their first response, not all at start (lazy-compilers.ts).
    ...(deps.schemaCompilation === 'eager' ? {} : { schemaController: { compilersFactory: { buildSerializer: lazySerializerFactory() } } }),
  };
}

export async function buildApp(deps: AppDeps): Promise<App> {
  // Plain-http development must not pin HSTS or upgrade requests on localhost.
  const https = deps.config.nodeEnv === 'production';
  const securityHeaders = securityHeaderSets({ hsts: https, contentSecurityPolicy: { directives: { upgradeInsecureRequests: https ? [] : null } } });
  const app = Fastify(fastifyOptions(deps, securityHeaders.api)).withTypeProvider<TypeBoxTypeProvider>();
  app.setValidatorCompiler(deps.schemaCompilation === 'eager' ? eagerValidatorCompiler : validatorCompiler);
  app.setErrorHandler(handleError);
  app.setNotFoundHandler(handleNotFound);
  // JSON routes take JSON only: text/plain would let a cross-site form post without a preflight.
  app.removeContentTypeParser('text/plain');

  if (deps.onContractViolation !== undefined) registerContractCheck(app, deps.onContractViolation);
  const routes: RegisteredRoute[] = [];
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    // The route plugin's own onRoute hook (route-access.ts) fills in its access after this one.
    const config = (route.config ??= {});
    for (const method of methods)
      routes.push({
        method,
        url: route.url,
        get access() {
          return config.access ?? null;
        },
      });
  });

  const operations = deps.config.operations;
  configurePasswordHashing({
    concurrency: operations.passwordHashConcurrency,
    queue: operations.passwordHashQueue,
    maxWaitMs: operations.passwordHashMaxWaitMs,
  });
  const metrics = registerMetrics(app, {
    poolStats: deps.poolStats ?? (() => null),
    token: deps.config.operations.metricsToken,
    webhookBacklog: () => deliveryStats(deps.db),
  });

  // Draining starts at SIGTERM (beginDrain, before the grace period) or at close() at the latest.
  const drain = { active: false };
  app.addHook('preClose', async () => {
    drain.active = true;
  });
  app.addHook('onSend', (_request, reply, payload, done) => {
    // A page gets the document set over the API set (both set at once, computed at start-up).
    if (isHtml(reply.getHeader('content-type'))) reply.headers(securityHeaders.document);
    // Responses finished during the drain end their connection, so close() need not wait for
    // clients' keep-alive timeouts.
    if (drain.active) reply.header('connection', 'close');
    done(null, payload);
  });
  // First on every request, so every answer (a 503 from admission too) carries these headers.
  // Callback style: the hooks on every request's path create no promise.
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    reply.headers(securityHeaders.api);
    if (drain.active) {
      reply.header('connection', 'close');
      sendError(reply, new AppError('service_unavailable', { message: 'shutting_down', retryAfterSeconds: 1 }));
      return;
    }
    done();
  });
  // A request not answered in time gets 504 and may write nothing more (http/deadline.ts).
  answerOnce(app);
  registerAdmission(app, deps.config.operations, { onReject: (reason) => metrics.overloadRejected(reason) });
  await app.register(swagger, openApiOptions({ version: '0.1.0', cookies: cookieNames(deps.config), authRoutePrefixes: deps.config.authRoutePrefixes }));
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });
  const readiness = createReadinessProbe(deps.db, readinessTimeout(deps.config.operations.requestTimeoutMs), (error) =>
    app.log.warn({ err: error }, 'readiness check: database unreachable'),
  );
  await app.register(opsRoutes, { readiness });

  const context = createContext(app, deps, routes, await optionalProviders(app, deps), metrics, drain);
  const allowedOrigins = new Set([new URL(deps.config.publicUrl).origin, ...deps.config.corsOrigins]);
  await app.register(cookie);
  await app.register(cors, {
    // Echo only allowed origins; credentials (cookies) make a wildcard unsafe.
    origin: (origin, callback) => callback(null, origin !== undefined && allowedOrigins.has(origin)),
    credentials: true,
    allowedHeaders: ['content-type', 'authorization', 'x-api-key', 'x-request-id', 'x-requested-with'],
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
  });
  registerCsrf(app, {
    cookies: context.cookies,
    apiKey: deps.config.apiKey,
    allowedOrigins,
    publicOrigin: new URL(deps.config.publicUrl).origin,
    securityEvent: context.securityEvent,
  });

  // An attempt the service failed itself (5xx: the database was down, the deadline passed)
  // does not count toward its user's limit: an outage must not lock people out afterwards.
  app.addHook('onResponse', (request, reply, done) => {
    if (reply.statusCode >= 500 && request.countedAttempts !== undefined) void context.limiter.refund(request.countedAttempts);
    done();
  });

  await app.register(jwksRoutes, { keyRing: context.keyRing, maxAgeSeconds: deps.config.operations.jwksMaxAgeSeconds });
  for (const prefix of deps.config.authRoutePrefixes) {
    await app.register(passwordRoutes, { ...context, prefix });
    await app.register(sessionRoutes, { ...context, prefix });
    await app.register(introspectionRoutes, { ...context, prefix });
    await app.register(magicLinkRoutes, { ...context, prefix });
    await app.register(magicLinkLandingRoutes, { ...context, prefix });
    await app.register(adminUserRoutes, { ...context, prefix });
    await app.register(adminMiscRoutes, { ...context, prefix });
    await app.register(adminEligibleRoutes, { ...context, prefix });
    await app.register(adminEligibilityRuleRoutes, { ...context, prefix });
    await app.register(adminWebhookRoutes, { ...context, prefix });
    await app.register(adminInvitationRoutes, { ...context, prefix });
    await app.register(organizerInvitationRoutes, { ...context, prefix });
    await app.register(publicInvitationRoutes, { ...context, prefix });
    await app.register(organizerRoutes, { ...context, prefix });
  }
  if (deps.config.uiPath !== null) await app.register(uiRoutes, { config: deps.config, uiPath: deps.config.uiPath, assets: await uiAssets() });
  if (deps.config.nodeEnv === 'development') await app.register(devRoutes, { mailer: context.mailer });
  return app;
}

/** /readyz answers 503 within 2 s, and always before the request's own deadline could answer 504. */
function readinessTimeout(requestTimeoutMs: number): number {
  return Math.max(50, Math.min(2_000, requestTimeoutMs - 100));
}

/** Builds the services once; routes receive them as plugin options. */
interface OptionalProviders {
  readonly mailer: Mailer;
  readonly counterStore: CounterStore;
  readonly stytch: StytchProvider | null;
}

/** Providers whose libraries load only when configured (each costs memory to import). */
async function optionalProviders(app: App, deps: AppDeps): Promise<OptionalProviders> {
  const { config } = deps;
  return {
    mailer:
      deps.mailer ??
      (config.smtpUrl === null
        ? createLogMailer(() => app.log, { includeBodies: config.nodeEnv !== 'production' })
        : await createSmtpMailer(config.smtpUrl, config.mailFrom)),
    counterStore:
      deps.counterStore ??
      (config.redisUrl === null ? createMemoryCounterStore() : await createRedisCounterStore(config.redisUrl, config.operations.redisKeyPrefix)),
    stytch: deps.stytch !== undefined ? deps.stytch : config.stytch === null ? null : await createStytchProvider(config.stytch),
  };
}

function createContext(
  app: App,
  deps: AppDeps,
  routes: readonly RegisteredRoute[],
  providers: OptionalProviders,
  metrics: Metrics,
  drain: { active: boolean },
): HttpContext {
  const { config, db } = deps;
  const securityEvent = (event: string, fields: Record<string, unknown>): void => {
    metrics.securityEvent(event, fields);
    app.log.info({ security_event: event, ...fields }, `security event: ${event}`);
  };
  const background = createBackgroundTasks(
    (label, error) => app.log.error({ err: error, task: label }, 'background task failed'),
    // Work after the response is not bound by the request's deadline.
    runWithoutDeadline,
  );
  const { counterStore, stytch } = providers;
  const transport = providers.mailer;
  const jobs = installBackgroundWork(app, {
    db,
    config,
    transport,
    ...(deps.webhookResolver === undefined ? {} : { resolve: deps.webhookResolver }),
    onWebhookOutcome: (outcome, ms) => metrics.webhookAttempt(outcome, ms / 1000),
  });
  const mailer = jobs.mailer;
  const keyRing =
    config.jwtAlgorithm === 'HS256'
      ? null
      : createKeyRing(db, config.jwtAlgorithm, config.jwtSecret, { reloadMs: config.operations.signingKeyReloadSeconds * 1000 });
  const jwt = createJwtCodec({
    secret: config.jwtSecret,
    issuer: config.publicUrl,
    ttl: config.accessTokenTtl,
    ...(keyRing === null ? {} : { keys: keyRing }),
  });
  const cookies = cookieNames(config);
  const sessions = createSessionService({
    db,
    jwt,
    settings: { sessionTtl: config.sessionTtl, accessTokenTtl: config.accessTokenTtl, refreshKey: hmac(config.jwtSecret, 'gatehouse refresh-token key v1') },
    onSecurityEvent: securityEvent,
  });
  const accounts = createAccountService({ db, config, mailer, sessions, onSecurityEvent: securityEvent, background: background.run });
  const magicLinks = createMagicLinkService({ db, config, mailer, stytch, background: background.run, onSecurityEvent: securityEvent });
  const guards = createGuards({ db, jwt, cookies, onSecurityEvent: securityEvent, onBackground: background.run });
  const context: HttpContext = {
    config,
    directory: createDirectory(db),
    guards,
    cookies,
    sessions,
    accounts,
    magicLinks,
    invitations: createInvitationService(db, { config, mail: invitationMailer(jobs.mail) }),
    webhooks: createWebhookService(db, { config, queue: jobs.queue, ...(deps.webhookResolver === undefined ? {} : { resolve: deps.webhookResolver }) }),
    stytch,
    keyRing,
    limiter: createRateLimiter(counterStore, deps.limits ?? config.rateLimits),
    mailer,
    securityEvent,
    background: background.run,
  };
  app.decorate('gatehouse', {
    mailer: transport,
    jobs,
    context,
    routes,
    async backgroundIdle(): Promise<void> {
      await background.idle();
      await jobs.mailIdle();
    },
    beginDrain: () => {
      drain.active = true;
    },
  });
  app.addHook('onClose', async () => {
    await background.idle();
    await jobs.stop();
    await counterStore.close();
    if (deps.mailer === undefined) await transport.close();
  });
  return context;
}
