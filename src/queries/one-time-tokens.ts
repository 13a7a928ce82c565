/** SQL for single-use tokens (magic links, email verification, password reset). */
import { sql } from 'kysely';
import type { Db } from '../db/connect.ts';
import type { TokenPurpose } from '../db/schema.ts';

/** A newer token for the same email and purpose retires the older unused ones. */
export async function insertOneTimeToken(
  db: Db,
  fields: { tokenHash: string; email: string; purpose: TokenPurpose; ttlSeconds: number; codeChallenge?: string | null; redirectUrl?: string | null },
): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('one_time_tokens')
      .set({ consumed_at: sql<Date>`now()` })
      .where('email', '=', fields.email)
      .where('purpose', '=', fields.purpose)
      .where('consumed_at', 'is', null)
      .execute();
    await trx
      .insertInto('one_time_tokens')
      .values({
        token_hash: fields.tokenHash,
        email: fields.email,
        purpose: fields.purpose,
        code_challenge: fields.codeChallenge ?? null,
        redirect_url: fields.redirectUrl ?? null,
        expires_at: sql<Date>`now() + make_interval(secs => ${fields.ttlSeconds})`,
      })
      .execute();
  });
}

export interface ConsumedToken {
  readonly email: string;
  readonly code_challenge: string | null;
  readonly redirect_url: string | null;
}

/**
 * Redeems in one atomic statement: of any number of concurrent redemptions, exactly one gets
 * the row; the purpose is part of the match, so a token of one purpose is useless for another.
 * A token sent with a PKCE challenge matches only with the right verifier's challenge, so a
 * wrong verifier neither redeems nor burns it.
 */
export async function consumeOneTimeToken(
  db: Db,
  tokenHash: string,
  purpose: TokenPurpose,
  verifierChallenge: string | null = null,
): Promise<ConsumedToken | null> {
  const row = await db
    .updateTable('one_time_tokens')
    .set({ consumed_at: sql<Date>`now()` })
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .where((eb) => eb.or([eb('code_challenge', 'is', null), eb('code_challenge', '=', verifierChallenge)]))
    .returning(['email', 'code_challenge', 'redirect_url'])
    .executeTakeFirst();
  return row ?? null;
}

/**
 * Retires every outstanding token of an address (all purposes, or the given ones): after a
 * password change or reset, a deactivation or a deletion, no link mailed before it may still work.
 */
export async function retireOneTimeTokens(db: Db, email: string, purposes?: readonly TokenPurpose[]): Promise<number> {
  let query = db
    .updateTable('one_time_tokens')
    .set({ consumed_at: sql<Date>`now()` })
    .where('email', '=', email)
    .where('consumed_at', 'is', null);
  if (purposes !== undefined) query = query.where('purpose', 'in', [...purposes]);
  const result = await query.executeTakeFirst();
  return Number(result.numUpdatedRows);
}

/** The address of a live, unused token of this purpose, without using it up. */
export async function peekOneTimeToken(db: Db, tokenHash: string, purpose: TokenPurpose): Promise<string | null> {
  const row = await db
    .selectFrom('one_time_tokens')
    .select('email')
    .where('token_hash', '=', tokenHash)
    .where('purpose', '=', purpose)
    .where('consumed_at', 'is', null)
    .where('expires_at', '>', sql<Date>`now()`)
    .executeTakeFirst();
  return row?.email ?? null;
}
