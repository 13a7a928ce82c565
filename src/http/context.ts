/** What routes are given: config, services and guards, built once in buildApp. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { Directory } from '../services/directory.ts';
import { AppError } from '../errors.ts';
import type { Mailer } from '../providers/mail.ts';
import type { AccountService } from '../services/accounts.ts';
import type { MagicLinkService } from '../services/magic-links.ts';
import type { InvitationService } from '../services/invitations.ts';
import type { WebhookService } from '../services/webhooks.ts';
import type { StytchProvider } from '../providers/stytch.ts';
import type { LimitedAction, RateLimiter } from '../services/rate-limits.ts';
import type { KeyRing } from '../services/signing-keys.ts';
import type { IssuedTokens, SecurityEventSink, SessionService } from '../services/sessions.ts';
import { setSessionCookies, type CookieNames } from './credentials.ts';
import type { Guards } from './guards.ts';

export interface HttpContext {
  readonly config: Config;
  /** Users, roles, organizers, the eligible list, the audit log: bound to the database (routes never see it). */
  readonly directory: Directory;
  readonly guards: Guards;
  readonly cookies: CookieNames;
  readonly sessions: SessionService;
  readonly accounts: AccountService;
  readonly magicLinks: MagicLinkService;
  readonly invitations: InvitationService;
  readonly webhooks: WebhookService;
  readonly stytch: StytchProvider | null;
  /** Asymmetric signing keys (EdDSA/ES256); null for HS256. */
  readonly keyRing: KeyRing | null;
  readonly limiter: RateLimiter;
  readonly mailer: Mailer;
  readonly securityEvent: SecurityEventSink;
  /** Work after the response (mail, provider clean-up); failures are logged. */
  readonly background: (label: string, work: () => Promise<void>) => void;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Rate-limit counters this request added to (given back if it ends in a 5xx: app.ts). */
    countedAttempts?: readonly string[];
  }
}

/** 429 with Retry-After when the client IP or the account is over its limit. */
export async function enforceLimit(ctx: HttpContext, action: LimitedAction, request: FastifyRequest, account: string | null): Promise<void> {
  const decision = await ctx.limiter.check(action, request.ip, account);
  request.countedAttempts = [...(request.countedAttempts ?? []), ...decision.counted];
  if (decision.allowed) return;
  ctx.securityEvent('rate_limit_hit', { action, dimension: decision.dimension, ip: request.ip });
  throw new AppError('rate_limited', { retryAfterSeconds: decision.retryAfter });
}

export function clientInfo(request: FastifyRequest): { userAgent: string | null; ip: string | null } {
  const agent = request.headers['user-agent'];
  return { userAgent: typeof agent === 'string' ? agent : null, ip: request.ip };
}

export function startSession(ctx: HttpContext, reply: FastifyReply, tokens: IssuedTokens): void {
  setSessionCookies(reply, ctx.cookies, tokens, { access: ctx.config.accessTokenTtl, session: ctx.config.sessionTtl });
}

/** The /authenticate and /refresh body. */
export function tokenBody(
  ctx: HttpContext,
  tokens: IssuedTokens,
): { access_token: string; token_type: 'bearer'; user_roles: string[]; refresh_token: string; expires_in: number } {
  return {
    access_token: tokens.accessToken,
    token_type: 'bearer',
    user_roles: [...tokens.roles],
    refresh_token: tokens.refreshToken,
    expires_in: ctx.config.accessTokenTtl,
  };
}
