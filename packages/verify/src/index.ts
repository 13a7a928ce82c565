/** @gatehouse/verify: Gatehouse's access tokens and role guards for the services behind it. */
export { createVerifier, type Freshness, type Verifier, type VerifierOptions } from './verifier.ts';
export { GatehouseAuthError, type GatehouseErrorCode } from './errors.ts';
export { hasAllSystemRoles, hasOrganizerRole, hasSystemRole, type OrganizerRole, type Principal } from './principal.ts';
export { tokenFromHeaders } from './token.ts';
