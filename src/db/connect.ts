/**
 * Opens the database: PostgreSQL through `pg` when DATABASE_URL is set, otherwise embedded
 * PGlite kept under DATA_DIR. Both speak the same SQL; the rest of the code sees only Kysely.
 */
import path from 'node:path';
import { mkdirSync } from 'node:fs';
import type { PGlite } from '@electric-sql/pglite';
import { createHash } from 'node:crypto';
import { Kysely, PostgresDialect, sql, type LogEvent, type PostgresPool, type PostgresPoolClient } from 'kysely';
import pg from 'pg';
import type { Database } from './schema.ts';
import { PGliteDialect } from './pglite-dialect.ts';
import { guardDialect } from './guarded-dialect.ts';
import { copyInWithPg, isCopyQuery } from './copy-in.ts';
import { currentDeadline, whileWithinDeadline } from './deadline.ts';
import { lockDataDir } from './data-dir-lock.ts';

export type DbKind = 'postgres' | 'pglite';
export type Db = Kysely<Database>;

export interface DbHandle {
  readonly db: Db;
  readonly kind: DbKind;
  /** Closes the pool (or the embedded database). Safe to call twice. */
  close(): Promise<void>;
  /** Connections of the PostgreSQL pool (for /metrics); null for PGlite's single connection. */
  poolStats(): PoolStats | null;
}

export interface PoolStats {
  readonly total: number;
  readonly idle: number;
  readonly waiting: number;
  readonly max: number;
}

export interface OpenOptions {
  /** Called after every query; tests count round trips with it. */
  readonly onQuery?: (event: LogEvent) => void;
  /** Pool size for PostgreSQL. */
  readonly poolSize?: number;
  /**
   * PostgreSQL's statement_timeout in ms for the pool's sessions (the server sets it; CLI imports
   * leave it unset). A statement stuck on a lock then ends with 504 instead of holding a
   * connection forever.
   */
  readonly statementTimeoutMs?: number;
}

function kyselyLog(options: OpenOptions): ((event: LogEvent) => void) | undefined {
  return options.onQuery;
}

/**
 * Statements marked with this comment run as named prepared statements: PostgreSQL plans them once
 * per connection instead of on every call. That matters for the query behind every authenticated
 * request, whose plan costs more than its execution. Only explicit column lists may be marked: a
 * prepared `select *` would break ("cached plan must not change result type") after a migration.
 */
export const PREPARED_MARKER = '/* prepared */';

/** Names by statement text. Marked statements are a handful of constants, so this stays small. */
const statementNames = new Map<string, string>();

/** A name derived from the text (the same on every connection); hashed once per text, not per call. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `gh_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * Ends a pg client's socket at once. `client.end()` would send a Terminate message and wait for
 * an answer that a half-open connection never gives; destroying the socket fails the statement
 * in flight and lets the pool forget the client. (pg has no public destroy: `connection.stream`
 * is its net.Socket.)
 */
function destroySocket(client: pg.PoolClient): void {
  (client as unknown as { connection?: { stream?: { destroy(): void } } }).connection?.stream?.destroy();
}

/** pg's own error when a statement outlives `query_timeout`. */
const QUERY_READ_TIMEOUT = /query read timeout/i;

/**
 * Wraps pg's pool so marked statements are sent with a name (pg prepares them per connection),
 * and so a connection that may be dead is never handed out again: a statement still waiting when
 * its request's deadline passes, or one that outlives `query_timeout` (work with no deadline),
 * destroys its connection, and the pool then opens a fresh one. A network that drops packets
 * without a reset (a partition, a dead NAT entry, a failed-over host) otherwise leaves pooled
 * connections waiting forever.
 */
function preparingPool(pool: pg.Pool): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = await pool.connect();
      let broken = false;
      const abandon = (): void => {
        broken = true;
        destroySocket(client);
      };
      const send = (text: string, parameters: readonly unknown[]): Promise<unknown> => {
        if (isCopyQuery(text)) return copyInWithPg(client, text, String(parameters[0]));
        if (text.includes(PREPARED_MARKER)) return client.query({ name: statementName(text), text, values: [...parameters] });
        return client.query(text, [...parameters]);
      };
      return {
        // Kysely calls query(text, parameters); the marked ones go out as named statements, and
        // COPY queries (copy-in.ts) with the copy-in protocol. (The interface's cursor overload is
        // for streaming, which Gatehouse never uses: hence the cast.)
        query: ((text: string, parameters: readonly unknown[]) => {
          const running = whileWithinDeadline(currentDeadline(), send(text, parameters), abandon);
          running.catch((error: unknown) => {
            if (error instanceof Error && QUERY_READ_TIMEOUT.test(error.message)) abandon();
          });
          return running;
        }) as unknown as PostgresPoolClient['query'],
        // A client released with an error is removed from the pool, not reused.
        release: () => client.release(broken ? new Error('connection abandoned: it may be dead') : undefined),
      };
    },
    end: () => pool.end(),
  };
}

/** How long past statement_timeout the client waits for an answer before it gives up on the connection. */
const QUERY_TIMEOUT_MARGIN_MS = 2_000;

/** A PostgreSQL pool. Idle-client errors are logged by the caller's handler, never thrown. */
export function openPostgres(databaseUrl: string, options: OpenOptions = {}, onPoolError?: (error: Error) => void): DbHandle {
  const max = options.poolSize ?? 10;
  const pool = new pg.Pool({
    connectionString: databaseUrl,
    max,
    // Fail fast when the server is gone: a waiting request answers 503 within two seconds.
    connectionTimeoutMillis: 2_000,
    idleTimeoutMillis: 30_000,
    // TCP keepalive finds idle connections whose peer vanished (and keeps NAT entries alive).
    keepAlive: true,
    keepAliveInitialDelayMillis: 5_000,
    // The server stops a statement at statement_timeout; query_timeout is the client's backstop
    // for a network that stopped answering altogether (the connection is then destroyed, above).
    // idle_in_transaction_session_timeout: a transaction whose client vanished mid-way (its
    // connection destroyed at a deadline, or lost in a partition) releases its locks on the server.
    ...(options.statementTimeoutMs === undefined
      ? {}
      : {
          statement_timeout: options.statementTimeoutMs,
          query_timeout: options.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
          idle_in_transaction_session_timeout: options.statementTimeoutMs + QUERY_TIMEOUT_MARGIN_MS,
        }),
  });
  // A backend killed while idle emits 'error' on the pool; unhandled, it would crash the process.
  pool.on('error', (error) => onPoolError?.(error));
  // A connection that dies while checked out emits 'error' on its client, where pg-pool listens
  // only while the client is idle: without this listener a restart of PostgreSQL crashes us.
  // (The query in flight fails on its own and is answered 503; the pool discards the client.)
  pool.on('connect', (client) => {
    client.on('error', (error) => onPoolError?.(error));
  });
  const db = new Kysely<Database>({ dialect: guardDialect(new PostgresDialect({ pool: preparingPool(pool) })), log: kyselyLog(options) });
  return handle(db, 'postgres', () => ({ total: pool.totalCount, idle: pool.idleCount, waiting: pool.waitingCount, max }));
}

/** Embedded PGlite on an existing instance (tests) or a data directory. */
export function openPGliteInstance(pglite: PGlite, options: OpenOptions = {}): DbHandle {
  const db = new Kysely<Database>({ dialect: guardDialect(new PGliteDialect({ pglite })), log: kyselyLog(options) });
  return handle(db, 'pglite', () => null);
}

export async function openPGlite(dataDir: string, options: OpenOptions = {}): Promise<DbHandle> {
  const dir = path.join(dataDir, 'pglite');
  mkdirSync(dir, { recursive: true });
  // Before PGlite touches the files: a second process must be refused, not silently diverge.
  const unlock = lockDataDir(dataDir);
  try {
    // Imported only for the embedded mode: a PostgreSQL deployment never loads it.
    const { PGlite: EmbeddedPostgres } = await import('@electric-sql/pglite');
    const pglite = await EmbeddedPostgres.create(dir);
    const opened = openPGliteInstance(pglite, options);
    return { ...opened, close: () => opened.close().finally(unlock) };
  } catch (error) {
    unlock();
    throw error;
  }
}

export async function openDatabase(
  settings: { databaseUrl: string | null; dataDir: string },
  options: OpenOptions = {},
  onPoolError?: (error: Error) => void,
): Promise<DbHandle> {
  if (settings.databaseUrl !== null) return openPostgres(settings.databaseUrl, options, onPoolError);
  return openPGlite(settings.dataDir, options);
}

function handle(db: Db, kind: DbKind, poolStats: () => PoolStats | null): DbHandle {
  let closing: Promise<void> | null = null;
  return {
    db,
    kind,
    poolStats,
    close(): Promise<void> {
      closing ??= db.destroy();
      return closing;
    },
  };
}

/** One cheap round trip: is the database answering? */
export async function ping(db: Db): Promise<void> {
  await sql`select 1`.execute(db);
}
