/**
 * The one error handler: every failure leaves as `{"detail", "code"}` with the catalog's status.
 * Validation failures use FastAPI's 422 shape. A 5xx says nothing about its cause; the cause is
 * logged with the request id.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CATALOG, type ErrorCode, type ValidationIssue } from '../errors.ts';

interface AjvIssue {
  instancePath?: string;
  keyword?: string;
  message?: string;
  params?: Record<string, unknown>;
}

const AJV_TYPES: Readonly<Record<string, string>> = {
  required: 'missing',
  type: 'type_error',
  format: 'value_error',
  pattern: 'value_error.str.regex',
  minLength: 'value_error.any_str.min_length',
  maxLength: 'value_error.any_str.max_length',
  enum: 'type_error.enum',
  minimum: 'value_error.number.not_ge',
  maximum: 'value_error.number.not_le',
  maxItems: 'value_error.list.max_items',
  nul: 'value_error.str.nul',
  minItems: 'value_error.list.min_items',
  additionalProperties: 'value_error.extra',
};

const LOC_ROOT: Readonly<Record<string, string>> = { body: 'body', querystring: 'query', params: 'path', headers: 'header' };

/** Ajv errors → FastAPI's `[{loc, msg, type}]`. */
export function toValidationIssues(issues: readonly AjvIssue[], context: string | undefined): ValidationIssue[] {
  const root = LOC_ROOT[context ?? 'body'] ?? 'body';
  return issues.map((issue) => {
    const loc: (string | number)[] = [root];
    for (const part of (issue.instancePath ?? '').split('/').filter((p) => p !== '')) {
      loc.push(/^\d+$/.test(part) ? Number(part) : part.replace(/~1/g, '/').replace(/~0/g, '~'));
    }
    const missing = issue.params?.missingProperty;
    if (issue.keyword === 'required' && typeof missing === 'string') loc.push(missing);
    const extra = issue.params?.additionalProperty;
    if (issue.keyword === 'additionalProperties' && typeof extra === 'string') loc.push(extra);
    const keyword = issue.keyword ?? 'value_error';
    return {
      loc,
      msg:
        issue.keyword === 'required'
          ? 'field required'
          : issue.keyword === 'additionalProperties'
            ? 'unknown field: this route does not take it'
            : (issue.message ?? 'invalid value'),
      type: AJV_TYPES[keyword] ?? keyword,
    };
  });
}

/** Fastify's own 4xx errors (bad JSON, wrong media type, body too large) by status. */
function frameworkCode(error: FastifyError, status: number): ErrorCode {
  if (status === 413) return 'payload_too_large';
  if (status === 415) return 'unsupported_media_type';
  if (status === 404) return 'not_found';
  if (status === 405) return 'method_not_allowed';
  if (status === 429) return 'rate_limited';
  if (status === 400 && (error instanceof SyntaxError || error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error.code === 'FST_ERR_CTP_EMPTY_JSON_BODY'))
    return 'invalid_json';
  return 'bad_request';
}

/** What a framework 4xx says: a route that reads its own body (the CSV imports) names its type. */
function frameworkError(code: ErrorCode, error: FastifyError, request: FastifyRequest): AppError {
  // Fastify's own words for the rest of its 400s (a malformed header, a bad Content-Length).
  if (code === 'bad_request') return new AppError(code, { detail: error.message });
  const rawBody = request.routeOptions.config.rawBody;
  if (code === 'unsupported_media_type' && rawBody !== undefined)
    return new AppError(code, { message: 'unsupported_media_type_named', params: { type: rawBody.contentType } });
  return new AppError(code);
}

/** The answer's detail: a lower layer's field issues are rooted in the body here, at the boundary. */
function answerDetail(error: AppError): string | ValidationIssue[] {
  if (error.fieldIssues.length === 0) return error.detail;
  return error.fieldIssues.map((issue) => ({ loc: ['body', ...issue.field], msg: issue.msg, type: issue.type }));
}

export function sendError(reply: FastifyReply, error: AppError): FastifyReply {
  for (const [name, value] of Object.entries(error.headers)) reply.header(name, value);
  if (error.retryAfterSeconds !== null) reply.header('retry-after', String(error.retryAfterSeconds));
  return reply.code(error.status).send({ detail: answerDetail(error), code: error.code, ...error.extra });
}

/** Shedding load and a missing database are conditions (see /metrics), not bugs: no stack. */
const CONDITIONS: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['overloaded', 'database_unavailable', 'service_unavailable', 'request_timeout']);

function logServerError(request: FastifyRequest, error: AppError): void {
  if (error.status < 500) return;
  if (CONDITIONS.has(error.code)) {
    const cause = error.cause instanceof Error ? error.cause.message : undefined;
    request.log.warn({ code: error.code, cause }, `request failed: ${error.code}`);
    return;
  }
  request.log.error({ err: error.cause ?? error, code: error.code }, 'request failed');
}

export function handleError(this: FastifyInstance, error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  // A handler that fails after its request timed out has nobody left to answer.
  if (reply.sent) return reply;
  if (error instanceof AppError) {
    logServerError(request, error);
    return sendError(reply, error);
  }
  if (error.validation !== undefined) {
    return sendError(reply, new AppError('validation_error', { detail: toValidationIssues(error.validation, error.validationContext) }));
  }
  const status = error.statusCode ?? 500;
  if (status >= 400 && status < 500) {
    const code = frameworkCode(error, status);
    return sendError(reply, frameworkError(code, error, request));
  }
  request.log.error({ err: error }, 'unhandled error');
  const code: ErrorCode = status === 503 ? 'service_unavailable' : 'internal_error';
  return reply.code(status === 503 ? 503 : 500).send({ detail: ERROR_CATALOG[code].detail, code });
}

export function handleNotFound(request: FastifyRequest, reply: FastifyReply): FastifyReply {
  return sendError(reply, new AppError('not_found', { message: 'route_not_found', params: { method: request.method, path: request.url.split('?')[0] ?? '' } }));
}
