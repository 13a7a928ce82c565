/**
 * A webhook receiver as a product behind Gatehouse runs one: a real HTTP server on 127.0.0.1
 * that verifies every delivery with the `standardwebhooks` package (the scheme's reference
 * library) and keeps what it received. It can answer 500 for a while, be killed (its port
 * refuses connections) and come back on the same port.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';

export interface ReceivedEvent {
  readonly id: string;
  readonly type: string;
  readonly timestamp: string;
  readonly sequence: number;
  readonly data: Record<string, unknown>;
}

export interface Delivery {
  readonly headers: Record<string, string>;
  readonly body: string;
  /** Verified against the receiver's secret(s); null when it was answered 500 without looking. */
  readonly verified: boolean | null;
}

export interface Receiver {
  readonly url: string;
  readonly port: number;
  /** The secrets a delivery is verified against (set after creating the endpoint). */
  secrets: string[];
  /** Each verified event once (deduplicated by webhook-id), in arrival order. */
  readonly events: ReceivedEvent[];
  /** Every request, duplicates and failures included. */
  readonly deliveries: Delivery[];
  /** Answer 500 to this many requests from now on. */
  failNext(count: number): void;
  /** Stop listening and cut every connection (as if the process died). */
  kill(): Promise<void>;
  /** Listen again on the same port. */
  revive(): Promise<void>;
  /** Until `predicate` holds over the events (polling), or fail after `timeoutMs`. */
  waitFor(predicate: (events: readonly ReceivedEvent[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function verifies(secret: string, body: string, headers: Record<string, string>): boolean {
  try {
    new Webhook(secret).verify(body, headers);
    return true;
  } catch {
    return false;
  }
}

export async function startReceiver(port = 0): Promise<Receiver> {
  const events: ReceivedEvent[] = [];
  const seen = new Set<string>();
  const deliveries: Delivery[] = [];
  let failures = 0;
  let server: Server;
  let boundPort = port;

  const state: Receiver = {
    url: '',
    port: 0,
    secrets: [],
    events,
    deliveries,
    failNext(count): void {
      failures = count;
    },
    async kill(): Promise<void> {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
    async revive(): Promise<void> {
      await listen();
    },
    async waitFor(predicate, timeoutMs = 30_000): Promise<void> {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(events)) {
        if (Date.now() > deadline)
          throw new Error(
            `the receiver did not get what was expected in ${timeoutMs} ms; it has ${events.length} events: ${events.map((e) => e.type).join(', ')}`,
          );
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    async close(): Promise<void> {
      await state.kill();
    },
  };

  function listen(): Promise<void> {
    server = createServer((request, response) => {
      void readBody(request).then((body) => {
        const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, String(value)]));
        if (failures > 0) {
          failures -= 1;
          deliveries.push({ headers, body, verified: null });
          response.writeHead(500).end('not now');
          return;
        }
        const verified = state.secrets.length > 0 && state.secrets.every((secret) => verifies(secret, body, headers));
        deliveries.push({ headers, body, verified });
        if (!verified) {
          response.writeHead(400).end('bad signature');
          return;
        }
        const event = JSON.parse(body) as ReceivedEvent;
        if (!seen.has(headers['webhook-id'] ?? '')) {
          seen.add(headers['webhook-id'] ?? '');
          events.push(event);
        }
        response.writeHead(204).end();
      });
    });
    return new Promise((resolve) => {
      server.listen(boundPort, '127.0.0.1', () => {
        boundPort = (server.address() as AddressInfo).port;
        Object.assign(state, { port: boundPort, url: `http://127.0.0.1:${boundPort}/hooks` });
        resolve();
      });
    });
  }

  await listen();
  return state;
}

/** Events sorted by sequence (how a receiver orders what it got). */
export function bySequence(events: readonly ReceivedEvent[]): ReceivedEvent[] {
  return [...events].sort((a, b) => a.sequence - b.sequence);
}
