/**
 * createVerifier: checks a Gatehouse access token and says who it stands for.
 *
 * The algorithm is pinned by how the verifier is made: HS256 with the shared `secret`, or
 * EdDSA/ES256 with keys from the `jwksUrl` (a token never chooses its own algorithm or key).
 * The JWKS is cached and fetched again when a token names a kid the cache lacks (at most once per
 * 5 s): Gatehouse publishes a rotated key JWKS_MAX_AGE_SECONDS before it signs with it, so a
 * rotation never causes a 401 here.
 *
 * Freshness, stated plainly:
 * - `offline` trusts a valid token until it expires (ACCESS_TOKEN_TTL, 15 minutes by default):
 *   a revoked session or role is noticed at the user's next refresh.
 * - `introspect` also asks Gatehouse (POST /v1/auth/introspect) and caches the answer for
 *   `maxAgeSeconds`: a revocation is noticed within that many seconds. Gatehouse unreachable
 *   means 503, never a guess.
 */
import { createSecretKey, type KeyObject } from 'node:crypto';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { GatehouseAuthError } from './errors.ts';
import { hasAllSystemRoles, hasOrganizerRole, hasSystemRole, organizerRoles, type OrganizerRole, type Principal } from './principal.ts';

export type Freshness =
  | {
      readonly mode: 'offline';
      /** Optional: lets the guards ask Gatehouse when a token's role or organizer list was truncated. */
      readonly apiKey?: string;
      readonly introspectionUrl?: string;
    }
  | {
      readonly mode: 'introspect';
      /** How long an answer is reused: the longest a revocation can go unnoticed. */
      readonly maxAgeSeconds: number;
      /** Gatehouse's API_KEY (sent as X-API-Key). */
      readonly apiKey?: string;
      /** Defaults to `${issuer}/v1/auth/introspect`. */
      readonly introspectionUrl?: string;
    };

export interface VerifierOptions {
  /** The tokens' `iss`: Gatehouse's PUBLIC_URL. */
  readonly issuer: string;
  /** EdDSA/ES256 deployments: `${PUBLIC_URL}/.well-known/jwks.json`. */
  readonly jwksUrl?: string;
  /** HS256 deployments: Gatehouse's JWT_SECRET. */
  readonly secret?: string;
  /** Default `{ mode: 'offline' }`. */
  readonly freshness?: Freshness;
  /** Seconds of clock skew allowed on `exp` (default 0, as Gatehouse itself). */
  readonly clockToleranceSeconds?: number;
  /** How long fetched keys are trusted without a refetch (default 300 s, Gatehouse's JWKS_MAX_AGE_SECONDS). */
  readonly jwksCacheMaxAgeSeconds?: number;
  /** Introspection request timeout (default 2,000 ms). */
  readonly introspectionTimeoutMs?: number;
}

export interface Verifier {
  /** The principal of a valid token; GatehouseAuthError 401 (no or bad token) or 503 otherwise. */
  verify(token: string | null | undefined): Promise<Principal>;
  /** Whether the verifier holds credentials to ask Gatehouse. */
  readonly canIntrospect: boolean;
  /** The token's principal as Gatehouse sees it now (cached `maxAgeSeconds`, default 30 s in offline mode). */
  introspect(token: string): Promise<Principal>;
  /**
   * The principal if it holds any of `names` (all of them with `{ all: true }`); when the token's
   * list was truncated and lacks them, Gatehouse is asked (or, without credentials, refused).
   * GatehouseAuthError 403 `missing_role` otherwise.
   */
  ensureSystemRole(principal: Principal, token: string, names: readonly string[], options?: { all?: boolean }): Promise<Principal>;
  /** The same for a role in an organizer (owner ≥ admin ≥ member). */
  ensureOrganizerRole(principal: Principal, token: string, organizerUuid: string, roles: readonly OrganizerRole[]): Promise<Principal>;
}

const JWKS_COOLDOWN_MS = 5_000;
const CACHE_LIMIT = 10_000;
const OFFLINE_FALLBACK_MAX_AGE_SECONDS = 30;

function stringList(value: unknown): string[] | null {
  return Array.isArray(value) && value.every((item) => typeof item === 'string') ? value : null;
}

/** Gatehouse's access-token claims, or null when the payload is not one. */
function principalFromClaims(payload: JWTPayload): Principal | null {
  const roles = stringList(payload.roles);
  const { sub, email, sid, exp } = payload;
  if (typeof sub !== 'string' || payload.user_id !== sub || typeof email !== 'string' || typeof sid !== 'string' || typeof exp !== 'number' || roles === null)
    return null;
  return {
    userId: sub,
    email,
    roles,
    organizers: organizerRoles(payload.organizers),
    sessionId: sid,
    expiresAt: new Date(exp * 1000),
    amr: stringList(payload.amr) ?? [],
    aal: payload.aal === 2 ? 2 : 1,
    rolesTruncated: payload.roles_truncated === true,
    organizersTruncated: payload.organizers_truncated === true,
    source: 'token',
  };
}

/** The introspection answer as a principal (lists complete and current), or null for inactive. */
function principalFromIntrospection(body: Record<string, unknown>, fromToken: Principal): Principal | null {
  if (body.active !== true || body.sub !== fromToken.userId) return null;
  const roles = stringList(body.roles) ?? [];
  return {
    ...fromToken,
    email: typeof body.email === 'string' ? body.email : fromToken.email,
    roles,
    organizers: organizerRoles(body.organizers),
    amr: stringList(body.amr) ?? fromToken.amr,
    aal: body.aal === 2 ? 2 : fromToken.aal,
    rolesTruncated: false,
    organizersTruncated: false,
    source: 'introspection',
  };
}

function invalidToken(detail = 'Invalid authentication token'): GatehouseAuthError {
  return new GatehouseAuthError('invalid_token', detail);
}

function checkOptions(options: VerifierOptions): void {
  if (typeof options.issuer !== 'string' || options.issuer === '') throw new TypeError('createVerifier: issuer (Gatehouse PUBLIC_URL) is required');
  if ((options.jwksUrl === undefined) === (options.secret === undefined))
    throw new TypeError('createVerifier: give exactly one of jwksUrl (EdDSA/ES256) or secret (HS256)');
  const freshness = options.freshness;
  if (freshness?.mode === 'introspect') {
    if (!(freshness.maxAgeSeconds >= 0)) throw new TypeError('createVerifier: freshness.maxAgeSeconds must be a number ≥ 0');
    if (freshness.apiKey === undefined || freshness.apiKey === '') throw new TypeError('createVerifier: introspect mode needs freshness.apiKey');
  }
}

interface CacheEntry {
  readonly until: number;
  readonly principal: Principal | null;
}

export function createVerifier(options: VerifierOptions): Verifier {
  checkOptions(options);
  const freshness: Freshness = options.freshness ?? { mode: 'offline' };
  const clockTolerance = options.clockToleranceSeconds ?? 0;
  const algorithms = options.secret !== undefined ? ['HS256'] : ['EdDSA', 'ES256'];
  // A KeyObject made once: jose would otherwise import raw bytes on every verify.
  const key: KeyObject | ReturnType<typeof createRemoteJWKSet> =
    options.secret !== undefined
      ? createSecretKey(Buffer.from(options.secret, 'utf8'))
      : createRemoteJWKSet(new URL(options.jwksUrl ?? ''), {
          cooldownDuration: JWKS_COOLDOWN_MS,
          cacheMaxAge: (options.jwksCacheMaxAgeSeconds ?? 300) * 1000,
        });
  const apiKey = freshness.apiKey;
  const introspectionUrl = freshness.introspectionUrl ?? `${options.issuer.replace(/\/$/, '')}/v1/auth/introspect`;
  const maxAgeMs = (freshness.mode === 'introspect' ? freshness.maxAgeSeconds : OFFLINE_FALLBACK_MAX_AGE_SECONDS) * 1000;
  const timeoutMs = options.introspectionTimeoutMs ?? 2_000;
  const cache = new Map<string, CacheEntry>();
  const inFlight = new Map<string, Promise<Principal | null>>();

  async function verifyLocally(token: string): Promise<Principal> {
    let payload: JWTPayload;
    try {
      const verified =
        typeof key === 'function'
          ? await jwtVerify(token, key, { algorithms, issuer: options.issuer, clockTolerance, requiredClaims: ['sub', 'sid', 'exp', 'iat'] })
          : await jwtVerify(token, key, { algorithms, issuer: options.issuer, clockTolerance, requiredClaims: ['sub', 'sid', 'exp', 'iat'] });
      payload = verified.payload;
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw invalidToken('Access token expired: refresh it');
      if (error instanceof joseErrors.JOSEError) throw invalidToken();
      // The JWKS could not be fetched (network): not the token's fault, and not a pass either.
      throw new GatehouseAuthError('service_unavailable', 'Gatehouse keys are unavailable; try again shortly');
    }
    const principal = principalFromClaims(payload);
    if (principal === null) throw invalidToken();
    return principal;
  }

  async function ask(token: string, fromToken: Principal): Promise<Principal | null> {
    let response: Response;
    try {
      response = await fetch(introspectionUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-api-key': apiKey ?? '', accept: 'application/json' },
        body: new URLSearchParams({ token, token_type_hint: 'access_token' }).toString(),
        signal: AbortSignal.timeout(timeoutMs),
        redirect: 'error',
      });
    } catch {
      throw new GatehouseAuthError('service_unavailable', 'Gatehouse introspection is unavailable; try again shortly');
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new GatehouseAuthError('service_unavailable', `Gatehouse introspection answered ${response.status}`);
    }
    const body = (await response.json()) as Record<string, unknown>;
    return principalFromIntrospection(body, fromToken);
  }

  function remember(token: string, principal: Principal | null, expiresAt: Date): void {
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value ?? '');
    cache.set(token, { until: Math.min(Date.now() + maxAgeMs, expiresAt.getTime()), principal });
  }

  /** Gatehouse's answer for a token verified locally: cached, one request per token at a time. */
  async function introspected(token: string, fromToken: Principal): Promise<Principal> {
    if (apiKey === undefined) throw new GatehouseAuthError('missing_role', 'This service cannot ask Gatehouse (no apiKey) and the token does not say');
    const cached = cache.get(token);
    let principal: Principal | null;
    if (cached !== undefined && cached.until > Date.now()) {
      principal = cached.principal;
    } else {
      let pending = inFlight.get(token);
      if (pending === undefined) {
        pending = ask(token, fromToken).finally(() => inFlight.delete(token));
        inFlight.set(token, pending);
      }
      principal = await pending;
      remember(token, principal, fromToken.expiresAt);
    }
    if (principal === null) throw invalidToken('Access token revoked');
    return principal;
  }

  return {
    canIntrospect: apiKey !== undefined,

    async verify(token): Promise<Principal> {
      if (typeof token !== 'string' || token === '') throw new GatehouseAuthError('not_authenticated', 'Not authenticated');
      const fromToken = await verifyLocally(token);
      return freshness.mode === 'introspect' ? introspected(token, fromToken) : fromToken;
    },

    async introspect(token): Promise<Principal> {
      return introspected(token, await verifyLocally(token));
    },

    async ensureSystemRole(principal, token, names, { all = false } = {}): Promise<Principal> {
      const holds = (p: Principal): boolean => (all ? hasAllSystemRoles(p, ...names) : hasSystemRole(p, ...names));
      if (holds(principal)) return principal;
      // A truncated list proves nothing by what it lacks: ask, or refuse (introspected() says why).
      const current = principal.rolesTruncated ? await introspected(token, principal) : principal;
      if (holds(current)) return current;
      throw new GatehouseAuthError('missing_role', `User does not have the required role: ${names.join(all ? ' and ' : ' or ')}`);
    },

    async ensureOrganizerRole(principal, token, organizerUuid, roles): Promise<Principal> {
      if (hasOrganizerRole(principal, organizerUuid, ...roles)) return principal;
      const current = principal.organizersTruncated ? await introspected(token, principal) : principal;
      if (hasOrganizerRole(current, organizerUuid, ...roles)) return current;
      throw new GatehouseAuthError('missing_role', roles.length === 0 ? 'Not a member of this organizer' : `Requires the organizer role ${roles.join(' or ')}`);
    },
  };
}
