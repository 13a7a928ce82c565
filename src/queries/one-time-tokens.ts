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
export async function consumeOneTimeToken(db: Db, tokenHash: string, purpose: TokenPurpose, verifierChallenge: string | null = null): Promise<ConsumedToken | null> {
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
