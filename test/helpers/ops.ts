/** What the ops suite (npm run test:ops) shares: its requirements and a small HTTP client. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** The ops suite runs real processes against PostgreSQL and Redis; it cannot run without them. */
export function requireOpsServices(): { databaseUrl: string; redisUrl: string } {
  const databaseUrl = process.env.DATABASE_URL ?? '';
  const redisUrl = process.env.REDIS_URL ?? '';
  if (databaseUrl === '' || redisUrl === '') throw new Error('npm run test:ops needs DATABASE_URL and REDIS_URL (.ci/run sets both)');
  return { databaseUrl, redisUrl };
}

/** One Redis key prefix per test run (every instance of the run shares it). */
export const RUN_PREFIX = `gatehouse-ops-${randomBytes(6).toString('hex')}:`;

export const OPS_SECRET = 'ops-test-jwt-secret-0123456789abcdef';
export const OPS_API_KEY = 'ops-test-api-key-0123456789abcdef-0123';

/** Environment for a server process of the ops suite. */
export function serverEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    PORT: '0',
    DATABASE_URL: databaseUrl,
    DATA_DIR: mkdtempSync(path.join(tmpdir(), 'gatehouse-ops-')),
    JWT_SECRET: OPS_SECRET,
    API_KEY: OPS_API_KEY,
    // The machine's Redis is shared with other runs: counters of this run start from zero.
    REDIS_KEY_PREFIX: RUN_PREFIX,
    ...extra,
  };
}

export interface Answer {
  readonly status: number;
  readonly body: { code?: string; [key: string]: unknown } | null;
  readonly headers: Headers;
  readonly ms: number;
}

export async function call(url: string, init: { method?: string; headers?: Record<string, string>; body?: unknown } = {}): Promise<Answer> {
  const started = performance.now();
  const res = await fetch(url, {
    method: init.method ?? 'GET',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
  const text = await res.text();
  let body: Answer['body'] = null;
  try {
    body = text === '' ? null : (JSON.parse(text) as Answer['body']);
  } catch {
    body = null;
  }
  return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
}

/** The value of a cookie the answer sets (e.g. access_token after /auth/login). */
export function setCookie(answer: Answer, name: string): string {
  for (const header of answer.headers.getSetCookie()) {
    const [pair] = header.split(';');
    const [key, ...value] = (pair ?? '').split('=');
    if (key === name) return value.join('=');
  }
  throw new Error(`the answer sets no ${name} cookie`);
}
