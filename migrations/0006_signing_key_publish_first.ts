/**
 * signing_keys.signs_from: a rotated key is published in the JWKS at once but signs only from
 * this moment, once every verifier's cached JWKS (JWKS_MAX_AGE_SECONDS) and every instance's key
 * reload (SIGNING_KEY_RELOAD_SECONDS) have passed: a token never carries a kid that a verifier
 * with a still-fresh cache has not seen. Existing keys sign from now, as they did.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<unknown>): Promise<void> {
  await sql`alter table signing_keys add column signs_from timestamptz not null default now()`.execute(db);
}
