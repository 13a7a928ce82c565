/**
 * Time-ordered (UUIDv7, RFC 9562) ids for eligible_emails. A random v4 primary key makes every
 * insert land on a random page of the primary-key index: importing a million addresses cost
 * 5.6 s more than the same rows with an append-only key, and gen_random_uuid() alone 1 s
 * (bench/README.md, W4). Ids stay uuids (the API shape is unchanged); rows that exist keep theirs.
 * Imports make their ids in Node (src/db/uuid-v7.ts); this default serves single inserts.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  // 48-bit Unix milliseconds over the first six bytes of a random v4 uuid, then the version
  // nibble 0100 -> 0111 (bits 52 and 53; set_bit numbers bits from each byte's low end).
  `create function gatehouse_uuid_v7() returns uuid language sql volatile parallel safe as $$
     select encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
       placing substring(int8send(floor(extract(epoch from clock_timestamp()) * 1000)::bigint) from 3)
       from 1 for 6), 52, 1), 53, 1), 'hex')::uuid
   $$`,
  `alter table eligible_emails alter column id set default gatehouse_uuid_v7()`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
