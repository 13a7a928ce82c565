/**
 * How a caller proves who it is: `Authorization: Bearer <jwt>` or the `access_token` cookie
 * (`__Host-access_token` outside development: Secure, no Domain, Path=/, so no subdomain can
 * plant it). This module reads credentials and writes/clears the session cookies.
 */
import type {} from '@fastify/cookie';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config.ts';
import type { IssuedTokens } from '../services/sessions.ts';
import { constantTimeEqual } from '../security/tokens.ts';

export interface CookieNames {
  readonly access: string;
  readonly refresh: string;
  readonly secure: boolean;
}

export function cookieNames(config: Pick<Config, 'nodeEnv'>): CookieNames {
  const secure = config.nodeEnv === 'production';
  return secure ? { access: '__Host-access_token', refresh: '__Host-refresh_token', secure } : { access: 'access_token', refresh: 'refresh_token', secure };
}

export interface PresentedCredential {
  readonly token: string;
  readonly via: 'bearer' | 'cookie';
}

export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1] ?? null;
}

export function presentedCredential(request: FastifyRequest, names: CookieNames): PresentedCredential | null {
  const bearer = bearerToken(request);
  if (bearer !== null) return { token: bearer, via: 'bearer' };
  const cookie = request.cookies[names.access];
  return cookie !== undefined && cookie !== '' ? { token: cookie, via: 'cookie' } : null;
}

export function hasAuthCookie(request: FastifyRequest, names: CookieNames): boolean {
  return request.cookies[names.access] !== undefined || request.cookies[names.refresh] !== undefined;
}

export function setSessionCookies(reply: FastifyReply, names: CookieNames, tokens: IssuedTokens, ttl: { access: number; session: number }): void {
  const base = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: names.secure };
  reply.setCookie(names.access, tokens.accessToken, { ...base, maxAge: ttl.access });
  reply.setCookie(names.refresh, tokens.refreshToken, { ...base, maxAge: ttl.session });
  reply.header('cache-control', 'no-store');
}

/**
 * Clears both cookies with the attributes they were set with. The access cookie is overwritten
 * with an empty value that lapses in a second rather than deleted outright: curl 7.88 (Debian
 * 12's) keeps the old value of every cookie but the last one a response deletes, so a second
 * deletion in one response would leave the access token in its jar. An empty value is no
 * credential, and every client drops it a second later.
 */
export function clearSessionCookies(reply: FastifyReply, names: CookieNames): void {
  const base = { httpOnly: true, sameSite: 'lax' as const, path: '/', secure: names.secure };
  reply.setCookie(names.access, '', { ...base, maxAge: 1 });
  reply.clearCookie(names.refresh, base);
  reply.header('cache-control', 'no-store');
}

/** X-API-Key equal to API_KEY (constant time: the key is a secret). */
export function hasValidApiKey(request: FastifyRequest, apiKey: string | null): boolean {
  const presented = request.headers['x-api-key'];
  return apiKey !== null && typeof presented === 'string' && constantTimeEqual(presented, apiKey);
}
