/**
 * Magic-link sign-in (Tagline's half), with two providers that may both be on:
 * - builtin: Gatehouse mints a single-use token (stored as a hash, 10 minutes, optional PKCE),
 *   mailed as a link to PUBLIC_URL's landing page or to an allowed redirect_url;
 * - stytch: magic_links.email.login_or_create to send, magic_links.authenticate + users.get to
 *   sign in, exactly as the Tagline seed does.
 * Built-in tokens start with `gh_`, so /authenticate knows which provider a token belongs to.
 * Then, for both: an existing user (by Stytch user id, else by email) signs in and is linked; an
 * unknown email is created only when eligible, with the `member` role; the email is verified.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { AuthProvider, UserRow } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Mailer } from '../providers/mail.ts';
import { stytchSessionMinutes, type StytchProvider } from '../providers/stytch.ts';
import { isEmailEligible } from '../queries/eligibility.ts';
import { findUserByEmail, findUserByStytchId, insertUser } from '../queries/users.ts';
import { isValidEmail, normalizeEmail } from './email-address.ts';
import { welcomeNewUser } from './memberships.ts';
import { pageUrl } from './links.ts';
import { signInMail } from './mail-templates.ts';
import { isBuiltinToken, mintOneTimeToken, redeemOneTimeToken, TOKEN_TTL_SECONDS } from './one-time-tokens.ts';
import { claimIfUnproven, markProvenByLink } from './account-proof.ts';
import type { SecurityEventSink } from './sessions.ts';
import type { Locale } from '../../locales/catalog.ts';

export interface MagicLinkDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'publicUrl' | 'allowedRedirectUrls' | 'authRoutePrefixes' | 'uiPath' | 'sessionTtl' | 'brand'>;
  readonly mailer: Mailer;
  readonly stytch: StytchProvider | null;
  readonly background: (label: string, work: () => Promise<void>) => void;
  readonly onSecurityEvent: SecurityEventSink;
}

export interface SignedInByLink {
  readonly user: UserRow;
  readonly stytchSessionToken: string | null;
}

export interface MagicLinkService {
  /** The allowed redirect URL as given, or a 400 when it is not on ALLOWED_REDIRECT_URLS. */
  checkRedirect(redirectUrl: string | undefined): string | null;
  /** Returns at once; whether a mail goes out is decided after the response. */
  /** `locale`: the language of the mail (the request's). */
  send(input: { email: string; redirectUrl: string | null; codeChallenge: string | null; locale?: Locale }): void;
  authenticate(input: { token: string; codeVerifier: string | null }): Promise<SignedInByLink>;
  landingUrl(): string;
}

function withToken(base: string, token: string): string {
  const url = new URL(base);
  url.searchParams.set('token', token);
  return url.href;
}

/** Exact match on the normalized URL: a prefix rule would admit look-alike paths. */
export function isAllowedRedirect(allowed: readonly string[], candidate: string): boolean {
  let normalized: string;
  try {
    normalized = new URL(candidate).href;
  } catch {
    return false;
  }
  return allowed.includes(normalized);
}

export function createMagicLinkService(deps: MagicLinkDeps): MagicLinkService {
  const { db, config } = deps;
  const landing = pageUrl(config, 'magic_link');

  /** The rule shared by both providers, and by every sign-up path: unknown emails must be eligible. */
  async function resolveUser(rawEmail: string, provider: AuthProvider, stytchUserId: string | null): Promise<UserRow> {
    const email = normalizeEmail(rawEmail);
    let user = (stytchUserId === null ? null : await findUserByStytchId(db, stytchUserId)) ?? (await findUserByEmail(db, email));
    if (user === null) {
      if (!(await isEmailEligible(db, email))) throw new AppError('email_not_eligible');
      // The new user and their member role in one transaction; a concurrent sign-up of the same
      // address inserted it first, and then that one granted the role.
      const created = await db.transaction().execute(async (trx) => {
        const inserted = await insertUser(trx, { email, authProvider: provider, isEmailVerified: true, stytchUserId });
        if (inserted !== null) await welcomeNewUser(trx, inserted.uuid);
        return inserted;
      });
      user = created ?? (await findUserByEmail(db, email));
      if (user === null) throw new AppError('internal_error');
    }
    if (user.is_deleted || !user.is_active) throw new AppError('user_inactive');
    // The link proved the address: a password account nobody had proven becomes the prover's.
    if (await claimIfUnproven(db, user)) deps.onSecurityEvent('unverified_account_claimed', { user_id: user.uuid, by: provider });
    await markProvenByLink(db, user, user.stytch_user_id === null ? stytchUserId : null);
    return user;
  }

  async function deliver(email: string, redirectUrl: string | null, codeChallenge: string | null, locale: Locale): Promise<void> {
    const user = await findUserByEmail(db, email);
    const activeUser = user !== null && user.is_active && !user.is_deleted;
    if (!activeUser && (user !== null || !(await isEmailEligible(db, email)))) return;
    if (deps.stytch !== null) {
      await deps.stytch.loginOrCreate(email, { magicLinkUrl: redirectUrl ?? landing, codeChallenge, expirationMinutes: TOKEN_TTL_SECONDS.login / 60 });
      return;
    }
    const token = await mintOneTimeToken(db, email, 'login', { codeChallenge, redirectUrl });
    await deps.mailer.send(signInMail(email, withToken(redirectUrl ?? landing, token), TOKEN_TTL_SECONDS.login / 60, { locale, brand: config.brand }));
  }

  return {
    landingUrl: () => landing,

    checkRedirect(redirectUrl): string | null {
      if (redirectUrl === undefined || redirectUrl === '') return null;
      if (!isAllowedRedirect(config.allowedRedirectUrls, redirectUrl)) throw new AppError('bad_request', { message: 'redirect_not_allowed' });
      return new URL(redirectUrl).href;
    },

    send(input): void {
      const email = normalizeEmail(input.email);
      if (!isValidEmail(email)) return;
      deps.background('magic link', () => deliver(email, input.redirectUrl, input.codeChallenge, input.locale ?? config.brand.defaultLocale));
    },

    async authenticate(input): Promise<SignedInByLink> {
      if (isBuiltinToken(input.token)) {
        const redeemed = await redeemOneTimeToken(db, input.token, 'login', input.codeVerifier);
        if (redeemed === null) throw new AppError('invalid_token');
        return { user: await resolveUser(redeemed.email, 'magic_link', null), stytchSessionToken: null };
      }
      if (deps.stytch === null) throw new AppError('invalid_token');
      const result = await deps.stytch.authenticate(input.token, {
        codeVerifier: input.codeVerifier,
        sessionDurationMinutes: stytchSessionMinutes(config.sessionTtl),
      });
      const stytch = deps.stytch;
      try {
        const linked = await findUserByStytchId(db, result.userId);
        const email = linked?.email ?? (await stytch.userEmail(result.userId));
        return { user: await resolveUser(email, 'stytch', result.userId), stytchSessionToken: result.sessionToken };
      } catch (error) {
        // We refuse the sign-in, so the session Stytch just made must not outlive the refusal.
        deps.background('revoke refused Stytch session', () => stytch.revokeSession(result.sessionToken));
        throw error;
      }
    },
  };
}
