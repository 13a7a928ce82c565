/**
 * pg-boss's database interface over our Kysely database (or one of its transactions): its SQL
 * then runs through the same connections (on PGlite, the one connection's queue: pglite-dialect.ts),
 * inside our transaction when it is given one. pg-boss sends its schema scripts as several
 * statements without parameters, which the SCRIPT_MARKER lets PGlite run (pg runs them anyway).
 */
import { CompiledQuery } from 'kysely';
import type PgBoss from 'pg-boss';
import type { Db } from '../db/connect.ts';
import { SCRIPT_MARKER } from '../db/pglite-dialect.ts';

/**
 * A script (pg-boss's are BEGIN; …; COMMIT;) runs on one connection held for it; when it fails
 * half-way, that connection's transaction is rolled back before it is let go. Otherwise an
 * aborted transaction would stay open on it, and on PGlite's single connection every later
 * statement of the service would fail.
 */
async function runScript(db: Db, text: string): Promise<unknown[]> {
  return db.connection().execute(async (connection) => {
    try {
      return [...(await connection.executeQuery(CompiledQuery.raw(`${SCRIPT_MARKER}\n${text}`))).rows];
    } catch (error) {
      await connection.executeQuery(CompiledQuery.raw('rollback')).catch(() => undefined);
      throw error;
    }
  });
}

async function execute(db: Db, text: string, values: unknown[]): Promise<{ rows: unknown[] }> {
  if (values.length === 0) return { rows: await runScript(db, text) };
  return { rows: [...(await db.executeQuery(CompiledQuery.raw(text, values))).rows] };
}

export function bossDatabase(db: Db): PgBoss.Db {
  return { executeSql: (text: string, values: unknown[] = []) => execute(db, text, values) };
}

/**
 * The same, counting the statements in flight: pg-boss's stop() clears its timers but does not
 * wait for a maintenance or monitoring statement already sent, and the database must not be
 * closed under it. `settled()` waits for those.
 */
export function trackedBossDatabase(db: Db): PgBoss.Db & { settled(): Promise<void>; busy(): boolean } {
  const inFlight = new Set<Promise<unknown>>();
  return {
    executeSql(text: string, values: unknown[] = []): Promise<{ rows: unknown[] }> {
      const running = execute(db, text, values);
      const tracked = running.catch(() => undefined).finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      return running;
    },
    async settled(): Promise<void> {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    busy: () => inFlight.size > 0,
  };
}
