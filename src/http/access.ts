/**
 * Access to the admin and organizer routes. These guards run in `onRequest`, before the body
 * is parsed or validated: an unauthenticated caller gets 401, never a 422 that describes the
 * route, and nobody can make the server parse a 100,000-address body before saying who they are.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';
import { constantTimeEqual } from '../security/tokens.ts';
import type { Actor } from '../services/memberships.ts';
import { may, rolesAllowedTo, standingIn, type OrganizerAction, type OrganizerStanding } from '../services/organizer-permissions.ts';
import { effectiveRoles } from '../services/user-view.ts';
import { type OrganizerRow } from '../queries/organizers.ts';
import type { HttpContext } from './context.ts';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
    organizer?: OrganizerRow;
    organizerStanding?: OrganizerStanding;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type GuardHook = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

function actorFor(request: FastifyRequest, actor: string): Actor {
  return { actor, ip: request.ip, requestId: request.id };
}

/** The acting user or API key, set by a guard. */
export function actorOf(request: FastifyRequest): Actor {
  if (request.actor === undefined) throw new AppError('not_authenticated');
  return request.actor;
}

export function organizerOf(request: FastifyRequest): { organizer: OrganizerRow; standing: OrganizerStanding } {
  if (request.organizer === undefined || request.organizerStanding === undefined) throw new AppError('forbidden');
  return { organizer: request.organizer, standing: request.organizerStanding };
}

export interface Access {
  /** X-API-Key (constant-time) or an active, unsuspended admin membership. */
  requireAdmin: GuardHook;
  /** X-API-Key only (a service behind Gatehouse, not a person). */
  requireApiKey: GuardHook;
  /** The caller's standing in the organizer of `:id` must allow `action`. */
  organizerGuard(action: OrganizerAction, options?: { selfParam?: string }): GuardHook;
}

export function createAccess(ctx: HttpContext): Access {
  const adminGuard = ctx.guards.requireSystemRole('admin');

  /** Checks a presented X-API-Key (constant time); a wrong one is refused, never passed on. */
  function acceptApiKey(request: FastifyRequest, presented: string | string[]): void {
    if (ctx.config.apiKey === null || typeof presented !== 'string' || !constantTimeEqual(presented, ctx.config.apiKey)) {
      ctx.securityEvent('authorization_failure', { reason: 'invalid_api_key', ip: request.ip });
      throw new AppError('invalid_api_key');
    }
    request.actor = actorFor(request, 'api_key');
  }

  return {
    async requireApiKey(request): Promise<void> {
      const presented = request.headers['x-api-key'];
      if (presented === undefined) throw new AppError('not_authenticated', { message: 'api_key_required' });
      acceptApiKey(request, presented);
    },

    async requireAdmin(request, reply): Promise<void> {
      const presented = request.headers['x-api-key'];
      if (presented !== undefined) {
        // A wrong key never falls back to the cookie: the caller chose the key.
        acceptApiKey(request, presented);
        return;
      }
      await adminGuard.call(request.server, request, reply);
      const principal = request.principal;
      if (principal === undefined || principal === null) throw new AppError('not_authenticated');
      request.actor = actorFor(request, principal.uuid);
    },

    organizerGuard(action, options = {}): GuardHook {
      return async (request) => {
        const params = request.params as Record<string, string | undefined>;
        const principal = await ctx.guards.principalOf(request);
        if (principal === null) throw new AppError('not_authenticated', { headers: { 'www-authenticate': 'Bearer' } });
        if (!principal.is_active || principal.is_deleted) throw new AppError('user_inactive');
        const id = params.id ?? '';
        const organizer = UUID.test(id) ? await ctx.directory.organizers.find(id) : null;
        if (organizer === null) throw new AppError('organizer_not_found');
        const standing = standingIn({ systemRoles: effectiveRoles(principal.system), organizers: principal.organizers }, organizer.uuid);
        // A member may do to themselves what the route's selfParam allows (leave the organizer);
        // whether they may do it to this target is the service's rule (mayRemove).
        const self = options.selfParam !== undefined && params[options.selfParam] === principal.uuid;
        if (standing === null || (!may(standing, action) && !self)) {
          ctx.securityEvent('authorization_failure', { user_id: principal.uuid, organizer_uuid: organizer.uuid, action });
          throw new AppError('missing_role', { message: 'missing_roles', params: { roles: rolesAllowedTo(action).join(', ') } });
        }
        request.actor = actorFor(request, principal.uuid);
        request.organizer = organizer;
        request.organizerStanding = standing;
      };
    },
  };
}
