/**
 * The RBAC guards (the seed's "RBAC helpers"), as Fastify hooks. Routes run them in `onRequest`,
 * before the body is read or parsed: an anonymous caller cannot make the server parse anything
 * (an embedder may also use them as preHandler hooks). Every guard reads the
 * caller's CURRENT session and memberships (one round trip, cached on the request), never the
 * roles inside an old token: a revoked session or role stops working on the next request.
 *
 *   requireUser                         a valid credential of an active, undeleted user
 *   requireSystemRole(...names)         an active, unsuspended membership in any of them
 *   requireAllSystemRoles(...names)     ... in all of them
 *   requireOrganizerRole(param, ...r)   an active membership of that organizer with one of r
 *                                       (a system admin passes every organizer guard)
 */
import type { FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import type { Db } from '../db/connect.ts';
import type { OrganizerRole } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { loadPrincipal, touchSession, type Principal } from '../queries/principal.ts';
import type { JwtCodec } from '../security/jwt.ts';
import { standingIn } from '../services/organizer-permissions.ts';
import { effectiveRoles } from '../services/user-view.ts';
import { presentedCredential, type CookieNames } from './credentials.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** undefined: not looked up yet; null: no valid credential. */
    principal?: Principal | null;
    authVia?: 'bearer' | 'cookie';
  }
}

export interface GuardDeps {
  readonly db: Db;
  readonly jwt: JwtCodec;
  readonly cookies: CookieNames;
  readonly onSecurityEvent: (event: string, fields: Record<string, unknown>) => void;
  /** Runs work off the request path (the once-a-minute last_seen_at refresh). */
  readonly onBackground: (label: string, work: () => Promise<void>) => void;
}

export interface Guards {
  /** The caller, or null; looks it up once per request. */
  principalOf(request: FastifyRequest): Promise<Principal | null>;
  requireUser: preHandlerAsyncHookHandler;
  requireSystemRole(...names: string[]): preHandlerAsyncHookHandler;
  requireAllSystemRoles(...names: string[]): preHandlerAsyncHookHandler;
  requireOrganizerRole(paramName: string, ...roles: OrganizerRole[]): preHandlerAsyncHookHandler;
}

/** The user behind a guarded route; call only after a guard ran. */
export function currentUser(request: FastifyRequest): Principal {
  if (request.principal === undefined || request.principal === null) throw new AppError('not_authenticated');
  return request.principal;
}

export function createGuards(deps: GuardDeps): Guards {
  async function principalOf(request: FastifyRequest): Promise<Principal | null> {
    if (request.principal !== undefined) return request.principal;
    const credential = presentedCredential(request, deps.cookies);
    let principal: Principal | null = null;
    if (credential !== null) {
      const claims = await deps.jwt.verify(credential.token);
      const loaded = claims === null ? null : await loadPrincipal(deps.db, claims.sid, claims.sub);
      if (loaded !== null) {
        request.authVia = credential.via;
        if (loaded.seen_stale) deps.onBackground('touch session', () => touchSession(deps.db, loaded.session_id));
        principal = loaded;
      }
    }
    request.principal = principal;
    return principal;
  }

  async function requireActiveUser(request: FastifyRequest): Promise<Principal> {
    const principal = await principalOf(request);
    if (principal === null) throw new AppError('not_authenticated', { headers: { 'www-authenticate': 'Bearer' } });
    if (!principal.is_active || principal.is_deleted) throw new AppError('user_inactive');
    return principal;
  }

  function refuse(request: FastifyRequest, principal: Principal, missing: readonly string[]): never {
    deps.onSecurityEvent('authorization_failure', { user_id: principal.uuid, route: request.routeOptions.url, missing });
    throw new AppError('missing_role', { message: 'missing_roles', params: { roles: missing.join(', ') } });
  }

  return {
    principalOf,
    requireUser: async (request: FastifyRequest, _reply: FastifyReply): Promise<void> => {
      await requireActiveUser(request);
    },
    requireSystemRole(...names: string[]): preHandlerAsyncHookHandler {
      return async (request: FastifyRequest): Promise<void> => {
        const principal = await requireActiveUser(request);
        const roles = new Set(effectiveRoles(principal.system));
        if (!names.some((name) => roles.has(name))) refuse(request, principal, names);
      };
    },
    requireAllSystemRoles(...names: string[]): preHandlerAsyncHookHandler {
      return async (request: FastifyRequest): Promise<void> => {
        const principal = await requireActiveUser(request);
        const roles = new Set(effectiveRoles(principal.system));
        const missing = names.filter((name) => !roles.has(name));
        if (missing.length > 0) refuse(request, principal, missing);
      };
    },
    requireOrganizerRole(paramName: string, ...roles: OrganizerRole[]): preHandlerAsyncHookHandler {
      return async (request: FastifyRequest): Promise<void> => {
        const principal = await requireActiveUser(request);
        const organizerUuid = (request.params as Record<string, string | undefined>)[paramName] ?? '';
        // The same standing rule as the organizer routes' guard (a system admin passes every one).
        const standing = standingIn({ systemRoles: effectiveRoles(principal.system), organizers: principal.organizers }, organizerUuid);
        if (standing === null || (standing !== 'system_admin' && !roles.includes(standing))) refuse(request, principal, roles);
      };
    },
  };
}
