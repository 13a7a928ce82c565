/**
 * Email addresses: trimmed, NFKC-normalized and lower-cased before they are stored or compared,
 * and checked against a deliberately plain shape — one @, a dotted domain, no spaces or
 * control characters, at most 254 characters (RFC 5321's path limit).
 *
 * Look-alikes: NFKC folds compatibility forms onto their plain letters (fullwidth "ａｄｍｉｎ" is
 * "admin"), so they name the same account. What is left outside printable ASCII — invisible
 * characters such as the zero-width space, other scripts' homoglyphs — is refused: an address
 * an admin cannot tell from another by eye must not name a different account. (International
 * local parts, RFC 6531, are rare in a membership list; the domain is punycode already.)
 */
const MAX_EMAIL_LENGTH = 254;
const EMAIL_SHAPE = /^[^\s@"(),:;<>[\\\]]{1,64}@(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/;

export function normalizeEmail(raw: string): string {
  return raw.trim().normalize('NFKC').toLowerCase();
}

/** Takes a normalized address. */
export function isValidEmail(email: string): boolean {
  return email.length <= MAX_EMAIL_LENGTH && EMAIL_SHAPE.test(email) && /^[\x21-\x7e]+$/.test(email);
}
