/**
 * Security headers (helmet's defaults: CSP, HSTS in production, frame, sniffing, referrer…).
 * They are the same for every response — no CSP nonces here — so helmet runs once at start-up
 * against a recording response, and each request gets the recorded set in one call. Running
 * helmet per request (as @fastify/helmet does) cost a quarter of GET /me's throughput.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export function staticSecurityHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
  const headers: Record<string, string> = {};
  const recorder = {
    setHeader(name: string, value: string | number | readonly string[]): void {
      headers[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : String(value);
    },
    removeHeader(name: string): void {
      delete headers[name.toLowerCase()];
    },
  };
  let failure: unknown = null;
  helmet(options)({} as IncomingMessage, recorder as unknown as ServerResponse, (error?: unknown) => {
    failure = error ?? null;
  });
  if (failure !== null) throw failure;
  return Object.freeze(headers);
}
