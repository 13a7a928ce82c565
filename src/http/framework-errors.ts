/**
 * Answers that Fastify's router and Node's HTTP parser would otherwise write in their own shape
 * (`{"error", "code", "message"}`): a malformed URL, a path parameter over maxParamLength, a
 * header block over Node's limit, a client that never finished its request. Each leaves as
 * `{detail, code}` with a catalogued code, like every other answer.
 */
import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, ERROR_CATALOG, type ErrorCode } from '../errors.ts';
import { sendError } from './error-handler.ts';

const ROUTER_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_BAD_URL: 'bad_url',
  FST_ERR_MAX_PARAM_LENGTH: 'uri_too_long',
};

/** Fastify's `frameworkErrors`: router failures before any route (and its hooks) ran. */
export function frameworkErrorHandler(apiHeaders: Readonly<Record<string, string>>) {
  return (error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply => {
    reply.header('x-request-id', request.id);
    reply.headers(apiHeaders);
    const code = ROUTER_CODES[error.code] ?? 'bad_request';
    if (code === 'bad_request') request.log.warn({ code: error.code }, 'framework error');
    return sendError(reply, new AppError(code));
  };
}

/** What Node's parser reports before a request exists (`clientError`), by its error code. */
function clientErrorCode(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large';
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'client_timeout';
  if (error.code === 'HPE_URI_TOO_LONG') return 'uri_too_long';
  return 'bad_request';
}

/** Fastify's `clientErrorHandler`: writes a whole HTTP/1.1 answer on the raw socket and closes it. */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  if (socket.writable) {
    const code = clientErrorCode(error);
    const { status, detail } = ERROR_CATALOG[code];
    const body = JSON.stringify({ detail, code });
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
