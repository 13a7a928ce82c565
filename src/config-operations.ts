/**
 * Settings that decide how the service behaves under load and faults (see docs/operations.md).
 * Read with the rest of the configuration by loadConfig; kept apart so config.ts stays readable.
 */
import { availableParallelism } from 'node:os';
import { ConfigError, type Env } from './config-parse.ts';
import { DEFAULT_HASH_MAX_WAIT_MS, DEFAULT_HASH_QUEUE } from './security/hash-gate.ts';

export interface OperationsConfig {
  /** A request not answered within this many ms gets 504 and its unfinished writes roll back. */
  readonly requestTimeoutMs: number;
  /** PostgreSQL connections per instance. */
  readonly databasePoolSize: number;
  /** Requests inside handlers at once; past it, 503 overloaded with Retry-After. */
  readonly maxInFlight: number;
  /** Password hashes (argon2id) computed at once; how many may wait; how long one may expect to wait. */
  readonly passwordHashConcurrency: number;
  readonly passwordHashQueue: number;
  readonly passwordHashMaxWaitMs: number;
  /** Event-loop delay past which new requests are refused (503); 0 turns the check off. */
  readonly maxEventLoopDelayMs: number;
  /** After SIGTERM, how long new requests get 503 before the listener closes (then the drain). */
  readonly shutdownGraceMs: number;
  /** How often each instance re-reads the signing keys (rotation and retirement reach it then). */
  readonly signingKeyReloadSeconds: number;
  /** How long verifiers may cache the JWKS (Cache-Control max-age); a rotated key signs only after it. */
  readonly jwksMaxAgeSeconds: number;
  /** Prefix of every Redis key, so deployments (or test runs) can share one Redis. */
  readonly redisKeyPrefix: string;
  /** When set, GET /metrics needs `Authorization: Bearer <token>`. */
  readonly metricsToken: string | null;
}

function wholeNumber(variable: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min)
    throw new ConfigError(
      variable,
      `"${raw}" is not a whole number of at least ${min}`,
      `set ${variable} to a whole number ≥ ${min}, or leave it unset for ${fallback}`,
    );
  return value;
}

/** `production`: the validated NODE_ENV (config.ts), not a second reading of it. */
export function parseOperations(env: Env, production: boolean): OperationsConfig {
  const metricsToken = env.METRICS_TOKEN === undefined || env.METRICS_TOKEN === '' ? null : env.METRICS_TOKEN;
  if (metricsToken !== null && metricsToken.length < 16)
    throw new ConfigError('METRICS_TOKEN', 'is shorter than 16 characters', 'use a random value, e.g. openssl rand -hex 24');
  return {
    requestTimeoutMs: wholeNumber('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS, 15_000, 100),
    databasePoolSize: wholeNumber('DATABASE_POOL_SIZE', env.DATABASE_POOL_SIZE, 10, 1),
    maxInFlight: wholeNumber('MAX_IN_FLIGHT', env.MAX_IN_FLIGHT, 256, 1),
    passwordHashConcurrency: wholeNumber('PASSWORD_HASH_CONCURRENCY', env.PASSWORD_HASH_CONCURRENCY, availableParallelism(), 1),
    passwordHashQueue: wholeNumber('PASSWORD_HASH_QUEUE', env.PASSWORD_HASH_QUEUE, DEFAULT_HASH_QUEUE, 0),
    passwordHashMaxWaitMs: wholeNumber('PASSWORD_HASH_MAX_WAIT_MS', env.PASSWORD_HASH_MAX_WAIT_MS, DEFAULT_HASH_MAX_WAIT_MS, 0),
    maxEventLoopDelayMs: wholeNumber('MAX_EVENT_LOOP_DELAY_MS', env.MAX_EVENT_LOOP_DELAY_MS, 1_000, 0),
    // Production sits behind a load balancer that needs a few seconds to notice; a developer's Ctrl-C should not wait.
    shutdownGraceMs: wholeNumber('SHUTDOWN_GRACE_MS', env.SHUTDOWN_GRACE_MS, production ? 5_000 : 0, 0),
    signingKeyReloadSeconds: wholeNumber('SIGNING_KEY_RELOAD_SECONDS', env.SIGNING_KEY_RELOAD_SECONDS, 60, 1),
    jwksMaxAgeSeconds: wholeNumber('JWKS_MAX_AGE_SECONDS', env.JWKS_MAX_AGE_SECONDS, 300, 0),
    redisKeyPrefix: env.REDIS_KEY_PREFIX === undefined || env.REDIS_KEY_PREFIX === '' ? 'gatehouse:' : env.REDIS_KEY_PREFIX,
    metricsToken,
  };
}
