/** Builds the real app on a fresh test database with a test configuration. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import type { LogEvent } from 'kysely';
import { buildApp, type App } from '../../src/app.ts';
import { loadConfig, type Config, type Env } from '../../src/config.ts';
import type { Mailer } from '../../src/providers/mail.ts';
import type { StytchProvider } from '../../src/providers/stytch.ts';
import type { Resolver } from '../../src/providers/webhook-http.ts';
import { createMemoryCounterStore, DEFAULT_LIMITS, type CounterStore, type LimitedAction, type RouteLimits } from '../../src/services/rate-limits.ts';
import { createTestDatabase, type TestDatabase } from './db.ts';

export interface TestApp {
  readonly app: App;
  readonly config: Config;
  readonly database: TestDatabase;
  /** Every log line written so far (JSON strings). */
  readonly logs: string[];
  /** Answers the OpenAPI document does not declare for their operation (close() fails on any). */
  readonly contractViolations: readonly string[];
  close(): Promise<void>;
}

export interface TestAppOptions {
  readonly env?: Env;
  readonly onQuery?: (event: LogEvent) => void;
  /** Build on this database instead of a new one. */
  readonly database?: TestDatabase;
  /** Abuse limits; generous by default so tests that sign in often are not throttled. */
  readonly limits?: Readonly<Record<LimitedAction, RouteLimits>>;
  readonly mailer?: Mailer;
  readonly stytch?: StytchProvider | null;
  /** Rate-limit counters; a private in-memory store by default (never a shared Redis). */
  readonly counterStore?: CounterStore;
  /** How webhook hosts resolve (a table of test names); DNS when absent. */
  readonly webhookResolver?: Resolver;
}

/** The default limits multiplied by 1000: present, but out of the way. */
export const GENEROUS_LIMITS: Readonly<Record<LimitedAction, RouteLimits>> = Object.fromEntries(
  Object.entries(DEFAULT_LIMITS).map(([action, rules]) => [
    action,
    { perIp: { ...rules.perIp, limit: rules.perIp.limit * 1000 }, perAccount: { ...rules.perAccount, limit: rules.perAccount.limit * 1000 } },
  ]),
) as Record<LimitedAction, RouteLimits>;

export function testConfig(env: Env = {}): Config {
  // Event-loop-lag admission off: on a loaded 2-core CI machine it shed requests of tests that
  // do not test admission (test/overload.test.ts turns it on for its own).
  // Mail rate: tests send many mails in a burst; the rate itself has its own test.
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    DATA_DIR: '/nonexistent-test-data-dir',
    MAX_EVENT_LOOP_DELAY_MS: '0',
    MAIL_RATE_PER_MINUTE: '100000',
    ...env,
  }).config;
}

export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase({ onQuery: options.onQuery }));
  const config = testConfig(options.env);
  const logs: string[] = [];
  const logStream = new Writable({
    write(chunk: Buffer, _encoding, callback): void {
      logs.push(chunk.toString('utf8'));
      callback();
    },
  });
  // Every answer is checked against its operation in /openapi.json (src/http/contract-check.ts).
  const contractViolations: string[] = [];
  const app = await buildApp({
    config,
    db: database.db,
    poolStats: () => database.poolStats(),
    logStream,
    onContractViolation: (violation) => contractViolations.push(violation),
    limits: options.limits ?? GENEROUS_LIMITS,
    counterStore: options.counterStore ?? createMemoryCounterStore(),
    ...(options.mailer ? { mailer: options.mailer } : {}),
    ...(options.stytch !== undefined ? { stytch: options.stytch } : {}),
    ...(options.webhookResolver === undefined ? {} : { webhookResolver: options.webhookResolver }),
  });
  return {
    app,
    config,
    database,
    logs,
    contractViolations,
    async close(): Promise<void> {
      await app.close();
      if (options.database === undefined) await database.close();
      // A route answered a status or code its OpenAPI operation does not declare.
      assert.deepEqual([...new Set(contractViolations)], [], 'answers the OpenAPI document does not declare');
    },
  };
}
