/**
 * Checks every answer against its route's contract (route-contract.ts): a status, or an error
 * code, that the OpenAPI document does not declare for the operation is reported. The tests
 * turn it on for the whole suite (test/helpers/app.ts), so a route cannot answer what its
 * document does not say; production does not pay for it.
 */
import type { FastifyInstance } from 'fastify';
import { cachedContract } from './route-contract.ts';

export type ContractViolationSink = (violation: string) => void;

function errorCodeOf(payload: unknown): string | null {
  if (typeof payload !== 'string') return null;
  try {
    const body = JSON.parse(payload) as { code?: unknown };
    return typeof body.code === 'string' ? body.code : null;
  } catch {
    return null;
  }
}

export function registerContractCheck(app: FastifyInstance, report: ContractViolationSink): void {
  app.addHook('onSend', (request, reply, payload, done) => {
    const route = request.routeOptions;
    const status = reply.statusCode;
    // Unrouted requests (404/405 from the router) and routes outside the API have no contract.
    const contract = route.url === undefined ? null : cachedContract({ method: route.method, schema: route.schema, config: route.config });
    if (contract !== null && status >= 400) {
      const declared = contract.errors.get(status);
      const code = errorCodeOf(payload);
      if (declared === undefined) report(`${request.method} ${route.url} answered ${status} (${code ?? 'no code'}), which its operation does not declare`);
      else if (code === null || !(declared as readonly string[]).includes(code))
        report(`${request.method} ${route.url} answered ${status} with code ${code ?? '(none)'}; it declares ${declared.join(', ')}`);
    }
    done(null, payload);
  });
}
