/**
 * A Kysely dialect for PGlite (embedded PostgreSQL in WebAssembly).
 *
 * PGlite has exactly one connection. Kysely assumes a pool and would happily run two
 * transactions' statements interleaved on it, so every acquireConnection() waits on a mutex
 * and holds it until releaseConnection(): a transaction owns the connection from BEGIN to
 * COMMIT, and single queries queue behind it.
 */
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type DatabaseIntrospector,
  type Dialect,
  type DialectAdapter,
  type Driver,
  type Kysely,
  type QueryCompiler,
  type QueryResult,
} from 'kysely';
import { isCopyQuery, pgliteCopyText } from './copy-in.ts';

/**
 * Leads SQL that may hold several statements and has no parameters. PostgreSQL's pg runs such a
 * query with the simple protocol anyway; PGlite needs exec() for it.
 */
export const SCRIPT_MARKER = '/* script */';

/** FIFO mutex: `acquire()` resolves with the function that releases it. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  acquire(): Promise<() => void> {
    let release!: () => void;
    const next = new Promise<void>((resolve) => {
      release = resolve;
    });
    const ready = this.#tail.then(() => release);
    this.#tail = this.#tail.then(() => next);
    return ready;
  }
}

class PGliteConnection implements DatabaseConnection {
  readonly #pglite: PGlite;

  constructor(pglite: PGlite) {
    this.#pglite = pglite;
  }

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    if (compiledQuery.sql.startsWith(SCRIPT_MARKER)) {
      // A script of several statements without parameters (the job queue's schema): PGlite's
      // simple-protocol exec, as pg sends a parameterless query. The last statement's rows answer.
      const results = await this.#pglite.exec(compiledQuery.sql);
      return { rows: (results.at(-1)?.rows ?? []) as R[] };
    }
    const result = isCopyQuery(compiledQuery.sql)
      ? // COPY input reaches PGlite as the file /dev/blob (copy-in.ts).
        await this.#pglite.query<R>(pgliteCopyText(compiledQuery.sql), [], { blob: new Blob([String(compiledQuery.parameters[0])]) })
      : await this.#pglite.query<R>(compiledQuery.sql, [...compiledQuery.parameters]);
    const affected = result.affectedRows;
    return {
      rows: result.rows,
      ...(affected !== undefined && affected > 0 ? { numAffectedRows: BigInt(affected) } : {}),
    };
  }

  // eslint-disable-next-line require-yield -- the interface demands a generator; PGlite has no cursors here
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('PGlite dialect: streaming queries are not supported');
  }
}

class PGliteDriver implements Driver {
  readonly #pglite: PGlite;
  readonly #connection: PGliteConnection;
  readonly #mutex = new Mutex();
  /** The release function of the current holder; there is at most one. */
  #release: (() => void) | null = null;
  readonly #closeOnDestroy: boolean;

  constructor(pglite: PGlite, closeOnDestroy: boolean) {
    this.#pglite = pglite;
    this.#connection = new PGliteConnection(pglite);
    this.#closeOnDestroy = closeOnDestroy;
  }

  async init(): Promise<void> {
    await this.#pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    this.#release = await this.#mutex.acquire();
    return this.#connection;
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('begin'));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    const release = this.#release;
    this.#release = null;
    release?.();
  }

  async destroy(): Promise<void> {
    if (this.#closeOnDestroy && !this.#pglite.closed) await this.#pglite.close();
  }
}

export interface PGliteDialectOptions {
  readonly pglite: PGlite;
  /** Close the PGlite instance when Kysely is destroyed (default true). */
  readonly closeOnDestroy?: boolean;
}

export class PGliteDialect implements Dialect {
  readonly #options: PGliteDialectOptions;

  constructor(options: PGliteDialectOptions) {
    this.#options = options;
  }

  createAdapter(): DialectAdapter {
    return new PostgresAdapter();
  }

  createDriver(): Driver {
    return new PGliteDriver(this.#options.pglite, this.#options.closeOnDestroy ?? true);
  }

  // Kysely's interface types the argument with `any`; the introspector only runs queries on it.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  createIntrospector(db: Kysely<any>): DatabaseIntrospector {
    return new PostgresIntrospector(db);
  }

  createQueryCompiler(): QueryCompiler {
    return new PostgresQueryCompiler();
  }
}
