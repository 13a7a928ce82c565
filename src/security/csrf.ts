/**
 * The CSRF rule for unsafe methods (POST, PUT, PATCH, DELETE):
 * - a request authenticated by `Authorization: Bearer` (or the valid API key) is never a CSRF (a
 *   browser does not attach it on its own), so its Origin does not matter;
 * - otherwise an Origin header, when present, must be an allowed origin (this also stops login
 *   CSRF on the unauthenticated routes);
 * - a request that carries our auth cookies, to a route the cookies authenticate, must show it
 *   is same-site: an allowed Origin, or else an allowed Referer, or else
 *   `Sec-Fetch-Site: same-origin`, or else an `X-Requested-With` header (any value). A browser
 *   sends Origin on every cross-site POST, and cannot add a custom header cross-site without a
 *   CORS preflight that only allowed origins pass; a client that is not a browser (curl,
 *   requests) meets the rule by sending either header itself.
 * Routes whose credential is in the body (login, register, the mailed-token routes) do not read
 * the cookies, so stale cookies in a client's jar never get such a request refused.
 */
export interface CsrfInput {
  readonly method: string;
  readonly hasBearer: boolean;
  /** Auth cookies are present and this route reads them. */
  readonly hasAuthCookie: boolean;
  readonly origin: string | undefined;
  readonly referer: string | undefined;
  readonly secFetchSite: string | undefined;
  readonly hasRequestedWith: boolean;
}

export type CsrfVerdict = { readonly allowed: true } | { readonly allowed: false; readonly reason: 'foreign_origin' | 'foreign_referer' | 'no_origin' };

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const ALLOWED: CsrfVerdict = { allowed: true };

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

export function judgeCsrf(input: CsrfInput, allowedOrigins: ReadonlySet<string>): CsrfVerdict {
  if (SAFE_METHODS.has(input.method.toUpperCase()) || input.hasBearer) return ALLOWED;
  if (input.origin !== undefined && input.origin !== '') {
    return allowedOrigins.has(input.origin) ? ALLOWED : { allowed: false, reason: 'foreign_origin' };
  }
  if (!input.hasAuthCookie) return ALLOWED;
  if (input.referer !== undefined && input.referer !== '') {
    const origin = originOf(input.referer);
    return origin !== null && allowedOrigins.has(origin) ? ALLOWED : { allowed: false, reason: 'foreign_referer' };
  }
  if (input.secFetchSite === 'same-origin' || input.hasRequestedWith) return ALLOWED;
  return { allowed: false, reason: 'no_origin' };
}
