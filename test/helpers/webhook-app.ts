/** The webhook tests' app: a local receiver allowed, retries every second, test names resolved from a table. */
import assert from 'node:assert/strict';
import type { Resolver } from '../../src/providers/webhook-http.ts';
import { createTestApp, type TestApp } from './app.ts';

export const API_KEY = 'w'.repeat(40);
export const key = { 'x-api-key': API_KEY };
export const API = '/v1/auth';

/** Test names → addresses (the receiver is on 127.0.0.1). */
export const names = new Map<string, string>([
  ['public.test', '93.184.216.34'],
  ['internal.test', '10.0.0.7'],
]);
export const resolver: Resolver = async (hostname) => {
  const address = names.get(hostname);
  if (address === undefined) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
  return [{ address, family: 4 }];
};

export async function startApp(env: Record<string, string> = {}): Promise<TestApp> {
  return createTestApp({
    env: { LOG_LEVEL: 'silent', API_KEY, WEBHOOK_ALLOW_PRIVATE: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1', ...env },
    webhookResolver: resolver,
  });
}

export async function register(t: TestApp, url: string, events: string[] = ['*']): Promise<{ id: string; secret: string }> {
  const res = await t.app.inject({ method: 'POST', url: `${API}/admin/webhooks`, headers: key, payload: { url, events } });
  assert.equal(res.statusCode, 201, res.body);
  return res.json() as { id: string; secret: string };
}

/** Every event written so far has reached the receiver (or failed for good). */
export async function settled(t: TestApp): Promise<void> {
  await t.app.gatehouse.backgroundIdle();
  await t.app.gatehouse.jobs.webhooksIdle();
}
