/**
 * The one outbound HTTP request of a webhook delivery: POST, no redirects followed (a 3xx is a
 * failure), an overall deadline, the answer's body kept only up to 4 KiB. The address rule
 * (security/webhook-address.ts) is applied to what the name resolves to *at connection time*,
 * in the socket's own lookup, and the socket connects to the address that was checked: a name
 * that resolved to a public address at registration and to 10.0.0.1 now (DNS rebinding) is
 * refused here.
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { addressAllowed, ipLiteral } from '../security/webhook-address.ts';

export interface ResolvedAddress {
  readonly address: string;
  readonly family: number;
}

/** A name's addresses (dns.lookup by default; tests pass a table). */
export type Resolver = (hostname: string) => Promise<readonly ResolvedAddress[]>;

const LOOKUP_TIMEOUT_MS = 5000;

/** The system's resolver (getaddrinfo), given up after 5 s: a dead DNS server must not hold a request to its deadline. */
export const systemResolver: Resolver = async (hostname) => {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${hostname} did not resolve within ${LOOKUP_TIMEOUT_MS} ms`)), LOOKUP_TIMEOUT_MS);
  });
  try {
    return await Promise.race([dnsLookup(hostname, { all: true, verbatim: true }), timeout]);
  } finally {
    clearTimeout(timer);
  }
};

export interface WebhookAnswer {
  /** null when no HTTP answer came (refused, timed out, cut). */
  readonly statusCode: number | null;
  /** Up to 4 KiB of the answer's body. */
  readonly body: string;
  /** Why there was no 2xx, in words, or null on success. */
  readonly error: string | null;
  readonly durationMs: number;
}

const MAX_BODY = 4096;

export class ForbiddenAddressError extends Error {
  constructor(hostname: string) {
    super(`${hostname} resolves to an address webhooks may not be delivered to`);
    this.name = 'ForbiddenAddressError';
  }
}

/** Every address of the name must be allowed; the socket then connects to the first. */
export async function allowedAddresses(hostname: string, resolve: Resolver, allowPrivate: boolean): Promise<readonly ResolvedAddress[]> {
  const literal = ipLiteral(hostname);
  const addresses = literal === null ? await resolve(hostname) : [{ address: literal, family: literal.includes(':') ? 6 : 4 }];
  if (addresses.length === 0 || addresses.some((a) => !addressAllowed(a.address, allowPrivate))) throw new ForbiddenAddressError(hostname);
  return addresses;
}

function guardedLookup(resolve: Resolver, allowPrivate: boolean): LookupFunction {
  return (hostname, options, callback) => {
    allowedAddresses(hostname, resolve, allowPrivate).then(
      (addresses) => {
        // Node asks for all addresses when it races families (autoSelectFamily), else for one.
        if (options.all === true) (callback as (error: null, addresses: ResolvedAddress[]) => void)(null, [...addresses]);
        else callback(null, addresses[0]?.address ?? '', addresses[0]?.family ?? 4);
      },
      (error: unknown) => callback(error as NodeJS.ErrnoException, '', 4),
    );
  };
}

export interface WebhookSender {
  post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<WebhookAnswer>;
  close(): void;
}

export function createWebhookSender(options: { timeoutMs: number; allowPrivate: boolean; resolve?: Resolver }): WebhookSender {
  const resolve = options.resolve ?? systemResolver;
  const lookup = guardedLookup(resolve, options.allowPrivate);
  // Kept-alive sockets per receiver: a burst of deliveries does not pay a handshake each.
  const agents = { 'http:': new http.Agent({ keepAlive: true, lookup }), 'https:': new https.Agent({ keepAlive: true, lookup }) };

  function post(url: string, headers: Readonly<Record<string, string>>, body: string): Promise<WebhookAnswer> {
    const started = performance.now();
    const elapsed = (): number => Math.round(performance.now() - started);
    return new Promise<WebhookAnswer>((settle) => {
      let settled = false;
      const finish = (answer: Omit<WebhookAnswer, 'durationMs'>): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        settle({ ...answer, durationMs: elapsed() });
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        finish({ statusCode: null, body: '', error: 'invalid URL' });
        return;
      }
      const protocol = target.protocol === 'https:' ? 'https:' : 'http:';
      const literal = ipLiteral(target.hostname);
      // An IP literal never reaches the lookup: check it here.
      if (literal !== null && !addressAllowed(literal, options.allowPrivate)) {
        finish({ statusCode: null, body: '', error: new ForbiddenAddressError(target.hostname).message });
        return;
      }
      const request = (protocol === 'https:' ? https : http).request(target, {
        method: 'POST',
        agent: agents[protocol],
        headers: { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'Gatehouse-Webhooks/1' },
      });
      const timer = setTimeout(() => {
        request.destroy(new Error(`no answer within ${options.timeoutMs} ms`));
      }, options.timeoutMs);
      request.on('response', (response) => {
        const chunks: Buffer[] = [];
        let kept = 0;
        response.on('data', (chunk: Buffer) => {
          if (kept >= MAX_BODY) return;
          chunks.push(chunk.subarray(0, MAX_BODY - kept));
          kept += Math.min(chunk.length, MAX_BODY - kept);
        });
        response.on('end', () => {
          const status = response.statusCode ?? 0;
          const ok = status >= 200 && status < 300;
          finish({ statusCode: status, body: Buffer.concat(chunks).toString('utf8'), error: ok ? null : `HTTP ${status}` });
        });
        response.on('error', (error) => finish({ statusCode: status(response.statusCode), body: '', error: error.message }));
      });
      request.on('error', (error) => finish({ statusCode: null, body: '', error: error.message }));
      request.end(body);
    });
  }

  return {
    post,
    close(): void {
      agents['http:'].destroy();
      agents['https:'].destroy();
    },
  };
}

function status(code: number | undefined): number | null {
  return code ?? null;
}
