/**
 * Wraps a Kysely dialect so that the rest of the code sees database trouble as domain errors:
 *
 * - A lost or refused connection (PostgreSQL restarted, backend terminated, pool exhausted past
 *   its connect timeout) becomes AppError('database_unavailable'): a fast 503 with Retry-After,
 *   never a 500 and never a sign-in that skipped its check.
 * - A request whose deadline has passed (see deadline.ts) may not start another statement, and
 *   its open transaction is rolled back instead of committed: a request answered with 504 leaves
 *   no half-written change behind.
 */
import type { DatabaseConnection, Dialect, Driver, QueryResult, TransactionSettings } from 'kysely';
import type { CompiledQuery } from 'kysely';
import { AppError } from '../errors.ts';
import { isPastDeadline } from './deadline.ts';
import { isConnectionLoss, isStatementTimeout } from './errors.ts';

function translate(error: unknown): unknown {
  if (error instanceof AppError) return error;
  if (isConnectionLoss(error)) return new AppError('database_unavailable', { retryAfterSeconds: 2, cause: error });
  if (isStatementTimeout(error)) return new AppError('request_timeout', { cause: error });
  return error;
}

function assertWithinDeadline(): void {
  if (isPastDeadline()) throw new AppError('request_timeout');
}

class GuardedConnection implements DatabaseConnection {
  constructor(readonly inner: DatabaseConnection) {}

  async executeQuery<R>(query: CompiledQuery): Promise<QueryResult<R>> {
    assertWithinDeadline();
    try {
      return await this.inner.executeQuery<R>(query);
    } catch (error) {
      throw translate(error);
    }
  }

  streamQuery<R>(query: CompiledQuery, chunkSize?: number): AsyncIterableIterator<QueryResult<R>> {
    assertWithinDeadline();
    return this.inner.streamQuery<R>(query, chunkSize);
  }
}

function unwrap(connection: DatabaseConnection): DatabaseConnection {
  return connection instanceof GuardedConnection ? connection.inner : connection;
}

class GuardedDriver implements Driver {
  constructor(private readonly inner: Driver) {}

  async init(): Promise<void> {
    await this.inner.init();
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    try {
      return new GuardedConnection(await this.inner.acquireConnection());
    } catch (error) {
      throw translate(error);
    }
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    assertWithinDeadline();
    try {
      await this.inner.beginTransaction(unwrap(connection), settings);
    } catch (error) {
      throw translate(error);
    }
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    if (isPastDeadline()) {
      // Kysely rolls back when commit throws; do it here so the refusal cannot race a commit.
      await this.inner.rollbackTransaction(unwrap(connection)).catch(() => undefined);
      throw new AppError('request_timeout');
    }
    try {
      await this.inner.commitTransaction(unwrap(connection));
    } catch (error) {
      throw translate(error);
    }
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    try {
      await this.inner.rollbackTransaction(unwrap(connection));
    } catch (error) {
      throw translate(error);
    }
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    await this.inner.releaseConnection(unwrap(connection));
  }

  async destroy(): Promise<void> {
    await this.inner.destroy();
  }
}

export function guardDialect(dialect: Dialect): Dialect {
  return {
    createDriver: () => new GuardedDriver(dialect.createDriver()),
    createQueryCompiler: () => dialect.createQueryCompiler(),
    createAdapter: () => dialect.createAdapter(),
    createIntrospector: (db) => dialect.createIntrospector(db),
  };
}
