/**
 * What proving an address does to its account (account pre-hijacking, docs/auth.md).
 *
 * Anyone may register a password for an address they do not own. So until the address is
 * proven, such an account (users.password_unproven) is a stranger's claim, not the owner's: the first proof by a
 * mailed link (magic link, Stytch, password reset) makes it the prover's. The password chosen
 * without proof is removed (a reset replaces it), every session made before the proof is
 * revoked, and every other link mailed before it is retired.
 */
import type { Db } from '../db/connect.ts';
import type { UserRow } from '../db/schema.ts';
import { retireOneTimeTokens } from '../queries/one-time-tokens.ts';
import { revokeUserSessions } from '../queries/sessions.ts';
import { claimUnprovenAccount, markEmailVerified, markSignedInByLink } from '../queries/users.ts';
import { emitSessionsRevoked, emitUserEvent } from './webhook-events.ts';

/** True when the account's password was unproven and the account is now the prover's (see above). */
export async function claimIfUnproven(db: Db, user: Pick<UserRow, 'uuid' | 'email' | 'password_unproven'>): Promise<boolean> {
  if (!user.password_unproven) return false;
  return db.transaction().execute(async (trx) => {
    if (!(await claimUnprovenAccount(trx, user.uuid))) return false;
    await revokeUserSessions(trx, user.uuid);
    await emitSessionsRevoked(trx, user.uuid, 'account_claimed');
    await retireOneTimeTokens(trx, user.email);
    return true;
  });
}

/** The address is verified (a verify-email or reset link); user.updated when it was not before. */
export async function markVerified(db: Db, user: Pick<UserRow, 'uuid' | 'is_email_verified'>): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await markEmailVerified(trx, user.uuid);
    if (!user.is_email_verified) await emitUserEvent(trx, 'user.updated', user.uuid, ['is_email_verified']);
  });
}

/** A sign-in by magic link or Stytch proved the address (and may link the Stytch user). */
export async function markProvenByLink(db: Db, user: Pick<UserRow, 'uuid' | 'is_email_verified'>, stytchUserId: string | null): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await markSignedInByLink(trx, user.uuid, stytchUserId);
    if (!user.is_email_verified) await emitUserEvent(trx, 'user.updated', user.uuid, ['is_email_verified']);
  });
}
