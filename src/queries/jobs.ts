/** Reads of pg-boss's job table that its API does not offer (jobs/queue.ts). */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/** Jobs of the queue that can run now or are running (a retry scheduled for later is not counted). */
export async function runnableJobs(db: Db, name: string): Promise<number> {
  const result = await sql<{ count: number }>`
    select count(*)::int as count from pgboss.job
    where name = ${name} and (state = 'active' or (state in ('created', 'retry') and start_after <= now()))`.execute(db);
  return result.rows[0]?.count ?? 0;
}
