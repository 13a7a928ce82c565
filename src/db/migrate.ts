/**
 * Forward-only migrations with Kysely's Migrator, which takes a PostgreSQL advisory lock for the
 * whole run: when several instances start at once, one applies the migrations and the others
 * wait, then find nothing left to do.
 */
import { Migrator, type MigrationResultSet } from 'kysely';
import { migrations } from '../../migrations/index.ts';
import type { Db } from './connect.ts';

export interface MigrateOutcome {
  /** Names applied by this call, in order; empty when the schema was already current. */
  readonly applied: readonly string[];
}

function migrator(db: Db): Migrator {
  return new Migrator({ db, provider: { getMigrations: async () => migrations } });
}

export async function migrateToLatest(db: Db): Promise<MigrateOutcome> {
  const result: MigrationResultSet = await migrator(db).migrateToLatest();
  if (result.error !== undefined) {
    const failed = result.results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new Error(`migration ${failed} failed: ${String(result.error instanceof Error ? result.error.message : result.error)}`, { cause: result.error });
  }
  return { applied: (result.results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName) };
}

/** Names of migrations this code knows but the database has not applied. */
export async function pendingMigrations(db: Db): Promise<string[]> {
  const infos = await migrator(db).getMigrations();
  return infos.filter((info) => info.executedAt === undefined).map((info) => info.name);
}
