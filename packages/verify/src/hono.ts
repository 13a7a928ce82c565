/**
 * Hono: `const guard = gatehouse(verifier)`, then
 *
 *   app.get('/admin', guard.requireSystemRole('admin'), handler);
 *   app.get('/organizers/:id/events', guard.requireOrganizerRole('id', 'admin'), handler);
 *
 * `c.get('gatehouse')` is the verified principal. A refusal answers 401/403 (503 when Gatehouse
 * must be asked and cannot be) with `{detail, code}`.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { GatehouseAuthError } from './errors.ts';
import { authenticate, checkOrganizerRole, checkSystemRole, errorHeaders, type Authenticated } from './guard.ts';
import type { OrganizerRole, Principal } from './principal.ts';
import type { Verifier } from './verifier.ts';

export interface GatehouseVariables {
  gatehouse: Principal;
}

type GatehouseEnv = { Variables: GatehouseVariables };

export interface HonoGuards {
  readonly authenticate: MiddlewareHandler<GatehouseEnv>;
  requireSystemRole(...names: readonly string[]): MiddlewareHandler<GatehouseEnv>;
  requireOrganizerRole(paramName: string, ...roles: readonly OrganizerRole[]): MiddlewareHandler<GatehouseEnv>;
}

const seen = new WeakMap<Request, Authenticated>();

export function gatehouse(verifier: Verifier): HonoGuards {
  async function who(c: Context<GatehouseEnv>): Promise<Authenticated> {
    const known = seen.get(c.req.raw);
    if (known !== undefined) return known;
    const found = await authenticate(verifier, { authorization: c.req.header('authorization') ?? null, cookie: c.req.header('cookie') ?? null });
    seen.set(c.req.raw, found);
    c.set('gatehouse', found.principal);
    return found;
  }

  function middleware(check: (c: Context<GatehouseEnv>) => Promise<unknown>): MiddlewareHandler<GatehouseEnv> {
    return async function gatehouseGuard(c, next) {
      try {
        await check(c);
      } catch (error) {
        if (!(error instanceof GatehouseAuthError)) throw error;
        return c.json(error.body(), error.status, errorHeaders(error));
      }
      await next();
    };
  }

  return {
    authenticate: middleware(who),
    requireSystemRole: (...names) =>
      middleware(async (c) => {
        c.set('gatehouse', await checkSystemRole(verifier, await who(c), names));
      }),
    requireOrganizerRole: (paramName, ...roles) =>
      middleware(async (c) => {
        c.set('gatehouse', await checkOrganizerRole(verifier, await who(c), c.req.param(paramName), roles));
      }),
  };
}
