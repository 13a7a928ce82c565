/** The CSRF rule of security/csrf.ts on every request, with refusals that say what to send. */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { judgeCsrf, type CsrfVerdict } from '../security/csrf.ts';
import type { SecurityEventSink } from '../services/sessions.ts';
import { bearerToken, hasAuthCookie, hasValidApiKey, type CookieNames } from './credentials.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * 'body': the route's credential travels in the body (a password, a mailed token), and the
     * session cookies are not read, so they do not subject it to the cookie rule.
     */
    credentials?: 'body';
  }
}

export interface CsrfDeps {
  readonly cookies: CookieNames;
  readonly apiKey: string | null;
  readonly allowedOrigins: ReadonlySet<string>;
  /** PUBLIC_URL's origin, for the message that tells a client what to send. */
  readonly publicOrigin: string;
  readonly securityEvent: SecurityEventSink;
}

function singleHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/** The refusal, saying what was wrong and what to send. */
function refusal(verdict: Exclude<CsrfVerdict, { allowed: true }>, request: FastifyRequest, publicOrigin: string): AppError {
  if (verdict.reason === 'foreign_origin')
    return new AppError('csrf_rejected', { message: 'csrf_foreign_origin', params: { origin: String(request.headers.origin) } });
  if (verdict.reason === 'foreign_referer') return new AppError('csrf_rejected', { message: 'csrf_foreign_referer' });
  return new AppError('csrf_rejected', { message: 'csrf_no_origin', params: { origin: publicOrigin } });
}

export function registerCsrf(app: FastifyInstance, deps: CsrfDeps): void {
  app.addHook('onRequest', (request, _reply, done) => {
    const withCookie = hasAuthCookie(request, deps.cookies) && request.routeOptions.config.credentials !== 'body';
    const verdict = judgeCsrf(
      {
        method: request.method,
        // Only a valid key exempts, and a request that also carries the cookies is judged as the cookies'.
        hasBearer: bearerToken(request) !== null || (!withCookie && hasValidApiKey(request, deps.apiKey)),
        hasAuthCookie: withCookie,
        origin: request.headers.origin,
        referer: request.headers.referer,
        secFetchSite: singleHeader(request.headers['sec-fetch-site']),
        hasRequestedWith: request.headers['x-requested-with'] !== undefined,
      },
      deps.allowedOrigins,
    );
    if (!verdict.allowed) {
      deps.securityEvent('csrf_rejected', {
        method: request.method,
        url: request.routeOptions.url,
        origin: request.headers.origin ?? null,
        reason: verdict.reason,
      });
      done(refusal(verdict, request, deps.publicOrigin));
      return;
    }
    done();
  });
}
