/**
 * Express: `const guard = gatehouse(verifier)`, then
 *
 *   app.get('/admin', guard.requireSystemRole('admin'), handler);
 *   app.get('/organizers/:id/events', guard.requireOrganizerRole('id', 'admin'), handler);
 *
 * `req.gatehouse` is the verified principal. A refusal answers 401/403 (503 when Gatehouse must be
 * asked and cannot be) with `{detail, code}`.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { GatehouseAuthError } from './errors.ts';
import { authenticate, checkOrganizerRole, checkSystemRole, errorHeaders, type Authenticated } from './guard.ts';
import type { OrganizerRole, Principal } from './principal.ts';
import type { Verifier } from './verifier.ts';

declare global {
  // Express's own extension point for request properties is this global namespace.
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      gatehouse?: Principal;
    }
  }
}

export interface ExpressGuards {
  readonly authenticate: RequestHandler;
  requireSystemRole(...names: readonly string[]): RequestHandler;
  requireOrganizerRole(paramName: string, ...roles: readonly OrganizerRole[]): RequestHandler;
}

const seen = new WeakMap<Request, Authenticated>();

export function gatehouse(verifier: Verifier): ExpressGuards {
  async function who(req: Request): Promise<Authenticated> {
    const known = seen.get(req);
    if (known !== undefined) return known;
    const found = await authenticate(verifier, req.headers);
    seen.set(req, found);
    req.gatehouse = found.principal;
    return found;
  }

  function middleware(check: (req: Request) => Promise<unknown>): RequestHandler {
    return function gatehouseGuard(req: Request, res: Response, next: NextFunction): void {
      check(req).then(
        () => next(),
        (error: unknown) => {
          if (!(error instanceof GatehouseAuthError)) return next(error);
          res.status(error.status).set(errorHeaders(error)).json(error.body());
        },
      );
    };
  }

  return {
    authenticate: middleware(who),
    requireSystemRole: (...names) =>
      middleware(async (req) => {
        req.gatehouse = await checkSystemRole(verifier, await who(req), names);
      }),
    requireOrganizerRole: (paramName, ...roles) =>
      middleware(async (req) => {
        const organizer = req.params[paramName];
        req.gatehouse = await checkOrganizerRole(verifier, await who(req), typeof organizer === 'string' ? organizer : undefined, roles);
      }),
  };
}
