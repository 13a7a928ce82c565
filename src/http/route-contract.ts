/**
 * What a route promises its callers, derived from one declaration per route:
 *
 *   config.access   who may call it (public, a signed-in user, an admin, an organizer role);
 *                   the guard is installed from it (route-access.ts) and the OpenAPI security
 *                   requirement and the 401/403/404 answers are derived from it here
 *   config.errors   the catalog codes its service can answer besides those
 *
 * Every other answer follows from the route's shape: a body can be malformed (400), too large
 * (413), of the wrong type (415) or invalid (422); a cookie-credentialed write can be refused as
 * cross-site (403); any request can fail with 500, 503 or 504. The OpenAPI document (openapi.ts)
 * and the test that checks every answer against it (contract-check.ts) both read this.
 */
import type { RouteOptions } from 'fastify';
import { ERROR_CATALOG, type ErrorCode } from '../errors.ts';
import type { OrganizerAction } from '../services/organizer-permissions.ts';

/**
 *   public    no credential is read
 *   optional  the session is read when one is presented (bearer or access cookie)
 *   refresh   the refresh token, in the body or the refresh cookie
 *   session   any credential of a session (bearer, access or refresh cookie); logout
 *   user      an active, undeleted user (bearer or access cookie)
 *   admin     the API key, or a user with an active admin membership
 *   service   the API key only: a service behind Gatehouse (token introspection)
 *   organizer the caller's standing in the organizer of `:id` allows `action`
 */
export type RouteAccess =
  | 'public'
  | 'optional'
  | 'refresh'
  | 'session'
  | 'user'
  | 'admin'
  | 'service'
  | { readonly organizer: OrganizerAction; /** A member may do this to themselves (removing themselves). */ readonly selfParam?: string };

declare module 'fastify' {
  interface FastifyContextConfig {
    access?: RouteAccess;
    /** Catalog codes the route's own work can answer (not those its access and shape imply). */
    errors?: readonly ErrorCode[];
    /** A body the route reads itself (documented; Fastify does not validate it). */
    rawBody?: { readonly contentType: string; readonly description: string };
    /** The route accepts a missing body (validated as `{}`). */
    bodyOptional?: boolean;
  }
}

/** One alternative of an OpenAPI security requirement: scheme name → scopes. */
export type SecurityRequirement = Readonly<Record<string, readonly string[]>>;

export interface RouteContract {
  readonly access: RouteAccess;
  /** Status → the codes the route may answer with it, sorted. */
  readonly errors: ReadonlyMap<number, readonly ErrorCode[]>;
  /** OpenAPI `security`: one alternative must be met; `{}` means none is needed. */
  readonly security: readonly SecurityRequirement[];
}

const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Any request can meet these: a bug, load shedding or a database outage, its deadline. */
const EVERY_ROUTE: readonly ErrorCode[] = ['internal_error', 'service_unavailable', 'overloaded', 'database_unavailable', 'request_timeout'];
/** Any request with a body: it is parsed before validation. */
const BODY_ERRORS: readonly ErrorCode[] = ['bad_request', 'invalid_json', 'payload_too_large', 'unsupported_media_type'];

const ACCESS_ERRORS: Readonly<Record<string, readonly ErrorCode[]>> = {
  public: [],
  optional: [],
  refresh: ['invalid_token'],
  session: ['not_authenticated'],
  user: ['not_authenticated', 'user_inactive'],
  admin: ['not_authenticated', 'invalid_api_key', 'missing_role', 'user_inactive'],
  service: ['not_authenticated', 'invalid_api_key'],
  organizer: ['not_authenticated', 'user_inactive', 'missing_role', 'organizer_not_found'],
};

const ACCESS_SECURITY: Readonly<Record<string, readonly SecurityRequirement[]>> = {
  public: [],
  optional: [{}, { bearer: [] }, { cookie: [] }],
  refresh: [{}, { refreshCookie: [] }],
  session: [{ bearer: [] }, { cookie: [] }, { refreshCookie: [] }],
  user: [{ bearer: [] }, { cookie: [] }],
  admin: [{ apiKey: [] }, { bearer: [] }, { cookie: [] }],
  service: [{ apiKey: [] }],
  organizer: [{ bearer: [] }, { cookie: [] }],
};

export function accessKind(access: RouteAccess): keyof typeof ACCESS_ERRORS {
  return typeof access === 'string' ? access : 'organizer';
}

function methodsOf(route: Pick<RouteOptions, 'method'>): readonly string[] {
  return Array.isArray(route.method) ? route.method : [route.method as string];
}

interface RouteShape {
  readonly method: RouteOptions['method'];
  readonly schema?: { readonly body?: unknown; readonly querystring?: unknown; readonly params?: unknown };
  readonly config?: { readonly access?: RouteAccess; readonly errors?: readonly ErrorCode[]; readonly rawBody?: unknown };
}

/** The route's contract, or null when it declares no access (it is not part of the API). */
export function routeContract(route: RouteShape): RouteContract | null {
  const access = route.config?.access;
  if (access === undefined) return null;
  const writes = methodsOf(route).some((method) => !SAFE_METHODS.has(method));
  const codes = new Set<ErrorCode>([...EVERY_ROUTE, ...(ACCESS_ERRORS[accessKind(access)] ?? []), ...(route.config?.errors ?? [])]);
  // A write is refused as cross-site when it shows a foreign Origin (login CSRF too), or when
  // it carries the cookies of a route that reads them without showing it is same-site.
  if (writes) for (const code of [...BODY_ERRORS, 'csrf_rejected' as const]) codes.add(code);
  const schema = route.schema ?? {};
  if (schema.body !== undefined || schema.querystring !== undefined || schema.params !== undefined) codes.add('validation_error');
  const errors = new Map<number, ErrorCode[]>();
  for (const code of [...codes].sort()) {
    const status = ERROR_CATALOG[code].status;
    errors.set(status, [...(errors.get(status) ?? []), code]);
  }
  return { access, errors, security: ACCESS_SECURITY[accessKind(access)] ?? [] };
}

/** Contracts are computed once per route (the config object is the route's own). */
const cache = new WeakMap<object, RouteContract | null>();

export function cachedContract(route: RouteShape & { readonly config: object }): RouteContract | null {
  if (!cache.has(route.config)) cache.set(route.config, routeContract(route));
  return cache.get(route.config) ?? null;
}
