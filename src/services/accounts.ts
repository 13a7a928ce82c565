/**
 * Password accounts (ActiFlow's half): register, login, email verification, forgotten and
 * changed passwords. No HTTP here; failures are AppErrors.
 */
import type { Config } from '../config.ts';
import type { Db } from '../db/connect.ts';
import type { UserRow } from '../db/schema.ts';
import { AppError, fieldError } from '../errors.ts';
import type { Mailer } from '../providers/mail.ts';
import { isEmailEligible } from '../queries/eligibility.ts';
import { findUserByEmail, findUserByUuid, insertUser, setPasswordHash } from '../queries/users.ts';
import { dummyPasswordHash, hashPassword, needsRehash, passwordProblem, verifyPassword } from '../security/passwords.ts';
import { isValidEmail, normalizeEmail } from './email-address.ts';
import { welcomeNewUser } from './memberships.ts';
import { linkFor } from './links.ts';
import { resetPasswordMail, verifyEmailMail } from './mail-templates.ts';
import { mintOneTimeToken, peekToken, redeemOneTimeToken, TOKEN_TTL_SECONDS } from './one-time-tokens.ts';
import { claimIfUnproven, markVerified } from './account-proof.ts';
import { retireOneTimeTokens } from '../queries/one-time-tokens.ts';
import type { SecurityEventSink, SessionService } from './sessions.ts';
import type { Locale } from '../../locales/catalog.ts';
import type { MailLook } from './mail-templates.ts';

export interface AccountDeps {
  readonly db: Db;
  readonly config: Pick<Config, 'signupMode' | 'publicUrl' | 'uiPath' | 'authRoutePrefixes' | 'brand'>;
  readonly mailer: Mailer;
  readonly sessions: SessionService;
  readonly onSecurityEvent: SecurityEventSink;
  /** Runs work after the response (mail sending), logging failures. */
  readonly background: (label: string, work: () => Promise<void>) => void;
}

export interface AccountService {
  /** `locale`: the language of the verification mail (the request's). */
  register(input: { email: string; password: string; name?: string | null; locale?: Locale }): Promise<UserRow>;
  login(input: { email: string; password: string }): Promise<UserRow>;
  /** `signedInAs`: the user whose session presented the request, if any. */
  verifyEmail(token: string, signedInAs: string | null): Promise<UserRow>;
  forgotPassword(rawEmail: string, locale?: Locale): void;
  resetPassword(token: string, password: string): Promise<void>;
  changePassword(userUuid: string, sessionId: string, current: string, next: string): Promise<void>;
}

export function requireValidEmail(raw: string, field: readonly (string | number)[] = ['email']): string {
  const email = normalizeEmail(raw);
  if (!isValidEmail(email)) throw fieldError(field, 'value is not a valid email address', 'value_error.email');
  return email;
}

function requireStrongPassword(password: string, field: string): void {
  const problem = passwordProblem(password);
  if (problem !== null) throw fieldError([field], problem, 'value_error.password');
}

export function createAccountService(deps: AccountDeps): AccountService {
  const { db, mailer, config } = deps;

  const look = (locale: Locale | undefined): MailLook => ({ locale: locale ?? config.brand.defaultLocale, brand: config.brand });

  async function sendVerification(user: UserRow, locale: Locale | undefined): Promise<void> {
    const token = await mintOneTimeToken(db, user.email, 'verify_email');
    await mailer.send(verifyEmailMail(user.email, linkFor(config, 'verify_email', token), TOKEN_TTL_SECONDS.verify_email / 60, look(locale)));
  }

  return {
    async register(input): Promise<UserRow> {
      const email = requireValidEmail(input.email);
      requireStrongPassword(input.password, 'password');
      if (config.signupMode === 'closed') throw new AppError('signup_closed');
      if (config.signupMode === 'allowlist' && !(await isEmailEligible(db, email))) throw new AppError('email_not_eligible');
      const passwordHash = await hashPassword(input.password);
      // The user and their member role in one transaction: never a user without the role.
      const user = await db.transaction().execute(async (trx) => {
        const inserted = await insertUser(trx, {
          email,
          name: input.name ?? null,
          passwordHash,
          authProvider: 'local',
          isEmailVerified: false,
          passwordUnproven: true,
        });
        if (inserted === null) throw new AppError('email_taken');
        await welcomeNewUser(trx, inserted.uuid);
        return inserted;
      });
      deps.background('verification mail', () => sendVerification(user, input.locale));
      return user;
    },

    async login(input): Promise<UserRow> {
      const email = normalizeEmail(input.email);
      const user = isValidEmail(email) ? await findUserByEmail(db, email) : null;
      // Unknown email, deleted user, or no password: the same argon2 work and the same answer.
      const stored = user !== null && !user.is_deleted ? user.password_hash : null;
      const matches = await verifyPassword(stored ?? (await dummyPasswordHash()), input.password);
      if (user === null || stored === null || !matches || user.is_deleted) {
        deps.onSecurityEvent('login_failure', { email, reason: user === null ? 'unknown_email' : 'bad_password' });
        throw new AppError('invalid_credentials');
      }
      if (!user.is_active) throw new AppError('user_inactive');
      if (needsRehash(stored)) await setPasswordHash(db, user.uuid, await hashPassword(input.password));
      return user;
    },

    async verifyEmail(token, signedInAs): Promise<UserRow> {
      const email = await peekToken(db, token, 'verify_email');
      const user = email === null ? null : await findUserByEmail(db, email);
      if (user === null || user.is_deleted || !user.is_active) throw new AppError('invalid_token');
      // The link proves the mailbox; the session proves the password. Only both together make a
      // self-registered account its owner's (else a stranger's registration would be
      // confirmed by its victim's click). The token is not used up, so it works after signing in.
      if (user.password_unproven && signedInAs !== user.uuid) throw new AppError('sign_in_required');
      if ((await redeemOneTimeToken(db, token, 'verify_email')) === null) throw new AppError('invalid_token');
      await markVerified(db, user);
      return user;
    },

    forgotPassword(rawEmail, locale): void {
      const email = requireValidEmail(rawEmail);
      // After the response: the answer and its timing must not say whether the account exists.
      deps.background('password reset mail', async () => {
        const user = await findUserByEmail(db, email);
        if (user === null || user.is_deleted || !user.is_active) return;
        const token = await mintOneTimeToken(db, email, 'reset_password');
        await mailer.send(resetPasswordMail(email, linkFor(config, 'reset_password', token), TOKEN_TTL_SECONDS.reset_password / 60, look(locale)));
      });
    },

    async resetPassword(token, password): Promise<void> {
      // Check the new password first: a weak one must not burn the token.
      requireStrongPassword(password, 'password');
      const redeemed = await redeemOneTimeToken(db, token, 'reset_password');
      if (redeemed === null) throw new AppError('invalid_token');
      const user = await findUserByEmail(db, redeemed.email);
      if (user === null || user.is_deleted || !user.is_active) throw new AppError('invalid_token');
      // The mail reached its owner: an unverified account becomes theirs (sessions and links of
      // whoever registered it end), and the address is verified.
      if (await claimIfUnproven(db, user)) deps.onSecurityEvent('unverified_account_claimed', { user_id: user.uuid, by: 'password_reset' });
      await setPasswordHash(db, user.uuid, await hashPassword(password));
      await markVerified(db, user);
      await deps.sessions.revokeAllForUser(user.uuid, 'password_reset');
      await retireOneTimeTokens(db, user.email);
      deps.onSecurityEvent('password_reset', { user_id: user.uuid });
    },

    async changePassword(userUuid, sessionId, current, next): Promise<void> {
      const user = await findUserByUuid(db, userUuid);
      if (user === null) throw new AppError('not_authenticated');
      const matches = await verifyPassword(user.password_hash ?? (await dummyPasswordHash()), current);
      if (!matches || user.password_hash === null) {
        deps.onSecurityEvent('password_change_failure', { user_id: userUuid });
        throw new AppError('invalid_credentials', { message: 'current_password_incorrect' });
      }
      requireStrongPassword(next, 'new_password');
      await setPasswordHash(db, user.uuid, await hashPassword(next));
      await deps.sessions.revokeAllForUser(user.uuid, 'password_change', sessionId);
      // A reset or sign-in link mailed before the change must not undo it.
      await retireOneTimeTokens(db, user.email);
    },
  };
}
