/**
 * The CSRF rule for unsafe methods (POST, PUT, PATCH, DELETE):
 * - a request authenticated by `Authorization: Bearer` is never a CSRF (a browser does not attach
 *   it on its own), so its Origin does not matter;
 * - otherwise an Origin header, when present, must be an allowed origin (this also stops login
 *   CSRF on the unauthenticated routes);
 * - a request that carries our auth cookies must prove it is same-site: an allowed Origin, or
 *   else an allowed Referer, or else `Sec-Fetch-Site: same-origin`. Without any of them it is
 *   refused: browsers always send one of them on a cross-site POST.
 */
export interface CsrfInput {
  readonly method: string;
  readonly hasBearer: boolean;
  readonly hasAuthCookie: boolean;
  readonly origin: string | undefined;
  readonly referer: string | undefined;
  readonly secFetchSite: string | undefined;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

function originOf(url: string): string | null {
  try {
    return new URL(url).origin;
  } catch {
    return null;
  }
}

/** True when the request may proceed. */
export function passesCsrf(input: CsrfInput, allowedOrigins: ReadonlySet<string>): boolean {
  if (SAFE_METHODS.has(input.method.toUpperCase()) || input.hasBearer) return true;
  if (input.origin !== undefined && input.origin !== '') {
    return allowedOrigins.has(input.origin);
  }
  if (!input.hasAuthCookie) return true;
  if (input.referer !== undefined && input.referer !== '') {
    const origin = originOf(input.referer);
    return origin !== null && allowedOrigins.has(origin);
  }
  return input.secFetchSite === 'same-origin';
}
