/**
 * The mail token bucket every instance draws from (MAIL_RATE_PER_MINUTE): one row, refilled by
 * the time since it was last drawn from, capped at a minute's worth. Drawing is one UPDATE, so
 * instances serialize on the row and the rate holds across all of them.
 */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

/** Takes one token: 0 when taken, else the seconds until one will be there. */
export async function takeMailToken(db: Db, perMinute: number): Promise<number> {
  const perSecond = perMinute / 60;
  await sql`insert into mail_rate (id, tokens, refilled_at) values (1, ${perMinute}, clock_timestamp()) on conflict (id) do nothing`.execute(db);
  const result = await sql<{ taken: boolean; available: number }>`
    with bucket as (
      select least(${perMinute}::float8, tokens + extract(epoch from clock_timestamp() - refilled_at) * ${perSecond}::float8) as available
      from mail_rate where id = 1 for update
    )
    update mail_rate set
      tokens = case when bucket.available >= 1 then bucket.available - 1 else bucket.available end,
      refilled_at = clock_timestamp()
    from bucket where id = 1
    returning bucket.available >= 1 as taken, bucket.available`.execute(db);
  const row = result.rows[0];
  if (row === undefined || row.taken) return 0;
  return (1 - row.available) / perSecond;
}
