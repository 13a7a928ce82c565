/**
 * Single-use tokens for magic links, email verification and password reset: 256 random bits,
 * stored only as a hash, bound to one purpose, redeemed by one atomic statement.
 */
import type { Db } from '../db/connect.ts';
import type { TokenPurpose } from '../db/schema.ts';
import { consumeOneTimeToken, insertOneTimeToken, peekOneTimeToken, type ConsumedToken } from '../queries/one-time-tokens.ts';
import { hashToken, pkceChallenge, randomToken } from '../security/tokens.ts';

/** Built-in tokens start with this, so they are told apart from Stytch's tokens. */
export const BUILTIN_TOKEN_PREFIX = 'gh_';

export const TOKEN_TTL_SECONDS: Readonly<Record<TokenPurpose, number>> = {
  login: 10 * 60,
  verify_email: 24 * 60 * 60,
  reset_password: 30 * 60,
};

export async function mintOneTimeToken(
  db: Db,
  email: string,
  purpose: TokenPurpose,
  options: { codeChallenge?: string | null; redirectUrl?: string | null } = {},
): Promise<string> {
  const token = `${BUILTIN_TOKEN_PREFIX}${randomToken(32)}`;
  await insertOneTimeToken(db, { tokenHash: hashToken(token), email, purpose, ttlSeconds: TOKEN_TTL_SECONDS[purpose], ...options });
  return token;
}

export function isBuiltinToken(token: string): boolean {
  return token.startsWith(BUILTIN_TOKEN_PREFIX);
}

export async function redeemOneTimeToken(db: Db, token: string, purpose: TokenPurpose, codeVerifier: string | null = null): Promise<ConsumedToken | null> {
  if (!isBuiltinToken(token) || token.length > 200) return null;
  return consumeOneTimeToken(db, hashToken(token), purpose, codeVerifier === null ? null : pkceChallenge(codeVerifier));
}

/** The address a live token of this purpose was minted for, without using the token up. */
export async function peekToken(db: Db, token: string, purpose: TokenPurpose): Promise<string | null> {
  if (!isBuiltinToken(token) || token.length > 200) return null;
  return peekOneTimeToken(db, hashToken(token), purpose);
}
