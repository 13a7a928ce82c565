/**
 * The JSON API, called same-origin with the session cookies. An expired access token is
 * refreshed once (POST /refresh) and the call repeated; the pages never see a token.
 */
import { config } from './config.ts';
import { t } from './i18n.ts';

export interface ValidationIssue {
  readonly loc: readonly (string | number)[];
  readonly msg: string;
}

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly issues: readonly ValidationIssue[];

  constructor(status: number, code: string, message: string, issues: readonly ValidationIssue[]) {
    super(message);
    this.status = status;
    this.code = code;
    this.issues = issues;
  }
}

export interface CallOptions {
  /** A raw body (a CSV file) instead of JSON. */
  readonly raw?: { readonly body: Blob | string; readonly contentType: string };
  /** False for the sign-in calls themselves: a 401 there is an answer, not an expired session. */
  readonly refresh?: boolean;
  /** A path outside the auth prefix (the development outbox). */
  readonly absolute?: boolean;
}

interface ErrorBody {
  readonly detail?: unknown;
  readonly code?: unknown;
}

async function toError(response: Response): Promise<ApiError> {
  let body: ErrorBody = {};
  try {
    body = (await response.json()) as ErrorBody;
  } catch {
    // Not JSON (a proxy's error page): the status alone must do.
  }
  const code = typeof body.code === 'string' ? body.code : `http_${response.status}`;
  if (Array.isArray(body.detail)) {
    const issues = (body.detail as ValidationIssue[]).filter((issue) => Array.isArray(issue.loc) && typeof issue.msg === 'string');
    return new ApiError(response.status, code, t('common.fixFields'), issues);
  }
  const message = typeof body.detail === 'string' ? body.detail : t('common.requestFailed', { status: response.status });
  return new ApiError(response.status, code, message, []);
}

function send(method: string, path: string, body: unknown, options: CallOptions): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  let payload: BodyInit | undefined;
  if (options.raw !== undefined) {
    headers['content-type'] = options.raw.contentType;
    payload = options.raw.body;
  } else if (body !== undefined) {
    headers['content-type'] = 'application/json';
    payload = JSON.stringify(body);
  }
  const url = options.absolute === true ? path : `${config.apiPrefix}${path}`;
  return fetch(url, { method, headers, body: payload, credentials: 'same-origin' });
}

let refreshing: Promise<boolean> | null = null;

/** One refresh at a time: parallel calls that all saw 401 wait for the same one. */
function refreshSession(): Promise<boolean> {
  refreshing ??= send('POST', '/refresh', {}, {})
    .then((response) => response.ok)
    .catch(() => false)
    .finally(() => {
      refreshing = null;
    });
  return refreshing;
}

/** 401s that mean "the access token is missing or expired", not "wrong password". */
const SESSION_CODES = new Set(['not_authenticated', 'invalid_token']);

export async function api<T>(method: string, path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
  let response = await send(method, path, body, options);
  if (!response.ok) {
    let error = await toError(response);
    if (error.status !== 401 || !SESSION_CODES.has(error.code) || options.refresh === false || !(await refreshSession())) throw error;
    response = await send(method, path, body, options);
    if (!response.ok) {
      error = await toError(response);
      throw error;
    }
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}
