/** Readiness: the database answers within its own deadline and the migrations are current. */
import { ping, type Db } from '../db/connect.ts';
import { withDeadline } from '../db/deadline.ts';
import { pendingMigrations } from '../db/migrate.ts';
import { AppError } from '../errors.ts';

export interface ReadinessProbe {
  /** Resolves when ready; else 503 `service_unavailable` saying why (the cause goes to `onUnreachable`). */
  check(): Promise<void>;
}

export function createReadinessProbe(db: Db, timeoutMs: number, onUnreachable: (error: unknown) => void): ReadinessProbe {
  // Migrations never un-apply, so once current, readiness only needs the ping.
  let migrationsCurrent = false;
  return {
    async check(): Promise<void> {
      try {
        // Its own, shorter deadline: a database that does not answer is "not ready" (503), and
        // the probe's connection is given back like a timed-out request's.
        await withDeadline(
          timeoutMs,
          async () => {
            await ping(db);
            if (!migrationsCurrent) migrationsCurrent = (await pendingMigrations(db)).length === 0;
          },
          () => new Error(`the database did not answer within ${timeoutMs} ms`),
        );
      } catch (error) {
        onUnreachable(error);
        throw new AppError('service_unavailable', { message: 'database_unreachable' });
      }
      if (!migrationsCurrent) throw new AppError('service_unavailable', { message: 'migrations_pending' });
    },
  };
}
