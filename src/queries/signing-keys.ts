/** SQL for asymmetric signing keys. */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';

export interface SigningKeyRow {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  readonly public_jwk: unknown;
  readonly private_jwk_encrypted: string;
  readonly created_at: Date;
  readonly signs_from: Date;
}

/** Live (unretired) keys of an algorithm, newest first. */
export async function liveSigningKeys(db: Db, alg: 'EdDSA' | 'ES256'): Promise<SigningKeyRow[]> {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'public_jwk', 'private_jwk_encrypted', 'created_at', 'signs_from'])
    .where('alg', '=', alg)
    .where('retired_at', 'is', null)
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
}

/** `signsAfterSeconds`: how long the key is only published before it signs (0: at once). */
export async function insertSigningKey(
  db: Db,
  key: { kid: string; alg: 'EdDSA' | 'ES256'; publicJwk: object; privateJwkEncrypted: string; signsAfterSeconds: number },
): Promise<void> {
  await db
    .insertInto('signing_keys')
    .values({
      kid: key.kid,
      alg: key.alg,
      public_jwk: JSON.stringify(key.publicJwk),
      private_jwk_encrypted: key.privateJwkEncrypted,
      signs_from: sql<Date>`now() + make_interval(secs => ${key.signsAfterSeconds})`,
    })
    .execute();
}

export interface SigningKeySummary {
  readonly kid: string;
  readonly alg: 'EdDSA' | 'ES256';
  readonly created_at: Date;
  readonly signs_from: Date;
  readonly retired_at: Date | null;
}

/** Every key, newest first, retired ones included (for `gatehouse keys list`). */
export async function allSigningKeys(db: Db): Promise<SigningKeySummary[]> {
  return db
    .selectFrom('signing_keys')
    .select(['kid', 'alg', 'created_at', 'signs_from', 'retired_at'])
    .orderBy('created_at', 'desc')
    .orderBy('kid', 'desc')
    .execute();
}

/** Marks a live key retired; false when there is no such live key. */
export async function markSigningKeyRetired(db: Db, kid: string): Promise<boolean> {
  const result = await db.updateTable('signing_keys').set({ retired_at: new Date() }).where('kid', '=', kid).where('retired_at', 'is', null).executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
