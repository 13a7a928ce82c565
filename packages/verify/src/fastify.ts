/**
 * Fastify: `app.register(gatehousePlugin, { verifier })` decorates `request.gatehouse`; then
 * `const guard = gatehouse(verifier)` gives preHandler hooks:
 *
 *   app.get('/admin', { preHandler: guard.requireSystemRole('admin') }, handler);
 *   app.get('/organizers/:id/events', { preHandler: guard.requireOrganizerRole('id', 'admin') }, handler);
 *
 * A refusal answers 401/403 (503 when Gatehouse must be asked and cannot be) with `{detail, code}`.
 */
import type { FastifyPluginAsync, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { GatehouseAuthError } from './errors.ts';
import { authenticate, checkOrganizerRole, checkSystemRole, errorHeaders, type Authenticated } from './guard.ts';
import type { OrganizerRole, Principal } from './principal.ts';
import type { Verifier } from './verifier.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verified principal, after a Gatehouse hook ran (null before). */
    gatehouse: Principal | null;
  }
}

const seen = new WeakMap<FastifyRequest, Authenticated>();

async function refuse(reply: FastifyReply, error: unknown): Promise<FastifyReply> {
  if (!(error instanceof GatehouseAuthError)) throw error;
  return reply.code(error.status).headers(errorHeaders(error)).send(error.body());
}

export interface FastifyGuards {
  readonly authenticate: preHandlerAsyncHookHandler;
  requireSystemRole(...names: readonly string[]): preHandlerAsyncHookHandler;
  requireOrganizerRole(paramName: string, ...roles: readonly OrganizerRole[]): preHandlerAsyncHookHandler;
}

export function gatehouse(verifier: Verifier): FastifyGuards {
  async function who(request: FastifyRequest): Promise<Authenticated> {
    const known = seen.get(request);
    if (known !== undefined) return known;
    const found = await authenticate(verifier, request.headers);
    seen.set(request, found);
    request.gatehouse = found.principal;
    return found;
  }

  function hook(check: (request: FastifyRequest) => Promise<unknown>): preHandlerAsyncHookHandler {
    return async function gatehouseGuard(request, reply) {
      try {
        await check(request);
      } catch (error) {
        return refuse(reply, error);
      }
    };
  }

  return {
    authenticate: hook(who),
    requireSystemRole: (...names) =>
      hook(async (request) => {
        request.gatehouse = await checkSystemRole(verifier, await who(request), names);
      }),
    requireOrganizerRole: (paramName, ...roles) =>
      hook(async (request) => {
        const params = request.params as Record<string, string | undefined>;
        request.gatehouse = await checkOrganizerRole(verifier, await who(request), params[paramName], roles);
      }),
  };
}

/** Decorates `request.gatehouse` (null until a hook verified the token); `verifier` is kept for `gatehouse(…)` callers. */
const plugin: FastifyPluginAsync<{ verifier: Verifier }> = async (app) => {
  if (!app.hasRequestDecorator('gatehouse')) app.decorateRequest('gatehouse', null);
};
// What fastify-plugin does: the decoration is visible outside the plugin's own scope.
(plugin as unknown as Record<symbol, boolean>)[Symbol.for('skip-override')] = true;
export const gatehousePlugin = plugin;
