/**
 * Security headers, in two sets chosen by what a response is:
 * - HTML documents (the hosted pages, the magic-link landing, /docs) get helmet's defaults: CSP,
 *   HSTS in production, frame, sniffing, referrer, cross-origin policies…
 * - Everything else (JSON, redirects, assets) gets the set OWASP's REST Security Cheat Sheet
 *   lists for API responses: a CSP that forbids everything (a response rendered as a page by
 *   mistake loads nothing and cannot be framed), frame refusal, nosniff, HSTS in production, plus
 *   same-origin CORP and no referrer. helmet's document-only headers (COOP, Origin-Agent-Cluster,
 *   X-DNS-Prefetch-Control, X-Download-Options, X-XSS-Protection, X-Permitted-Cross-Domain-
 *   Policies) do nothing on a response no browser renders, and cost every API call ~600 bytes.
 * Both sets are the same for every response — no CSP nonces here — so helmet runs once at
 * start-up against a recording response. Running helmet per request (as @fastify/helmet does)
 * cost a quarter of GET /me's throughput.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

export interface SecurityHeaderSets {
  readonly document: Readonly<Record<string, string>>;
  readonly api: Readonly<Record<string, string>>;
}

function helmetHeaders(options: HelmetOptions): Readonly<Record<string, string>> {
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

export function securityHeaderSets(options: HelmetOptions): SecurityHeaderSets {
  const document = helmetHeaders(options);
  const hsts = document['strict-transport-security'];
  const api: Record<string, string> = {
    'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
    'cross-origin-resource-policy': 'same-origin',
    'referrer-policy': 'no-referrer',
    'x-content-type-options': 'nosniff',
    'x-frame-options': 'DENY',
    ...(hsts === undefined ? {} : { 'strict-transport-security': hsts }),
  };
  return { document, api: Object.freeze(api) };
}

/** True for a response a browser renders as a page. */
export function isHtml(contentType: unknown): boolean {
  return typeof contentType === 'string' && contentType.startsWith('text/html');
}
