/**
 * Password hashing: argon2id at OWASP's minimum (m=19456 KiB, t=2, p=1), on the hash pool's
 * lower-priority threads (hash-pool.ts), admitted by the hash gate (hash-gate.ts): hashing never
 * blocks the event loop, and a burst of sign-ins waits in a bounded line.
 */
import { randomBytes } from 'node:crypto';
import type { Options } from '@node-rs/argon2';
import { availableParallelism } from 'node:os';
import { loadCommonPasswords } from './common-passwords.ts';
import { createHashGate, DEFAULT_HASH_MAX_WAIT_MS, DEFAULT_HASH_QUEUE, type HashGate, type HashGateSettings } from './hash-gate.ts';
import { createHashPool, type HashPool } from './hash-pool.ts';

// `Algorithm` is a const enum, which isolated modules cannot read: 2 is Algorithm.Argon2id.
const ARGON2ID = 2 as Options['algorithm'];

export const ARGON2_PARAMS: Readonly<Options> & { memoryCost: number; timeCost: number; parallelism: number } = Object.freeze({
  algorithm: ARGON2ID,
  memoryCost: 19_456,
  timeCost: 2,
  parallelism: 1,
});

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 256;

/** One gate and one pool per process, like the threads they guard (hash-gate.ts). */
let gate: HashGate = createHashGate({ concurrency: availableParallelism(), queue: DEFAULT_HASH_QUEUE, maxWaitMs: DEFAULT_HASH_MAX_WAIT_MS });
let pool: HashPool = createHashPool(gate.settings.concurrency);

/** Sets PASSWORD_HASH_CONCURRENCY / _QUEUE / _MAX_WAIT_MS (at start-up, before requests). */
export function configurePasswordHashing(settings: HashGateSettings): void {
  const current = gate.settings;
  if (settings.concurrency === current.concurrency && settings.queue === current.queue && settings.maxWaitMs === current.maxWaitMs) return;
  gate = createHashGate(settings);
  if (settings.concurrency !== current.concurrency) {
    void pool.close();
    pool = createHashPool(settings.concurrency);
  }
}

export function passwordHashLoad(): { running: number; waiting: number; expectedWaitMs: number } {
  return gate.load();
}

/** Throws AppError('overloaded') when the line for a hash is longer than the wait bound. */
export async function hashPassword(password: string): Promise<string> {
  const threads = pool;
  return gate.run(() => threads.hash(password, ARGON2_PARAMS));
}

/** False for a mismatch or a malformed hash; never throws for bad input (but may be overloaded). */
export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  const threads = pool;
  return gate.run(() => threads.verify(passwordHash, password));
}

/** True when the stored hash is not argon2id at (at least) today's parameters. */
export function needsRehash(passwordHash: string): boolean {
  const match = /^\$argon2id\$v=19\$m=(\d+),t=(\d+),p=(\d+)\$/.exec(passwordHash);
  if (!match) return true;
  const [m, t, p] = [Number(match[1]), Number(match[2]), Number(match[3])];
  return m < ARGON2_PARAMS.memoryCost || t < ARGON2_PARAMS.timeCost || p < ARGON2_PARAMS.parallelism;
}

/** Length rule only (no composition rules); characters are counted as code points, never trimmed. */
export function passwordLengthProblem(password: string): string | null {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `Password must be at least ${MIN_PASSWORD_LENGTH} characters`;
  if (length > MAX_PASSWORD_LENGTH) return `Password must be at most ${MAX_PASSWORD_LENGTH} characters`;
  return null;
}

/** The whole policy for a new password: length, and not among the most common passwords. */
export function passwordProblem(password: string): string | null {
  const lengthProblem = passwordLengthProblem(password);
  if (lengthProblem !== null) return lengthProblem;
  if (loadCommonPasswords(MIN_PASSWORD_LENGTH).has(password.toLowerCase())) return 'Password is too common; choose another';
  return null;
}

let dummyHash: Promise<string> | null = null;

/**
 * A hash to verify against when there is no user (or no password): login for an unknown email
 * then costs the same argon2 work as a wrong password, so timing does not tell them apart.
 */
export function dummyPasswordHash(): Promise<string> {
  // Made once per process, outside the gate: a memoized refusal would break every later login.
  dummyHash ??= pool.hash(randomBytes(32).toString('base64url'), ARGON2_PARAMS).then((hashed) => hashed.value);
  return dummyHash;
}
