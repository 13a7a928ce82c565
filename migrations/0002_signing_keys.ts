/**
 * Asymmetric signing keys (JWT_ALGORITHM EdDSA or ES256), shared by every instance through the
 * database. The private key is stored encrypted (AES-256-GCM under a key derived from
 * JWT_SECRET); the public key is published at /.well-known/jwks.json until the key is retired.
 */
import { sql, type Kysely } from 'kysely';

const STATEMENTS: readonly string[] = [
  `create table signing_keys (
     kid text primary key,
     alg text not null check (alg in ('EdDSA', 'ES256')),
     public_jwk jsonb not null,
     private_jwk_encrypted text not null,
     created_at timestamptz not null default now(),
     retired_at timestamptz
   )`,
  `create index signing_keys_alg_idx on signing_keys (alg, created_at) where retired_at is null`,
];

export async function up(db: Kysely<unknown>): Promise<void> {
  for (const statement of STATEMENTS) {
    await sql.raw(statement).execute(db);
  }
}
