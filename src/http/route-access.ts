/**
 * Installs each route's guard from its `config.access` (route-contract.ts), so the guard that
 * runs and the contract the OpenAPI document states come from the same declaration. A route
 * plugin calls this first, naming the access of routes that declare none.
 */
import type { FastifyInstance, onRequestAsyncHookHandler, RouteOptions } from 'fastify';
import { AppError } from '../errors.ts';
import { createAccess, type GuardHook } from './access.ts';
import type { HttpContext } from './context.ts';
import { bearerToken, hasAuthCookie } from './credentials.ts';
import type { RouteAccess } from './route-contract.ts';
import { closedSchema } from './validation.ts';

function guardFor(ctx: HttpContext, access: RouteAccess, hooks: ReturnType<typeof createAccess>): GuardHook | null {
  if (typeof access !== 'string') return hooks.organizerGuard(access.organizer, access.selfParam === undefined ? {} : { selfParam: access.selfParam });
  switch (access) {
    case 'public':
    case 'optional':
    case 'refresh':
      return null;
    case 'session':
      // Logout: a caller with no credential at all is refused before anything is read.
      return async (request) => {
        if (bearerToken(request) === null && !hasAuthCookie(request, ctx.cookies))
          throw new AppError('not_authenticated', { headers: { 'www-authenticate': 'Bearer' } });
      };
    case 'user':
      return ctx.guards.requireUser as GuardHook;
    case 'admin':
      return hooks.requireAdmin;
    case 'service':
      return hooks.requireApiKey;
  }
}

function refusesUnknownFields(access: RouteAccess): boolean {
  return access === 'admin' || typeof access !== 'string';
}

function asList(hooks: RouteOptions['onRequest']): onRequestAsyncHookHandler[] {
  if (hooks === undefined) return [];
  return (Array.isArray(hooks) ? hooks : [hooks]) as onRequestAsyncHookHandler[];
}

/** Every route registered in `app` after this gets the guard of its access (or `fallback`). */
export function installAccess(app: FastifyInstance, ctx: HttpContext, fallback: RouteAccess): void {
  const hooks = createAccess(ctx);
  app.addHook('onRoute', (route) => {
    // Mutated in place: the route table (app.ts) holds this object.
    const config = (route.config ??= {});
    config.access ??= fallback;
    const guard = guardFor(ctx, config.access, hooks);
    if (guard !== null) route.onRequest = [guard as onRequestAsyncHookHandler, ...asList(route.onRequest)];
    // Admin and organizer bodies refuse fields they do not name (validation.ts); the seeds'
    // public routes stay lenient.
    if (refusesUnknownFields(config.access) && route.schema?.body !== undefined) route.schema = { ...route.schema, body: closedSchema(route.schema.body) };
  });
}
