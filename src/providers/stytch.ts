/**
 * The Stytch magic-link provider, through the official SDK. STYTCH_ENV is `test`, `live`, or a
 * base URL (tests point it at a fake Stytch on 127.0.0.1).
 *
 * Failures map to our answers: a Stytch 4xx (unknown, used or expired token, PKCE mismatch) is
 * an invalid token (401); a Stytch 5xx, a network failure or no answer within the timeout is
 * "unavailable" (503) — never a sign-in. The SDK's own `timeout` option does not reach fetch,
 * so every call is bounded here.
 */
import type * as StytchSdk from 'stytch';
import { AppError } from '../errors.ts';

type StytchModule = typeof StytchSdk;
type StytchErrorClass = StytchModule['StytchError'];

export interface StytchSettings {
  readonly projectId: string;
  readonly secret: string;
  readonly env: string;
  /** Milliseconds before a call counts as unavailable. */
  readonly timeoutMs?: number;
}

export interface StytchAuthResult {
  readonly userId: string;
  readonly sessionToken: string;
}

export interface StytchProvider {
  loginOrCreate(email: string, options: { magicLinkUrl: string; codeChallenge?: string | null; expirationMinutes: number }): Promise<void>;
  authenticate(token: string, options: { codeVerifier?: string | null; sessionDurationMinutes: number }): Promise<StytchAuthResult>;
  /** The user's primary email, from users.get. */
  userEmail(userId: string): Promise<string>;
  revokeSession(sessionToken: string): Promise<void>;
}

const DEFAULT_TIMEOUT_MS = 5_000;

function baseUrl(stytch: StytchModule, env: string): string {
  if (env === 'test') return stytch.envs.test;
  if (env === 'live') return stytch.envs.live;
  return env.endsWith('/') ? env : `${env}/`;
}

class StytchTimeout extends Error {}

async function bounded<T>(work: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new StytchTimeout(`no answer from Stytch in ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Stytch's verdict on a token → 401; anything that is Stytch not answering → 503. */
function mapError(StytchError: StytchErrorClass, error: unknown): AppError {
  // Wrong project credentials are our misconfiguration, not the user's bad token.
  if (error instanceof StytchError && error.error_type === 'unauthorized_credentials') {
    return new AppError('service_unavailable', { message: 'provider_credentials' });
  }
  if (error instanceof StytchError && typeof error.status_code === 'number' && error.status_code < 500 && error.status_code !== 429) {
    return new AppError('invalid_token');
  }
  return new AppError('service_unavailable', { message: 'provider_unavailable' });
}

/** The SDK is imported only when Stytch is configured. */
export async function createStytchProvider(settings: StytchSettings): Promise<StytchProvider> {
  const stytch: StytchModule = await import('stytch');
  const client = new stytch.Client({ project_id: settings.projectId, secret: settings.secret, env: baseUrl(stytch, settings.env) });
  const timeoutMs = settings.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function call<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await bounded(work(), timeoutMs);
    } catch (error) {
      throw mapError(stytch.StytchError, error);
    }
  }

  return {
    async loginOrCreate(email, options): Promise<void> {
      await call(() =>
        client.magicLinks.email.loginOrCreate({
          email,
          login_magic_link_url: options.magicLinkUrl,
          signup_magic_link_url: options.magicLinkUrl,
          login_expiration_minutes: options.expirationMinutes,
          signup_expiration_minutes: options.expirationMinutes,
          ...(options.codeChallenge ? { code_challenge: options.codeChallenge } : {}),
        }),
      );
    },
    async authenticate(token, options): Promise<StytchAuthResult> {
      const response = await call(() =>
        client.magicLinks.authenticate({
          token,
          session_duration_minutes: options.sessionDurationMinutes,
          ...(options.codeVerifier ? { code_verifier: options.codeVerifier } : {}),
        }),
      );
      return { userId: response.user_id, sessionToken: response.session_token };
    },
    async userEmail(userId): Promise<string> {
      const user = await call(() => client.users.get({ user_id: userId }));
      const email = user.emails[0]?.email;
      if (email === undefined) throw new AppError('invalid_token');
      return email;
    },
    async revokeSession(sessionToken): Promise<void> {
      await call(() => client.sessions.revoke({ session_token: sessionToken }));
    },
  };
}

/** The Stytch session duration for our session lifetime, within Stytch's 5..527040 minutes. */
export function stytchSessionMinutes(sessionTtlSeconds: number): number {
  return Math.min(527_040, Math.max(5, Math.round(sessionTtlSeconds / 60)));
}
