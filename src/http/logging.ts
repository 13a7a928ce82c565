/**
 * Logger settings. Logs must never hold a password, token, cookie or Authorization header:
 * requests are logged as method + path with sensitive query values replaced, headers are never
 * logged, errors are reduced to type/message/code/stack (database errors carry their SQL
 * parameters as properties, and those may be token hashes).
 */
import type { FastifyServerOptions } from 'fastify';
import type { LogLevel } from '../config.ts';

const SENSITIVE_PARAM = /token|code|password|secret|key|verifier|signature|session|email/i;
const REDACTED = '[redacted]';
/** An email address in a path segment or query value: `@`, raw or percent-encoded. */
const HOLDS_EMAIL = /@|%40/i;

/**
 * `/verify?token=abc&x=1` → `/verify?token=[redacted]&x=1`; an email address anywhere in the
 * URL (`?email=`, `?q=`, `DELETE /admin/eligible-emails/<email>`) is replaced the same way:
 * request logs must not become a list of members' addresses.
 */
export function redactUrl(url: string): string {
  const queryStart = url.indexOf('?');
  const path = (queryStart < 0 ? url : url.slice(0, queryStart))
    .split('/')
    .map((segment) => (HOLDS_EMAIL.test(segment) ? REDACTED : segment))
    .join('/');
  if (queryStart < 0) return path;
  const params = new URLSearchParams(url.slice(queryStart + 1));
  const parts: string[] = [];
  for (const [name, value] of params) {
    const hidden = SENSITIVE_PARAM.test(name) || HOLDS_EMAIL.test(value);
    parts.push(`${encodeURIComponent(name)}=${hidden ? REDACTED : encodeURIComponent(value)}`);
  }
  return `${path}?${parts.join('&')}`;
}

interface RequestLike {
  method: string;
  url: string;
  ip?: string;
}

interface ErrorLike {
  name?: string;
  message?: string;
  code?: unknown;
  stack?: string;
}

interface LoggedError {
  [key: string]: unknown;
  type: string;
  message: string;
  stack: string;
}

export function loggerOptions(level: LogLevel, stream?: NodeJS.WritableStream): FastifyServerOptions['logger'] {
  return {
    level,
    ...(stream === undefined ? {} : { stream }),
    // Belt and braces: should anything log these paths, pino censors them.
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-api-key"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.current_password',
        '*.new_password',
        '*.token',
        '*.refresh_token',
        '*.access_token',
        '*.code_verifier',
      ],
      censor: REDACTED,
    },
    serializers: {
      req(request: RequestLike): Record<string, unknown> {
        return { method: request.method, url: redactUrl(request.url), ip: request.ip };
      },
      err(error: ErrorLike): LoggedError {
        return { type: error.name ?? 'Error', message: error.message ?? '', code: error.code, stack: error.stack ?? '' };
      },
    },
  };
}
