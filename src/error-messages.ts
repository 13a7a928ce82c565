/**
 * The messages an error answers with when its code's default (errors.ts) is not specific enough:
 * one template per situation, with `{name}` placeholders, so no throw site writes free text and
 * every message can be read, reviewed (and later translated) in one place.
 */
export const ERROR_MESSAGES = {
  // Sign-in and accounts
  current_password_incorrect: 'Current password is incorrect',
  no_user_with_email: 'No user with email {email}',
  user_deleted: 'User {email} is deleted',
  eligible_not_user: 'No user has the email {email} yet: it is on the eligible list, and becomes a user at its first sign-in. To name it now, {add}',
  no_such_user_email: 'No user has the email {email}: {add}',
  add_user_first: 'add the user first (console: Users → Add user; CLI: gatehouse users add {email})',
  redirect_not_allowed: 'redirect_url is not in ALLOWED_REDIRECT_URLS',
  session_not_found: 'Session not found',
  // Roles and memberships
  admin_role_missing: 'Role admin not found: run gatehouse seed',
  role_exists_named: 'Role {name} already exists',
  builtin_role_named: 'Role {name} is built in and cannot be deleted',
  user_lacks_role: 'User does not have the role {role}',
  missing_roles: 'User does not have the required role: {roles}',
  role_unknown_cli: 'No role named "{name}" (roles: {roles}; gatehouse roles create adds one)',
  // Organizers
  only_owner_grants_owner: 'Only an owner may grant the owner role',
  admin_moves_members_only: 'An admin may only move members between member and admin',
  member_removes_self_only: 'Members may remove only themselves',
  admin_keeps_owners: 'Admins may not remove owners',
  sole_owner_of: 'This user is the only owner of: {names}. Make someone else an owner first.',
  organizer_name_unknown: 'No organizer is named "{name}" (gatehouse organizers list shows them)',
  organizer_name_ambiguous: '{count} organizers are named "{name}": give its uuid',
  already_member_roles: 'This address belongs to a user who holds those roles already',
  already_invited: 'This address has a pending invitation already: resend it, or revoke it first',
  invitation_not_pending: 'The invitation is no longer pending (accepted, expired or revoked)',
  invitation_unknown: 'This invitation link is unknown, used, revoked or expired',
  invitation_for_another_account: 'You are signed in as someone else: this invitation is for another address. Sign out, then open the link again',
  no_invitation_batch: 'No invitations with this batch id',
  organizer_role_unknown: '"{role}" is not an organizer role: use owner, admin or member',
  // The eligible list
  not_on_eligible_list: 'Email is not on the eligible list',
  send_csv: 'Send the addresses as text/csv',
  // HTTP
  route_not_found: 'Not Found: {method} {path}',
  unsupported_media_type_named: 'Unsupported media type: send {type}',
  csrf_foreign_origin: "Cross-site request refused: the Origin {origin} is not allowed (it must be PUBLIC_URL's origin or one of CORS_ORIGINS)",
  csrf_foreign_referer: "Cross-site request refused: the Referer's origin is not allowed (it must be PUBLIC_URL's origin or one of CORS_ORIGINS)",
  csrf_no_origin:
    'Cross-site request refused: it carries the session cookies but no Origin header. Browsers send one themselves; other clients send "Origin: {origin}" or "X-Requested-With: <any value>"',
  api_key_required: 'Send the API key in X-API-Key (API_KEY): this route is for services, not users',
  no_jwks: 'No JWKS: access tokens are HS256 (set JWT_ALGORITHM=EdDSA or ES256 to publish keys)',
  // The outside world and operations
  provider_credentials: 'The sign-in provider refused our credentials (check STYTCH_PROJECT_ID/STYTCH_SECRET)',
  provider_unavailable: 'The sign-in provider is unavailable; try again shortly',
  limit_store_unavailable: 'The rate-limit store is unavailable; retry shortly',
  database_unreachable: 'Database unreachable',
  migrations_pending: 'Database migrations are pending: run gatehouse migrate',
  shutting_down: 'Shutting down; retry on another instance',
} as const;

export type ErrorMessageId = keyof typeof ERROR_MESSAGES;
export type MessageParams = Readonly<Record<string, string | number>>;

/** The template with its placeholders filled (a missing one stays visible as `{name}`). */
export function formatErrorMessage(id: ErrorMessageId, params: MessageParams = {}): string {
  return ERROR_MESSAGES[id].replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
}
