/**
 * Access tokens: JWTs signed and verified with jose, with the algorithm pinned. A token is
 * refused (null) when its algorithm is not the configured one (this refuses `none` and
 * HS/asymmetric confusion), when its header names a key source (jku, jwk, x5u, x5c: we never
 * let a token choose its own key), when it is expired or not yet valid, or has another issuer.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { decodeProtectedHeader, jwtVerify, SignJWT, type CryptoKey, type JWTPayload } from 'jose';
import { signHs256, timeClaimsValid, verifyHs256Signature, type JsonObject } from './hs256.ts';

export interface AccessClaims {
  readonly sub: string;
  readonly user_id: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly sid: string;
  readonly iat: number;
  readonly exp: number;
  readonly iss: string;
}

/** Asymmetric keys by kid (see services/signing-keys.ts). */
export interface VerificationKeys {
  readonly algorithm: 'EdDSA' | 'ES256';
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
  verificationKey(kid: string): Promise<CryptoKey | null>;
}

export interface JwtSettings {
  readonly secret: string;
  readonly issuer: string;
  /** Seconds. */
  readonly ttl: number;
  /** When set, tokens are signed with these keys (EdDSA/ES256) instead of the HS256 secret. */
  readonly keys?: VerificationKeys;
}

/** An organizer's uuid → the holder's role in it (the `organizers` claim). */
export type OrganizerRoles = Readonly<Record<string, 'owner' | 'admin' | 'member'>>;

export interface SignedClaims {
  readonly userId: string;
  readonly email: string;
  readonly roles: readonly string[];
  readonly sid: string;
  /** Active organizer memberships, for guards of the services behind Gatehouse (@gatehouse/verify). */
  readonly organizers?: OrganizerRoles;
}

export interface JwtCodec {
  sign(claims: SignedClaims, now?: Date): Promise<string>;
  verify(token: string): Promise<AccessClaims | null>;
}

/**
 * The `roles` claim is informative only (authorization reads current memberships), and the token
 * rides in a cookie that must stay under 1 KB: past this many characters of role names the claim
 * is cut and `roles_truncated: true` is set.
 */
export const ROLES_CLAIM_BUDGET = 300;

export function fitRolesClaim(roles: readonly string[]): { roles: string[]; truncated: boolean } {
  const kept: string[] = [];
  let used = 0;
  for (const role of roles) {
    used += role.length + 3;
    if (used > ROLES_CLAIM_BUDGET) return { roles: kept, truncated: true };
    kept.push(role);
  }
  return { roles: kept, truncated: false };
}
/**
 * The `organizers` claim lets a service behind Gatehouse check an organizer role offline. Like
 * `roles`, it is cut past a budget (about seven memberships) and then says
 * `organizers_truncated: true`: @gatehouse/verify then asks Gatehouse (introspection) or refuses,
 * never guesses from a partial list. Gatehouse's own guards never read it (they read the database).
 */
export const ORGANIZERS_CLAIM_BUDGET = 360;

export function fitOrganizersClaim(organizers: OrganizerRoles): { organizers: Record<string, string>; truncated: boolean } {
  const kept: Record<string, string> = {};
  let used = 0;
  for (const [uuid, role] of Object.entries(organizers)) {
    used += uuid.length + role.length + 6;
    if (used > ORGANIZERS_CLAIM_BUDGET) return { organizers: kept, truncated: true };
    kept[uuid] = role;
  }
  return { organizers: kept, truncated: false };
}

const FORBIDDEN_HEADERS = ['jku', 'jwk', 'x5u', 'x5c'] as const;

function isAccessClaims(payload: JWTPayload | JsonObject): payload is JWTPayload & AccessClaims {
  return (
    typeof payload.sub === 'string' &&
    payload.user_id === payload.sub &&
    typeof payload.email === 'string' &&
    typeof payload.sid === 'string' &&
    Array.isArray(payload.roles) &&
    payload.roles.every((role) => typeof role === 'string') &&
    typeof payload.iat === 'number' &&
    typeof payload.exp === 'number'
  );
}

export function createJwtCodec(settings: JwtSettings): JwtCodec {
  // Imported once: handing jose raw bytes makes it import a WebCrypto key on every verify.
  const secretKey: KeyObject = createSecretKey(Buffer.from(settings.secret, 'utf8'));
  const keys = settings.keys;
  const algorithm = keys?.algorithm ?? 'HS256';

  /** The key for this token's header; null when it names none we hold. */
  async function keyFor(kid: unknown): Promise<CryptoKey | KeyObject | null> {
    if (keys === undefined) return secretKey;
    return typeof kid === 'string' && kid.length <= 64 ? keys.verificationKey(kid) : null;
  }

  /** Our claims, and no token "issued" in the future (forged, or from a broken clock). */
  function accepted(payload: JWTPayload | JsonObject, nowSeconds: number): AccessClaims | null {
    return isAccessClaims(payload) && payload.iat <= nowSeconds + 60 ? payload : null;
  }

  /** HS256 (the default) on the request path: node:crypto, synchronous (hs256.ts says why). */
  function verifyWithSecret(token: string): AccessClaims | null {
    const verified = verifyHs256Signature(token, secretKey);
    if (verified === null || FORBIDDEN_HEADERS.some((name) => name in verified.header)) return null;
    const nowSeconds = Math.floor(Date.now() / 1000);
    if (!timeClaimsValid(verified.payload, nowSeconds) || verified.payload.iss !== settings.issuer) return null;
    return accepted(verified.payload, nowSeconds);
  }

  return {
    async sign(claims, now = new Date()): Promise<string> {
      const iat = Math.floor(now.getTime() / 1000);
      const fitted = fitRolesClaim(claims.roles);
      const organizers = fitOrganizersClaim(claims.organizers ?? {});
      const custom = {
        user_id: claims.userId,
        email: claims.email,
        roles: fitted.roles,
        ...(fitted.truncated ? { roles_truncated: true } : {}),
        organizers: organizers.organizers,
        ...(organizers.truncated ? { organizers_truncated: true } : {}),
        sid: claims.sid,
      };
      // HS256 (the default) with node:crypto, as it verifies (hs256.ts says why); the same claims.
      if (keys === undefined) return signHs256({ ...custom, sub: claims.userId, iss: settings.issuer, iat, exp: iat + settings.ttl }, secretKey);
      const { kid, key } = await keys.signingKey();
      return new SignJWT(custom)
        .setProtectedHeader({ alg: algorithm, typ: 'JWT', kid })
        .setSubject(claims.userId)
        .setIssuer(settings.issuer)
        .setIssuedAt(iat)
        .setExpirationTime(iat + settings.ttl)
        .sign(key);
    },
    async verify(token: string): Promise<AccessClaims | null> {
      if (keys === undefined) return verifyWithSecret(token);
      try {
        const header = decodeProtectedHeader(token);
        if (FORBIDDEN_HEADERS.some((name) => name in header)) return null;
        if (header.alg !== algorithm) return null;
        const key = await keyFor(header.kid);
        if (key === null) return null;
        const { payload } = await jwtVerify(token, key, {
          algorithms: [algorithm],
          issuer: settings.issuer,
          requiredClaims: ['sub', 'sid', 'iat', 'exp'],
        });
        return accepted(payload, Math.floor(Date.now() / 1000));
      } catch {
        return null;
      }
    },
  };
}
