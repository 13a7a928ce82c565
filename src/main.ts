/**
 * The only place that wires things: config → database → migrate → seed → app → listen, and
 * graceful shutdown (stop accepting, drain in-flight requests, then close the pool).
 */
import { pathToFileURL } from 'node:url';
import { buildApp, type App } from './app.ts';
import { ConfigError, loadConfig, saveDevSecret, type Config, type LoadedConfig } from './config.ts';
import { openDatabase, ping, type DbHandle } from './db/connect.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seed } from './db/seed.ts';

export interface RunningServer {
  readonly app: App;
  readonly database: DbHandle;
  readonly url: string;
  stop(): Promise<void>;
}

/**
 * Where to go next. Every address is on PUBLIC_URL's origin: cookies, mailed links and the CSRF
 * rule all belong to it, so /docs' "Try it out" writes work there (and are refused as
 * cross-site from another origin, such as the listening address when PUBLIC_URL differs).
 */
export function nextSteps(config: Config, url: string): string {
  const origin = new URL(config.publicUrl).origin;
  const lines = [
    `Gatehouse is listening on ${url} (${config.nodeEnv}, ${config.databaseUrl === null ? `embedded PGlite in ${config.dataDir}` : 'PostgreSQL'}); open it at ${origin}`,
    ...(config.uiPath === null ? [] : [`  Sign in:    ${origin}${config.uiPath}/`]),
    `  API docs:   ${origin}/docs   (and docs/api.md)`,
    `  Readiness:  ${origin}/readyz`,
  ];
  if (config.bootstrapAdminEmail === null) {
    // The CLI cannot share embedded PGlite with this running server (db/data-dir-lock.ts).
    const cli =
      config.databaseUrl === null
        ? 'or stop the server and run: npm run cli -- create-admin you@example.org --password-stdin'
        : 'or run: npm run cli -- create-admin you@example.org --password-stdin';
    lines.push(`  First admin: set BOOTSTRAP_ADMIN_EMAIL=you@example.org and restart, ${cli}`);
  } else {
    lines.push(`  First admin: ${config.bootstrapAdminEmail}`);
  }
  return lines.join('\n');
}

/** The innermost cause's message: the driver's words ("role … does not exist"), not our wrapper's. */
function rootCause(error: unknown): string {
  let current = error;
  while (current instanceof Error && current.cause !== undefined) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}

/** The database answers, or start-up stops with what is wrong and where to fix it (not "migration unknown failed"). */
async function reachDatabase(database: DbHandle, config: Config): Promise<void> {
  try {
    await ping(database.db);
  } catch (error) {
    const reason = rootCause(error);
    if (config.databaseUrl === null) throw new Error(`cannot open the embedded database in ${config.dataDir}: ${reason}`, { cause: error });
    const where = new URL(config.databaseUrl);
    where.password = '';
    throw new Error(
      `cannot use the PostgreSQL database at ${where.toString()} (DATABASE_URL): ${reason}. ` +
        'Check that PostgreSQL runs there and that the role and database in DATABASE_URL exist (for example: createuser -P gatehouse && createdb -O gatehouse gatehouse).',
      { cause: error },
    );
  }
}

export async function startServer(loaded: LoadedConfig): Promise<RunningServer> {
  const { config } = loaded;
  let app: App | null = null;
  const database = await openDatabase(
    config,
    // statement_timeout matches the request timeout: no statement outlives the request it serves.
    { poolSize: config.operations.databasePoolSize, statementTimeoutMs: config.operations.requestTimeoutMs },
    (error) => app?.log.warn({ err: error }, 'database connection lost'),
  );
  try {
    await reachDatabase(database, config);
    const migrated = await migrateToLatest(database.db);
    await seed(database.db, config);
    app = await buildApp({ config, db: database.db, poolStats: database.poolStats });
    for (const warning of loaded.warnings) app.log.warn(warning);
    if (migrated.applied.length > 0) app.log.info({ migrations: migrated.applied }, 'database migrated');
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await app?.close();
    await database.close();
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const url = `http://${config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host}:${port}`;
  const running = app;
  return {
    app: running,
    database,
    url,
    async stop(): Promise<void> {
      // During the grace period the listener stays open and answers 503 (readiness included),
      // so a load balancer takes this instance out before its port closes.
      running.gatehouse.beginDrain();
      if (config.operations.shutdownGraceMs > 0) await new Promise((resolve) => setTimeout(resolve, config.operations.shutdownGraceMs));
      await running.close();
      running.log.info('drained; closing the database pool');
      await database.close();
      running.log.info('database pool closed');
    },
  };
}

/** pino buffers writes to stdout: an exit right after the last lines would lose them. */
function flushLogs(app: App): Promise<void> {
  const log = app.log as { flush?: (done: (error?: Error) => void) => void };
  return new Promise((resolve) => (log.flush === undefined ? resolve() : log.flush(() => resolve())));
}

/** SIGTERM/SIGINT: drain and close; a second signal exits at once. */
function handleSignals(server: RunningServer): void {
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (stopping) {
      server.app.log.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    stopping = true;
    server.app.log.info({ signal }, 'shutting down: draining in-flight requests');
    server
      .stop()
      .then(() => flushLogs(server.app))
      .then(() => process.exit(0))
      .catch((error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

export async function main(): Promise<void> {
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Gatehouse cannot start: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  saveDevSecret(loaded);
  const server = await startServer(loaded);
  handleSignals(server);
  console.log(nextSteps(loaded.config, server.url));
}

/** Starts the service; a failure to start prints one line (no stack) and exits 1. */
export function runMain(): void {
  main().catch((error: unknown) => {
    console.error('Gatehouse failed to start:', error instanceof Error ? error.message : error);
    process.exit(1);
  });
}

// Run as a script from source (`node --import tsx src/main.ts`). The build's entry is src/start.ts:
// inside a bundle every module's import.meta.url is the bundle's, so this test would also be true
// for the CLI bundle run directly, which must not start a second server.
if (import.meta.url.endsWith('.ts') && process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) runMain();
