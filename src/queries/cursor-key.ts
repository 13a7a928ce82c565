/** Sort keys for keyset cursors, read from the database at full precision. */
import { sql } from 'kysely';

/**
 * created_at as ISO-8601 in UTC with its microseconds. A cursor made from the JS Date (ms) would
 * compare below rows of the same millisecond and skip them.
 */
export const CURSOR_AT = sql<string>`to_char(created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('cursor_at');
