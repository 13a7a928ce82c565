/**
 * Email addresses: trimmed and lower-cased before they are stored or compared (the spec's rule),
 * and checked against a deliberately plain shape — one @, a dotted domain, no spaces or
 * control characters, at most 254 characters (RFC 5321's path limit).
 */
const MAX_EMAIL_LENGTH = 254;
const EMAIL_SHAPE = /^[^\s@"(),:;<>[\\\]]{1,64}@(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function normalizeEmail(raw: string): string {
  return raw.trim().toLowerCase();
}

/** Takes a normalized address. */
export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(email) && !/\p{Cc}/u.test(email);
}
