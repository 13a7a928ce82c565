/**
 * What every adapter does, framework aside: read the token, verify it once per request, then
 * check a system or organizer role. The adapters only translate requests and answers.
 */
import { GatehouseAuthError } from './errors.ts';
import type { OrganizerRole, Principal } from './principal.ts';
import { tokenFromHeaders } from './token.ts';
import type { Verifier } from './verifier.ts';

export interface Authenticated {
  readonly principal: Principal;
  readonly token: string;
}

type Headers = Parameters<typeof tokenFromHeaders>[0];

export async function authenticate(verifier: Verifier, headers: Headers): Promise<Authenticated> {
  const token = tokenFromHeaders(headers);
  if (token === null) throw new GatehouseAuthError('not_authenticated', 'Not authenticated');
  return { principal: await verifier.verify(token), token };
}

export async function checkSystemRole(verifier: Verifier, who: Authenticated, names: readonly string[]): Promise<Principal> {
  return verifier.ensureSystemRole(who.principal, who.token, names);
}

export async function checkOrganizerRole(
  verifier: Verifier,
  who: Authenticated,
  organizerUuid: string | undefined,
  roles: readonly OrganizerRole[],
): Promise<Principal> {
  // No organizer in the path (a route wired to the wrong parameter name) is a refusal, not a pass.
  if (organizerUuid === undefined || organizerUuid === '') throw new GatehouseAuthError('missing_role', 'No organizer named in the request');
  return verifier.ensureOrganizerRole(who.principal, who.token, organizerUuid, roles);
}

/** Headers of an answer: 401 says how to authenticate (RFC 6750), 503 when to come back. */
export function errorHeaders(error: GatehouseAuthError): Record<string, string> {
  if (error.status === 401) return { 'www-authenticate': error.code === 'invalid_token' ? 'Bearer error="invalid_token"' : 'Bearer' };
  if (error.status === 503) return { 'retry-after': '2' };
  return {};
}
