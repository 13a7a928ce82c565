/** Where a request carries its access token: `Authorization: Bearer`, else the session cookie. */

/** Gatehouse's access cookie: `__Host-access_token` in production, `access_token` in development. */
const COOKIE_NAMES = ['__Host-access_token', 'access_token'] as const;

function fromCookieHeader(header: string): string | null {
  for (const name of COOKIE_NAMES) {
    for (const part of header.split(';')) {
      const [key, ...rest] = part.trim().split('=');
      if (key === name && rest.length > 0) {
        const value = rest.join('=');
        return value === '' ? null : value;
      }
    }
  }
  return null;
}

/** The access token of a request's headers, or null. A header may be a string or a list (Node). */
export function tokenFromHeaders(headers: { authorization?: string | string[] | null; cookie?: string | string[] | null }): string | null {
  const authorization = Array.isArray(headers.authorization) ? headers.authorization[0] : headers.authorization;
  if (typeof authorization === 'string') {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    return match?.[1] ?? null;
  }
  const cookie = Array.isArray(headers.cookie) ? headers.cookie.join('; ') : headers.cookie;
  return typeof cookie === 'string' ? fromCookieHeader(cookie) : null;
}
