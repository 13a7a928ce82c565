/**
 * The bench's H1: webhooks. An admin write (POST /admin/organizers, 10 at a time) timed with no
 * endpoint registered, then with one subscribed to every event: what the outbox row, the relay
 * and the deliveries add to the write (p50/p99). Then the throughput from change to 2xx: a burst
 * of organizer creations, from the first request to the receiver's last 2xx. The receiver is a
 * plain HTTP server in this process answering 204 (its own signature checks would be the
 * receiver's cost, not Gatehouse's).
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { median } from './lib/load.ts';
import type { Service } from './lib/processes.ts';

export interface WebhookBenchResult {
  readonly writes: number;
  readonly without: { readonly p50: number; readonly p99: number };
  readonly with: { readonly p50: number; readonly p99: number };
  readonly events: number;
  readonly eventsPerSecond: number;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

/** `count` organizer creations, `parallel` at a time; each one's latency in ms. */
async function writes(gatehouse: Service, apiKey: string, prefix: string, count: number, parallel: number): Promise<number[]> {
  const latencies: number[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < count) {
        const i = next++;
        const started = performance.now();
        const res = await fetch(`${gatehouse.url}/v1/auth/admin/organizers`, {
          method: 'POST',
          headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `${prefix} ${i}` }),
        });
        await res.arrayBuffer();
        if (res.status !== 201) throw new Error(`organizer create answered ${res.status}`);
        latencies.push(performance.now() - started);
      }
    }),
  );
  return latencies.sort((a, b) => a - b);
}

export async function webhooks(gatehouse: Service, apiKey: string, count: number): Promise<WebhookBenchResult> {
  let received = 0;
  let lastAt = 0;
  const receiver = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      received += 1;
      lastAt = performance.now();
      response.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  try {
    await writes(gatehouse, apiKey, 'warm-up', 200, 10);
    const without = await writes(gatehouse, apiKey, 'without', count, 10);
    const res = await fetch(`${gatehouse.url}/v1/auth/admin/webhooks`, {
      method: 'POST',
      headers: { 'x-api-key': apiKey, 'content-type': 'application/json' },
      body: JSON.stringify({ url, events: ['*'] }),
    });
    if (res.status !== 201) throw new Error(`webhook registration answered ${res.status}: ${await res.text()}`);
    const started = performance.now();
    const withEndpoint = await writes(gatehouse, apiKey, 'with', count, 10);
    const deadline = Date.now() + 300_000;
    while (received < count) {
      if (Date.now() > deadline) throw new Error(`webhooks: ${received} of ${count} deliveries arrived in 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return {
      writes: count,
      without: { p50: median(without), p99: percentile(without, 99) },
      with: { p50: median(withEndpoint), p99: percentile(withEndpoint, 99) },
      events: count,
      eventsPerSecond: count / ((lastAt - started) / 1000),
    };
  } finally {
    receiver.close();
  }
}
