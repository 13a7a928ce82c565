/**
 * The one error catalog. Lower layers throw `new AppError('code')`; only the HTTP error handler
 * turns a code into a status. Every code here is documented in docs/errors.md (a test checks).
 */

import { formatErrorMessage, type ErrorMessageId, type MessageParams } from './error-messages.ts';

export interface ErrorSpec {
  readonly status: number;
  readonly detail: string;
}

export const ERROR_CATALOG = {
  // Request shape
  validation_error: { status: 422, detail: 'Request validation failed' },
  bad_request: { status: 400, detail: 'Bad request' },
  invalid_json: { status: 400, detail: 'Request body is not valid JSON' },
  unsupported_media_type: { status: 415, detail: 'Unsupported media type: send application/json' },
  payload_too_large: { status: 413, detail: 'Request body is too large' },
  not_found: { status: 404, detail: 'Not Found' },
  method_not_allowed: { status: 405, detail: 'Method Not Allowed' },
  bad_url: { status: 400, detail: 'The URL is not valid: a percent-escape does not decode' },
  uri_too_long: { status: 414, detail: 'A path segment is too long' },
  headers_too_large: { status: 431, detail: 'The request headers are too large' },
  client_timeout: { status: 408, detail: 'The request was not received in time' },
  // Credentials and permissions
  not_authenticated: { status: 401, detail: 'Not authenticated' },
  invalid_credentials: { status: 401, detail: 'Invalid email or password' },
  invalid_token: { status: 401, detail: 'Invalid authentication token' },
  sign_in_required: { status: 401, detail: 'Sign in to this account, then open the link again: confirming an address needs both its mail and its password' },
  forbidden: { status: 403, detail: 'Forbidden' },
  csrf_rejected: { status: 403, detail: 'Cross-site request refused' },
  missing_role: { status: 403, detail: 'User does not have the required role' },
  user_inactive: { status: 403, detail: 'User account is deactivated' },
  email_not_eligible: { status: 403, detail: 'Email not authorized for access' },
  signup_closed: { status: 403, detail: 'Sign-up is closed' },
  // Resources
  user_not_found: { status: 404, detail: 'User not found' },
  role_not_found: { status: 404, detail: 'Role not found' },
  user_or_role_not_found: { status: 404, detail: 'User or role not found' },
  email_taken: { status: 409, detail: 'Email already registered' },
  role_exists: { status: 409, detail: 'Role already exists' },
  eligibility_rule_exists: { status: 409, detail: 'An eligibility rule for this domain exists already' },
  eligibility_rule_not_found: { status: 404, detail: 'Eligibility rule not found' },
  builtin_role: { status: 409, detail: 'Built-in roles cannot be deleted' },
  last_admin: { status: 409, detail: 'The last active admin cannot be removed' },
  last_owner: { status: 409, detail: 'An organizer must keep at least one owner' },
  already_member: { status: 409, detail: 'User is already a member of this organizer' },
  invitation_conflict: { status: 409, detail: 'This invitation conflicts with the current state' },
  invitation_not_found: { status: 404, detail: 'Invitation not found' },
  invalid_invitation: { status: 401, detail: 'Invalid invitation' },
  organizer_not_found: { status: 404, detail: 'Organizer not found' },
  member_not_found: { status: 404, detail: 'Member not found' },
  webhook_not_found: { status: 404, detail: 'Webhook endpoint not found' },
  delivery_not_found: { status: 404, detail: 'Webhook delivery not found' },
  invalid_api_key: { status: 401, detail: 'Invalid API key' },
  already_eligible: { status: 409, detail: 'Email is already eligible' },
  invalid_emails: { status: 422, detail: 'Some email addresses are invalid; nothing was written' },
  // Limits and the outside world
  rate_limited: { status: 429, detail: 'Too many requests; retry later' },
  internal_error: { status: 500, detail: 'Internal server error' },
  service_unavailable: { status: 503, detail: 'Service temporarily unavailable' },
  database_unavailable: { status: 503, detail: 'The database is unavailable; retry shortly' },
  overloaded: { status: 503, detail: 'The service is overloaded; retry shortly' },
  request_timeout: { status: 504, detail: 'The request took too long and was stopped; its unfinished changes were rolled back' },
} as const satisfies Record<string, ErrorSpec>;

export type ErrorCode = keyof typeof ERROR_CATALOG;

/** One item of a FastAPI-style validation error list. */
export interface ValidationIssue {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/**
 * One bad field as a lower layer sees it: its path inside the input (`['password']`,
 * `['emails', 3]`), with no HTTP location. The HTTP boundary roots it (`['body', 'password']`).
 */
export interface FieldIssue {
  readonly field: readonly (string | number)[];
  readonly msg: string;
  readonly type: string;
}

/**
 * A domain error with a stable code; `detail` overrides the catalog message when given.
 * Lower layers say how long to wait (`retryAfterSeconds`) and which fields are wrong
 * (`fieldIssues`); only the HTTP error handler turns those into a Retry-After header and a
 * FastAPI-style `loc`.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly detail: string | ValidationIssue[];
  readonly headers: Readonly<Record<string, string>>;
  readonly extra: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds: number | null;
  readonly fieldIssues: readonly FieldIssue[];

  constructor(
    code: ErrorCode,
    options: {
      /** A situation's message from error-messages.ts (instead of the code's default). */
      message?: ErrorMessageId;
      params?: MessageParams;
      /** Validation issues, or (only for text we do not write: a library's) a message. */
      detail?: string | ValidationIssue[];
      /** HTTP headers, for the HTTP layer's own errors (WWW-Authenticate). */
      headers?: Record<string, string>;
      retryAfterSeconds?: number;
      fieldIssues?: readonly FieldIssue[];
      extra?: Record<string, unknown>;
      /** The underlying failure: logged with a 5xx, never sent to the client. */
      cause?: unknown;
    } = {},
  ) {
    const spec = ERROR_CATALOG[code];
    const text =
      options.message !== undefined ? formatErrorMessage(options.message, options.params) : typeof options.detail === 'string' ? options.detail : spec.detail;
    super(text, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = spec.status;
    this.fieldIssues = options.fieldIssues ?? [];
    this.detail =
      options.message !== undefined
        ? text
        : (options.detail ??
          (this.fieldIssues.length > 0 ? this.fieldIssues.map((issue) => ({ loc: [...issue.field], msg: issue.msg, type: issue.type })) : spec.detail));
    this.headers = options.headers ?? {};
    this.extra = options.extra ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds ?? null;
  }
}

/** A 422 for one bad field of the input (a lower layer's: no HTTP location). */
export function fieldError(field: readonly (string | number)[], msg: string, type = 'value_error'): AppError {
  return new AppError('validation_error', { fieldIssues: [{ field, msg, type }] });
}

/** A 422 in FastAPI's shape for one bad field at an HTTP location (`['query', 'cursor']`). */
export function validationError(loc: (string | number)[], msg: string, type = 'value_error'): AppError {
  return new AppError('validation_error', { detail: [{ loc, msg, type }] });
}
